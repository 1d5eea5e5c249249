"""Celery tasks of the outbox: they take row ids and call the services."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from celery import shared_task
from django.core.cache import cache

from notifications import conf
from notifications.services import deliver_messages, sweep_outbox

logger = logging.getLogger(__name__)

FOLLOW_UP_KEY = "notifications:sweep-follow-up"

OUTCOMES = ("sent", "skipped", "cancelled", "retry", "failed")


@shared_task(
    name="notifications.send_messages", acks_late=True, soft_time_limit=120, time_limit=150
)
def send_messages(message_ids: list[int], reservation: str = "") -> dict[str, int]:
    """Send a batch of outbox rows; how many of each outcome. Idempotent (the rows' claim
    decides), so acks_late is safe. The soft limit lets a slow batch stop cleanly (what
    was not sent goes back to pending) before the hard one kills the worker; the claim
    timeout is longer than the hard limit, so a live worker is never overtaken."""
    counts = Counter(deliver_messages(message_ids=message_ids, reservation=reservation).values())
    return {outcome: counts[outcome] for outcome in OUTCOMES}


@shared_task(name="notifications.send_message", acks_late=True, soft_time_limit=60, time_limit=90)
def send_message(message_id: int, reservation: str = "") -> str:
    """One outbox row: tasks of this shape may still be queued from before batches."""
    return deliver_messages(message_ids=[message_id], reservation=reservation)[message_id]


@shared_task(
    name="notifications.sweep_outbox",
    acks_late=True,
    max_retries=0,
    soft_time_limit=50,
    time_limit=55,
)
def sweep_outbox_task(follow_up: bool = False) -> dict[str, Any]:
    """Every minute (beat): reclaim stale rows and enqueue what is due.

    A sweep hands out at most NOTIFICATIONS_SWEEP_MAX_BATCHES batches and keeps at most
    NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT rows in flight; when it stops at those limits with a
    backlog left (100,000 reminders due at once), one follow-up sweep is scheduled a few
    seconds later, and so on until the backlog is handed out. A cache key makes it one
    follow-up at a time, whatever beat starts meanwhile.
    """
    if follow_up:
        cache.delete(FOLLOW_UP_KEY)
    result = sweep_outbox()
    if result.more:
        _schedule_follow_up()
    return {
        "reclaimed": result.reclaimed,
        "enqueued": result.enqueued,
        "released": result.released,
        "more": result.more,
    }


def _schedule_follow_up() -> None:
    delay = conf.sweep_follow_up_seconds()
    if not cache.add(FOLLOW_UP_KEY, 1, timeout=delay + 60):
        return  # one is scheduled already
    try:
        sweep_outbox_task.apply_async(kwargs={"follow_up": True}, countdown=delay, retry=False)
    except Exception:
        cache.delete(FOLLOW_UP_KEY)
        logger.warning("Could not schedule a follow-up sweep; beat's next one will do.")
