"""Handing message ids to Celery, never letting a broker outage reach the caller.

The tasks are named, not imported: the services publish through here and ``tasks``
imports the services, so imports run one way (tasks -> services -> dispatch) with no cycle.

A broker that is down is logged and left to the sweep, which finds every due row in the
database (the source of truth) once the broker is back: the rule of every enqueue
(core.tasks.run_on_commit, which the outbox calls ``publish`` through).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded

from notifications import conf

logger = logging.getLogger(__name__)

SEND_MESSAGES_TASK = "notifications.send_messages"
SWEEP_TASK = "notifications.sweep_outbox"
# Urgent messages (login links, a shift cancelled tonight) go through a queue of their own
# that every worker consumes besides the default one (Procfile: -Q urgent,celery), so a
# backlog of reminders in the default queue never delays them.
URGENT_QUEUE = "urgent"


def publish(message_ids: Sequence[int], *, reservation: str = "", urgent: bool = False) -> int:
    """Enqueue send tasks of up to NOTIFICATIONS_TASK_BATCH_SIZE ids each, now; returns how
    many ids were handed to the broker (a prefix of ``message_ids``).

    Uses a producer from Celery's pool (its broker connection is kept between calls),
    tried once (no minute of reconnecting while a person waits for a page); stops at the
    first failure, as the rest would fail too. No result is kept: the publisher never
    waits for one, so it never subscribes to the result store either.
    """
    ids = list(message_ids)
    if not ids:
        return 0
    size = conf.task_batch_size()
    queue = URGENT_QUEUE if urgent else current_app.conf.task_default_queue
    published = 0
    try:
        with current_app.producer_or_acquire() as producer:
            try:
                producer.connection.ensure_connection(
                    max_retries=1, interval_start=0, interval_step=0, timeout=3
                )
                for start in range(0, len(ids), size):
                    batch = ids[start : start + size]
                    current_app.send_task(
                        SEND_MESSAGES_TASK,
                        args=(batch, reservation),
                        queue=queue,
                        producer=producer,
                        retry=False,
                        ignore_result=True,
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


def waiting_tasks() -> int | None:
    """How many tasks wait in the outbox's queues (urgent, and the default queue, which
    other tasks share), or None when the broker cannot say now (down or not answering
    within a few seconds, or a transport that does not count)."""
    queues = (URGENT_QUEUE, current_app.conf.task_default_queue)
    # Celery adds these to the configured broker_transport_options.
    options = {}
    if str(current_app.conf.broker_url or "").startswith(("redis://", "rediss://")):
        options = {"socket_timeout": 3, "socket_connect_timeout": 3}
    try:
        with current_app.connection_for_read(transport_options=options) as connection:
            connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=3
            )
            channel: Any = connection.default_channel
            # Declaring a queue that exists changes nothing and says how many wait in it
            # (a passive declare would not do: Redis has no key for an empty queue).
            return sum(int(channel.queue_declare(queue=name)[1]) for name in queues)
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        logger.info("Outbox: the broker could not say how many tasks wait.", exc_info=True)
        return None
