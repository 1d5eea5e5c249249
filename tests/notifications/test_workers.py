"""Acceptance with real Celery worker processes on Redis and PostgreSQL.

1. Exactly once: two workers, two sweeps at the same instant, every task (a batch of ids)
   published twice: 1,000 due messages give 1,000 sent rows and 1,000 e-mails, none twice.
2. Nothing lost: with the broker unreachable, enqueueing and pages keep working; once it is
   back, the next sweep sends every due message once.
3. A worker SIGKILLed in the middle of a batch: the rows its task held are taken back once
   its lease expires and sent once; the other tasks of the sweep go to the other worker.

The workers share the test's database (committed data: transactional tests) and write
e-mails as files (tests/notifications/mailbox.py), so counts cross processes. Faults in the
middle of sending with an SMTP server, and their timings: test_fault_injection.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from accounts.roles import Role
from config.celery import app as celery_app
from notifications.models import Message, Status
from notifications.services import enqueue_message, sweep_outbox
from tests.factories import make_user
from tests.notifications.processes import (
    Workers,
    clear_broker,
    enqueue_for,
    fall_due,
    free_port,
    make_recipients,
    recipients_in,
    sent_count,
    wait_for,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    folder = tmp_path / "mailbox"
    folder.mkdir()
    return folder


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path, mailbox: Path) -> Iterator[Workers]:
    clear_broker(settings.REDIS_URL)
    pool = Workers(tmp_path, mailbox)
    yield pool
    pool.stop()
    clear_broker(settings.REDIS_URL)


def test_exactly_once_with_two_workers_and_two_sweeps_at_once(
    workers: Workers, mailbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = make_recipients(1000, "once")
    enqueue_for(users, key="exact")
    workers.start("w1")
    workers.start("w2")

    # Every task reaches the broker twice, as after a redelivery.
    app = celery_app
    original = app.send_task
    tasks: list[int] = []

    def twice(name: str, **kwargs: Any) -> None:
        tasks.append(len(kwargs["args"][0]))
        original(name, **kwargs)
        original(name, **kwargs)

    monkeypatch.setattr(app, "send_task", twice)

    fall_due("exact")
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(sweep_outbox(batch_size=200))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert sum(result.enqueued for result in results) == 1000, results
    assert sum(tasks) == 1000
    assert max(tasks) <= 100  # NOTIFICATIONS_TASK_BATCH_SIZE ids a task

    wait_for(
        lambda: workers.tasks_finished() >= 2 * len(tasks),
        timeout=240,
        what=f"{2 * len(tasks)} tasks",
    )
    assert sent_count() == 1000
    assert Message.objects.exclude(status=Status.SENT).count() == 0
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    received = recipients_in(mailbox)
    assert len(received) == 1000
    assert received == sorted(user.email for user in users)  # each once
    logs = workers.logs()
    assert sum(text.count("succeeded") for text in logs) == 2 * len(tasks)
    sent = workers.outcomes("sent")
    assert [count > 0 for count in sent] == [True, True], "both workers sent"
    assert sum(sent) == 1000
    assert sum(workers.outcomes("skipped")) == 1000


def test_nothing_is_lost_while_the_broker_is_down(
    workers: Workers, mailbox: Path, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    workers.start("w1")
    signups = make_recipients(10, "signup")
    reminders = make_recipients(10, "reminder")
    coordinator = make_user(roles=[Role.ADMINISTRATOR])
    failed = make_recipients(1, "failed")[0]
    enqueue_for([failed], key="earlier")
    Message.objects.filter(recipient=failed).update(status=Status.FAILED, last_error="SMTP 550")
    enqueue_for(reminders, key="reminder")

    app = celery_app
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/5")
    # Publishing uses Celery's pooled producers: pools for the unreachable URL (undone below).
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    # Signups go on: each commits a message due now, whose enqueueing fails quietly.
    for user in signups:
        started = time.monotonic()
        with transaction.atomic():
            enqueue_message(
                recipient=user,
                kind="test.message",
                dedupe_key=f"signup:{user.pk}",
                context={"title": "Confirmed", "body": "See you"},
            )
        assert time.monotonic() - started < 2
    # And pages that enqueue answer: a coordinator resends a failed message.
    client.force_login(coordinator)
    message = Message.objects.get(recipient=failed)
    started = time.monotonic()
    response = client.post(f"/notifications/coordinator/outbox/{message.pk}/resend/")
    assert response.status_code == 302
    assert time.monotonic() - started < 2
    # The reminders fall due; the sweep cannot reach the broker and keeps nothing reserved.
    fall_due("reminder")
    down = sweep_outbox()
    assert (down.enqueued, down.released) == (0, 21)
    assert Message.objects.filter(status=Status.PENDING).count() == 21
    assert sent_count() == 0

    monkeypatch.undo()  # the broker is back
    up = sweep_outbox()
    assert up.enqueued == 21
    wait_for(lambda: sent_count() == 21, timeout=120, what="21 sent rows")
    wait_for(lambda: workers.tasks_finished() >= 1, timeout=30, what="the task")
    assert recipients_in(mailbox) == sorted(user.email for user in [*signups, *reminders, failed])


def test_a_worker_killed_mid_batch_leaves_nothing_stuck(
    workers: Workers, mailbox: Path, settings: Any
) -> None:
    # Four tasks of five; the victim is the first of the second task, and the worker hangs
    # in its send (its lease renewed meanwhile by the heartbeat): kill it there.
    settings.NOTIFICATIONS_TASK_BATCH_SIZE = 5
    users = make_recipients(20, "kill")
    victim = users[5]
    enqueue_for(users, key="kill")
    first = workers.start("doomed", TEST_MAILBOX_BLOCK_ON=victim.email)
    fall_due("kill")
    assert sweep_outbox().enqueued == 20

    # The worker sends the first task's five, then hangs on the second task's first
    # e-mail: kill it there.
    wait_for(lambda: (mailbox / "blocked").exists(), timeout=60, what="the worker to block")
    workers.kill(first)
    held = list(Message.objects.filter(recipient__in=users[5:10]).order_by("recipient__email"))
    assert {row.status for row in held} == {Status.SENDING}
    assert len({row.claimed_by for row in held}) == 1
    assert held[0].claimed_by.startswith("run:")
    assert sent_count() == 5

    # Another worker takes the other tasks (still queued) but not the dead one's rows.
    workers.start("survivor")
    wait_for(lambda: sent_count() == 15, timeout=60, what="15 sent rows")
    assert (
        Message.objects.filter(pk__in=[row.pk for row in held], status=Status.SENDING).count() == 5
    )
    # Within the lease the sweep leaves them alone...
    assert sweep_outbox().reclaimed == 0
    # ...once it expires, the rows are taken back and sent once.
    settings.NOTIFICATIONS_LEASE_SECONDS = 3
    claimed_at = Message.objects.get(pk=held[0].pk).claimed_at
    assert claimed_at is not None
    wait_for(
        lambda: timezone.now() - claimed_at > timedelta(seconds=3.5),
        timeout=10,
        what="the lease to expire",
    )
    result = sweep_outbox()
    assert (result.reclaimed, result.enqueued) == (5, 5)
    wait_for(lambda: sent_count() == 20, timeout=60, what="20 sent rows")
    for row in held:
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.SENT, 2)
    assert Message.objects.exclude(status=Status.SENT).count() == 0
    assert recipients_in(mailbox) == sorted(user.email for user in users)
