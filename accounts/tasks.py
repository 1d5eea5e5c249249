"""Accounts' scheduled work."""

from __future__ import annotations

from celery import shared_task

from accounts.services.retention import run_retention


@shared_task(
    name="accounts.run_retention",
    acks_late=True,
    max_retries=0,
    soft_time_limit=600,
    time_limit=660,
)
def run_retention_task() -> dict[str, int]:
    """Daily (beat): remove what is past its retention limit. Idempotent: a second run
    finds nothing more. Returns the rows removed per category."""
    return run_retention()
