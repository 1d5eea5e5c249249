"""Celery tasks of the outbox: they take row ids and call the services."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from notifications.services import deliver_message, sweep_outbox


@shared_task(name="notifications.send_message", acks_late=True, soft_time_limit=60, time_limit=90)
def send_message(message_id: int, reservation: str = "") -> str:
    """Send one outbox row. Idempotent (the row's claim decides), so acks_late is safe."""
    return deliver_message(message_id=message_id, reservation=reservation)


@shared_task(
    name="notifications.sweep_outbox",
    acks_late=True,
    max_retries=0,
    soft_time_limit=50,
    time_limit=55,
)
def sweep_outbox_task() -> dict[str, Any]:
    """Every minute (beat): reclaim stale rows and enqueue what is due."""
    result = sweep_outbox()
    return {"reclaimed": result.reclaimed, "enqueued": result.enqueued, "released": result.released}
