"""Handing message ids to Celery, never letting a broker outage reach the caller.

core.tasks.enqueue_on_commit lets a publishing error escape into the request that
committed; here a broker that is down is logged and left to the sweep, which finds every
due row in the database (the source of truth) once the broker is back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction

from notifications import conf

logger = logging.getLogger(__name__)


def publish(message_ids: Sequence[int], *, reservation: str = "") -> int:
    """Enqueue send tasks of up to NOTIFICATIONS_TASK_BATCH_SIZE ids each, now; returns how
    many ids were handed to the broker (a prefix of ``message_ids``).

    Uses a producer from Celery's pool (its broker connection is kept between calls),
    tried once (no minute of reconnecting while a person waits for a page); stops at the
    first failure, as the rest would fail too.
    """
    from notifications.tasks import send_messages  # here: tasks import the services

    ids = list(message_ids)
    size = conf.task_batch_size()
    published = 0
    try:
        with send_messages.app.producer_or_acquire() as producer:
            try:
                producer.connection.ensure_connection(
                    max_retries=1, interval_start=0, interval_step=0, timeout=3
                )
                for start in range(0, len(ids), size):
                    batch = ids[start : start + size]
                    send_messages.apply_async(
                        args=(batch, reservation), producer=producer, retry=False
                    )
                    published += len(batch)
            except Exception:
                # A pooled connection that failed is dropped, not handed to the next caller.
                producer.connection.collect()
                raise
    except Exception:
        logger.warning(
            "Could not enqueue %d of %d outbox messages; the sweep will send them.",
            len(ids) - published,
            len(ids),
            exc_info=True,
        )
    return published


def publish_on_commit(message_ids: Sequence[int]) -> None:
    """Enqueue the sends once the caller's transaction commits (never if it rolls back)."""
    ids = list(message_ids)
    if ids:
        transaction.on_commit(lambda: publish(ids))
