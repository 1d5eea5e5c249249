"""Handing message ids to Celery, never letting a broker outage reach the caller.

core.tasks.enqueue_on_commit lets a publishing error escape into the request that
committed; here a broker that is down is logged and left to the sweep, which finds every
due row in the database (the source of truth) once the broker is back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction

logger = logging.getLogger(__name__)


def publish(message_ids: Sequence[int], *, reservation: str = "") -> int:
    """Enqueue one send task per id, now; returns how many were handed to the broker.

    One broker connection for the lot, tried once (no minute of reconnecting while a
    person waits for a page); stops at the first failure, as the rest would fail too.
    """
    from notifications.tasks import send_message  # here: tasks import the services

    published = 0
    try:
        with send_message.app.connection_for_write() as connection:
            connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=3
            )
            for message_id in message_ids:
                # celery-types lacks ``connection``, a documented apply_async option.
                send_message.apply_async(  # type: ignore[call-arg]
                    args=(message_id, reservation), connection=connection, retry=False
                )
                published += 1
    except Exception:
        # Also when closing the connection fails after every task went out.
        logger.warning(
            "Could not enqueue %d of %d outbox messages; the sweep will send them.",
            len(message_ids) - published,
            len(message_ids),
            exc_info=True,
        )
    return published


def publish_on_commit(message_ids: Sequence[int]) -> None:
    """Enqueue the sends once the caller's transaction commits (never if it rolls back)."""
    ids = list(message_ids)
    if ids:
        transaction.on_commit(lambda: publish(ids))
