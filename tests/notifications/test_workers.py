"""Acceptance with real Celery worker processes on Redis and PostgreSQL.

1. Exactly once: two workers, two sweeps at the same instant, every task (a batch of ids)
   published twice: 1,000 due messages give 1,000 sent rows and 1,000 e-mails, none twice.
2. Nothing lost: with the broker unreachable, enqueueing and pages keep working; once it is
   back, the next sweep sends every due message once.
3. A worker SIGKILLed in the middle of a batch: the rows its task held are taken back after
   the claim timeout and sent once; the other tasks of the sweep go to the other worker.

The workers share the test's database (committed data: transactional tests) and write
e-mails as files (tests/notifications/mailbox.py), so counts cross processes.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from notifications.models import Message, Status
from notifications.services import enqueue_message, sweep_outbox
from notifications.tasks import send_messages
from tests.factories import make_user
from tests.notifications.mailbox import read_mailbox
from tests.utils import ROOT, clean_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user = quote(db.get("USER") or "", safe="")
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Workers:
    """Starts Celery worker processes of the project and stops them at the end."""

    def __init__(self, tmp_path: Path, mailbox: Path) -> None:
        self.tmp_path = tmp_path
        self.mailbox = mailbox
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, name: str, **extra_env: str) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"{name}.log"
        env = clean_env(
            DJANGO_SETTINGS_MODULE="tests.notifications.worker_settings",
            DATABASE_URL=database_url(),
            REDIS_URL=settings.REDIS_URL,
            VAR_DIR=str(self.tmp_path / "var"),
            TEST_MAILBOX_DIR=str(self.mailbox),
            **extra_env,
        )
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--hostname",
                    f"{name}-{uuid.uuid4().hex[:6]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append((process, log))
        wait_for(
            lambda: " ready." in log.read_text(errors="replace"),
            timeout=90,
            what=f"worker {name} to start:\n{log.read_text(errors='replace')}",
        )
        return process

    def logs(self) -> list[str]:
        return [log.read_text(errors="replace") for _process, log in self.processes]

    def tasks_finished(self) -> int:
        return sum(text.count("Task notifications.send_messages[") for text in self.logs()) // 2

    def outcomes(self, outcome: str) -> list[int]:
        """How many messages each worker's tasks reported as ``outcome``, per worker."""
        pattern = re.compile(rf"succeeded in [0-9.]+s: {{[^}}]*'{outcome}': (\d+)")
        return [sum(int(n) for n in pattern.findall(text)) for text in self.logs()]

    def stop(self) -> None:
        for process, _log in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _log in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _clear_broker() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.delete("celery", "unacked", "unacked_index")
    finally:
        client.close()


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    folder = tmp_path / "mailbox"
    folder.mkdir()
    return folder


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path, mailbox: Path) -> Iterator[Workers]:
    _clear_broker()
    pool = Workers(tmp_path, mailbox)
    yield pool
    pool.stop()
    _clear_broker()


def make_recipients(count: int, prefix: str) -> list[User]:
    User.objects.bulk_create(
        User(email=f"{prefix}{i:04d}@example.org", first_name=f"R{i}") for i in range(count)
    )
    return list(User.objects.filter(email__startswith=prefix).order_by("email"))


def enqueue_for(users: list[User], *, key: str) -> None:
    """Messages due tomorrow (so none is handed over as it is written), a millisecond apart:
    the sweep's order (oldest due first) is the list's."""
    tomorrow = timezone.now() + timedelta(days=1)
    with transaction.atomic():
        for index, user in enumerate(users):
            enqueue_message(
                recipient=user,
                kind="test.message",
                dedupe_key=f"{key}:{user.pk}",
                context={"title": "Reminder", "body": f"Message {index}"},
                scheduled_for=tomorrow + timedelta(milliseconds=index),
            )


def fall_due(key: str) -> None:
    """A day passes for these messages: they are all due now."""
    Message.objects.filter(dedupe_key__startswith=f"{key}:").update(
        scheduled_for=F("scheduled_for") - timedelta(days=1, seconds=10)
    )


def sent_count() -> int:
    return Message.objects.filter(status=Status.SENT).count()


def recipients_in(mailbox: Path) -> list[str]:
    return sorted(str(email["To"]) for email in read_mailbox(mailbox))


def test_exactly_once_with_two_workers_and_two_sweeps_at_once(
    workers: Workers, mailbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = make_recipients(1000, "once")
    enqueue_for(users, key="exact")
    workers.start("w1")
    workers.start("w2")

    # Every task reaches the broker twice, as after a redelivery.
    original = send_messages.apply_async
    tasks: list[int] = []

    def twice(*args: Any, **kwargs: Any) -> None:
        tasks.append(len(kwargs["args"][0]))
        original(*args, **kwargs)
        original(*args, **kwargs)

    monkeypatch.setattr(send_messages, "apply_async", twice)

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


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_nothing_is_lost_while_the_broker_is_down(
    workers: Workers, mailbox: Path, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    workers.start("w1")
    signups = make_recipients(10, "signup")
    reminders = make_recipients(10, "reminder")
    coordinator = make_user(roles=[Role.COORDINATOR])
    failed = make_recipients(1, "failed")[0]
    enqueue_for([failed], key="earlier")
    Message.objects.filter(recipient=failed).update(status=Status.FAILED, last_error="SMTP 550")
    enqueue_for(reminders, key="reminder")

    app = send_messages.app
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{closed_port()}/5")
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
    # Four tasks of five; the victim is the first of the second task. (A worker killed
    # after some e-mails of its task went would send those again once the task's rows are
    # taken back: at most NOTIFICATIONS_SENT_FLUSH_SECONDS of sending, see
    # deliver_messages; here the kill comes before any e-mail of the task.)
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
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
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
    # Within the claim timeout the sweep leaves them alone...
    assert sweep_outbox().reclaimed == 0
    # ...after it, the rows are taken back and sent once.
    settings.NOTIFICATIONS_CLAIM_TIMEOUT = 2
    claimed_at = held[0].claimed_at
    assert claimed_at is not None
    wait_for(
        lambda: timezone.now() - claimed_at > timedelta(seconds=2.5),
        timeout=10,
        what="the claim to go stale",
    )
    result = sweep_outbox()
    assert (result.reclaimed, result.enqueued) == (5, 5)
    wait_for(lambda: sent_count() == 20, timeout=60, what="20 sent rows")
    for row in held:
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.SENT, 2)
    assert Message.objects.exclude(status=Status.SENT).count() == 0
    assert recipients_in(mailbox) == sorted(user.email for user in users)
