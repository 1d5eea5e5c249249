"""What a worker does when the database does not answer: which errors mean that, how long
to wait before trying again, and dropping the broken connection."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from django.db import InterfaceError, OperationalError, connection

from notifications import conf

logger = logging.getLogger(__name__)

# The server is down, restarting, refusing connections, or the connection broke.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)

# Set when the worker is asked to stop (tasks.py connects Celery's worker_shutting_down):
# a send waiting for the database stops waiting and journals what it could not write.
stopping = threading.Event()


class Stopping(Exception):
    """The worker is stopping while this send waits for the database."""


def drop_connection() -> None:
    """Close this thread's broken connection, so the next query opens a new one."""
    try:
        connection.close()
    except DATABASE_UNREACHABLE:
        logger.debug("Closing a broken database connection failed.", exc_info=True)


def backoff() -> Iterator[float]:
    """Waits between tries: 0.1 s doubling up to NOTIFICATIONS_OUTCOME_RETRY_MAX_SECONDS,
    until the caller succeeds or its task's time limit strikes; raises Stopping once the
    worker is asked to stop."""
    delay = 0.1
    ceiling = conf.outcome_retry_max_seconds()
    while not stopping.is_set():
        yield delay
        delay = min(delay * 2, ceiling)
    raise Stopping
