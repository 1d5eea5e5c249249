"""Helpers for tests that start Python processes of the project."""

from __future__ import annotations

import os
from pathlib import Path

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


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without the project's settings, plus ``overrides``.

    A developer's .env file is not read either, so the child sees exactly what a test sets.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PROJECT_PREFIXES)}
    env["DJANGO_READ_DOT_ENV"] = "false"
    env.update(overrides)
    return env
