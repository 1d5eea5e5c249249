"""Helpers for tests that start Python processes of the project."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

_PROJECT_PREFIXES = (
    "DJANGO_",
    "DATABASE_",
    "REDIS_",
    "CACHE_",
    "SECRET_",
    "ALLOWED_",
    "CELERY_",
    "DEBUG",
    "NUM_PROXIES",
    "BEHIND_TLS_PROXY",
)

# Where `make run` serves the app; development's SITE_URL follows them.
_SERVED_AT = ("HOST", "PORT", "SITE_URL")


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without the project's settings, plus ``overrides``.

    A developer's .env file is not read either, so the child sees exactly what a test sets.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_PROJECT_PREFIXES) and k not in _SERVED_AT
    }
    env["DJANGO_READ_DOT_ENV"] = "false"
    env.update(overrides)
    return env


def read_download(response: Any) -> bytes:
    """The body of a streamed download (FileResponse), read through the test client.

    Reading it, rather than calling response.close(), closes the file without firing
    request_finished, which would close the test's own database connection.
    """
    return b"".join(response.streaming_content)


def send_outbox() -> int:
    """Send every message waiting in the outbox as a worker would; how many went."""
    from notifications.models import Message, Status
    from notifications.services import deliver_message

    waiting = Message.objects.filter(status=Status.PENDING).order_by("pk")
    return sum(
        deliver_message(message_id=pk) == "sent" for pk in waiting.values_list("pk", flat=True)
    )
