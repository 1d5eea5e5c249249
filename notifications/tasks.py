"""Celery tasks of the outbox: they take row ids and call the services."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready, worker_shutting_down
from django.core.cache import cache

from notifications import conf
from notifications.services import (
    deliver_messages,
    dispatch,
    replay_journal,
    run_claim,
    sweep_outbox,
)
from notifications.services.unreachable import stopping

logger = logging.getLogger(__name__)

FOLLOW_UP_KEY = "notifications:sweep-follow-up"

OUTCOMES = ("sent", "skipped", "cancelled", "retry", "failed")

# A send task that cannot reach the database to claim its rows is retried soon and often
# (a database restart takes seconds to a minute), not after BaseTask's minutes of backoff:
# 1, 2, 4, 8 then every 10 s at most (with jitter), for about five minutes.
SEND_MAX_RETRIES = 30
SEND_RETRY_BACKOFF_MAX = 10


@shared_task(
    name=dispatch.SEND_MESSAGES_TASK,
    bind=True,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=120,
    time_limit=150,
    max_retries=SEND_MAX_RETRIES,
    retry_backoff=1,
    retry_backoff_max=SEND_RETRY_BACKOFF_MAX,
)
def send_messages(
    self: Task[Any, Any], message_ids: list[int], reservation: str = ""
) -> dict[str, int]:
    """Send a batch of outbox rows; how many of each outcome. Idempotent (the rows' claim
    decides), so acks_late is safe. The claim is named after the task, so a retry after a
    database error resumes the rows its first try claimed. The soft limit lets a slow batch
    stop cleanly (what was not sent goes back to pending) before the hard one kills it."""
    replay_journal()
    results = deliver_messages(
        message_ids=message_ids, reservation=reservation, claim=run_claim(self.request.id)
    )
    counts = Counter(results.values())
    return {outcome: counts[outcome] for outcome in OUTCOMES}


@shared_task(
    name="notifications.send_message",
    bind=True,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=SEND_MAX_RETRIES,
    retry_backoff=1,
    retry_backoff_max=SEND_RETRY_BACKOFF_MAX,
)
def send_message(self: Task[Any, Any], message_id: int, reservation: str = "") -> str:
    """One outbox row: tasks of this shape may still be queued from before batches."""
    results = deliver_messages(
        message_ids=[message_id], reservation=reservation, claim=run_claim(self.request.id)
    )
    return results[message_id]


@shared_task(
    name=dispatch.SWEEP_TASK,
    acks_late=True,
    ignore_result=True,
    max_retries=0,
    soft_time_limit=50,
    time_limit=55,
)
def sweep_outbox_task(follow_up: bool = False) -> dict[str, Any]:
    """Every 15 seconds (beat): reclaim expired leases and enqueue what is due.

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
    try:
        if not cache.add(FOLLOW_UP_KEY, 1, timeout=delay + 60):
            return  # one is scheduled already
        sweep_outbox_task.apply_async(kwargs={"follow_up": True}, countdown=delay, retry=False)
    except Exception:
        cache.delete(FOLLOW_UP_KEY)
        logger.warning("Could not schedule a follow-up sweep; beat's next one will do.")


@worker_ready.connect
def _replay_at_start(**_kwargs: Any) -> None:
    """Outcomes a worker journalled as it stopped, written as the next one starts."""
    try:
        replay_journal()
    except Exception:
        logger.warning("Outbox: replaying the journal at start failed.", exc_info=True)


@worker_shutting_down.connect
def _stop_waiting(**_kwargs: Any) -> None:
    """A send waiting for the database journals what it holds instead, so the worker stops."""
    stopping.set()
