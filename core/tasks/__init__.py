"""Celery plumbing shared by every app: the base task, on-commit enqueueing and ``ping``."""

from __future__ import annotations

import socket
from typing import Any

from celery import Task, current_app, shared_task
from django.db import OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError


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


def enqueue_on_commit(
    task: Task | str,  # type: ignore[type-arg]
    *args: Any,
    using: str | None = None,
    **kwargs: Any,
) -> None:
    """Send ``task`` once the current transaction commits (at once when there is none).

    A task enqueued inside a transaction that then rolls back is never sent, and a worker
    never picks up a task before the rows it needs are visible. ``task`` may be a task's
    registered name, for a service whose tasks module imports it (imports run one way).
    """

    def send() -> None:
        if isinstance(task, str):
            current_app.signature(task, args=args, kwargs=kwargs).apply_async()
        else:
            task.apply_async(args=args, kwargs=kwargs)

    transaction.on_commit(send, using=using)


@shared_task(name="core.ping", acks_late=True, max_retries=0, autoretry_for=(), ignore_result=False)
def ping() -> dict[str, str]:
    """Answer from a worker: proves the broker delivers and a worker runs tasks."""
    return {"pong": "ok", "worker": socket.gethostname(), "at": timezone.now().isoformat()}
