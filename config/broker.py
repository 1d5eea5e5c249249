"""Broker and result-backend settings, from a Redis URL or, without one, a folder.

Pure functions without Django imports: settings use them, and so do tests that start a
worker against a broker of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# kombu's file transport; naming the host keeps kombu from warning that none was given.
FILESYSTEM_BROKER_URL = "filesystem://localhost//"


def next_redis_database(url: str) -> str:
    """The same Redis server with the next database number: redis://h:6379/0 -> .../1."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    number = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(number + 1) % 16}"))


def broker_settings(*, broker_url: str, var_dir: Path, result_backend: str = "") -> dict[str, Any]:
    """``broker_url``, ``broker_transport_options`` and ``result_backend`` for Celery.

    ``filesystem://`` is kombu's file transport: messages are files under ``var_dir``, so
    worker, beat and web share them across processes without any server (development).
    """
    if broker_url.startswith("filesystem://"):
        base = var_dir / "celery"
        for sub in ("queue", "processed", "control", "results"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        return {
            "broker_url": broker_url,
            "broker_transport_options": {
                "data_folder_in": str(base / "queue"),
                "data_folder_out": str(base / "queue"),
                "processed_folder": str(base / "processed"),
                "control_folder": str(base / "control"),
                "store_processed": False,
            },
            "result_backend": result_backend or f"file://{base / 'results'}",
        }
    return {
        "broker_url": broker_url,
        # Longer than any task runs or waits for its retry (BaseTask backs off up to 600 s),
        # so an unacknowledged task is redelivered only when its worker really died. The
        # outbox does not wait for that: its leases give a dead worker's rows to another
        # within a minute, and the task redelivered later finds them sent.
        "broker_transport_options": {"visibility_timeout": 3600},
        "result_backend": result_backend or broker_url,
    }
