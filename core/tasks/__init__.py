"""Celery plumbing shared by every app: the base task, on-commit enqueueing and ``ping``."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

from celery import Task, current_app, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

logger = logging.getLogger(__name__)


class BaseTask(Task):  # type: ignore[type-arg]
    """Defaults for every task: bounded retries with exponential backoff and jitter.

    Only transient failures (database or network unavailable) are retried; a task that
    must not run twice leaves ``acks_late`` off (the default), an idempotent one turns it on.
    """

    autoretry_for = (OperationalError, BrokerOperationalError, ConnectionError, TimeoutError)
    max_retries = 5
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True


def run_on_commit(
    publish: Callable[..., object],
    *args: Any,
    using: str | None = None,
    what: str = "",
    **kwargs: Any,
) -> None:
    """Call ``publish(*args, **kwargs)`` (something that hands work to the broker) once the
    current transaction commits, at once when there is none; never if it rolls back, so a
    worker never picks up work before the rows it needs are visible.

    The one error rule of every enqueue: a broker that is down is logged (naming ``what``),
    never raised into the request or task that committed. What was committed is the source
    of truth and each kind of work is found again without the broker's help: the outbox's
    sweep sends every due message, beat's hourly sweep retries the Stripe erasures, a
    statement run with no progress for an hour is closed and can be started again, and the
    Stripe import page resumes where the import stopped.
    """

    def call() -> None:
        try:
            publish(*args, **kwargs)
        except SoftTimeLimitExceeded:  # the calling task's own time is up: it stops
            raise
        except Exception:
            logger.warning(
                "Could not enqueue %s after the commit; it is found again later.",
                what or getattr(publish, "__name__", publish),
                exc_info=True,
            )

    transaction.on_commit(call, using=using)


def _send(
    task: Task | str,  # type: ignore[type-arg]
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    if isinstance(task, str):
        current_app.signature(task, args=args, kwargs=kwargs).apply_async()
    else:
        task.apply_async(args=args, kwargs=kwargs)


def enqueue_on_commit(
    task: Task | str,  # type: ignore[type-arg]
    *args: Any,
    using: str | None = None,
    **kwargs: Any,
) -> None:
    """Send ``task`` once the current transaction commits (``run_on_commit``'s rules).

    ``task`` may be a task's registered name, for a service whose tasks module imports it
    (imports run one way).
    """
    name = task if isinstance(task, str) else task.name
    run_on_commit(_send, task, args, kwargs, using=using, what=f"the task {name}")


@shared_task(name="core.ping", acks_late=True, max_retries=0, autoretry_for=(), ignore_result=False)
def ping() -> dict[str, str]:
    """Answer from a worker: proves the broker delivers and a worker runs tasks."""
    return {"pong": "ok", "worker": socket.gethostname(), "at": timezone.now().isoformat()}
