"""Tasks that join both domains."""

from __future__ import annotations

from celery import shared_task

from dashboard.digest import send_coordinator_digest


@shared_task(
    name="dashboard.coordinator_digest",
    acks_late=True,
    max_retries=0,
    soft_time_limit=300,
    time_limit=330,
)
def coordinator_digest_task() -> int:
    """Hourly (beat): queue today's digest for each coordinator once. Idempotent."""
    return send_coordinator_digest()
