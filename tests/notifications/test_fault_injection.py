"""Real faults in the middle of sending (issue 20), with real processes: two Celery workers
(two pool processes each), PostgreSQL, Redis, an SMTP server on 127.0.0.1 that records every
message (tests/notifications/smtp_server.py), and beat's sweep published every
``SWEEP_SECONDS`` as beat would. The settings are the production defaults (lease 30 s, sweep
every 15 s), so the delays measured here are the ones production has.

1,000 due messages each time; the fault strikes once 300 have arrived:
(a) SIGKILL of one worker and its pool: nothing lost, at most one repeat per pool process
    (the messages in flight at the kill), everything delivered within 60 s of the kill;
(b) PostgreSQL refuses every connection of the test database for 30 s, and cuts those it
    had: nothing lost, nothing repeated, everything delivered within 60 s of its return;
(c) Redis (broker and cache, a server of the test's own) stopped for 30 s: the same.
And: with 10,000 reminders being sent, a login link requested then arrives within 10 s.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.models import Count, Min
from django.utils import timezone

from accounts.authentication.magic_links import send_magic_link
from config.celery import app as celery_app
from notifications.models import Channel, Message, Status
from notifications.services.dispatch import SWEEP_TASK
from notifications.services.transport import message_id
from tests.factories import make_user
from tests.notifications.processes import (
    PrivateRedis,
    Workers,
    clear_broker,
    database_url,
    make_recipients,
    wait_for,
)
from tests.notifications.smtp_server import SmtpServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

MESSAGES = 1000
FAULT_AFTER = 300  # messages received before the fault
CONCURRENCY = 2  # pool processes per worker
OUTAGE_SECONDS = 30
DEADLINE_SECONDS = 60  # everything delivered within this long of the kill, or the return
SWEEP_SECONDS = float(settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]["schedule"])


def report(figures: str) -> None:
    """The figures of a run, on the terminal with ``-s`` (the report of issue 20 quotes them)."""
    sys.stderr.write(f"\n[fault test] {figures}\n")


class Beat:
    """Publishes the sweep task every SWEEP_SECONDS, as celery beat does (the first at once);
    a broker that is down loses that tick, as it does for beat."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            try:
                celery_app.send_task(SWEEP_TASK, expires=SWEEP_SECONDS - 1, retry=False)
            except Exception as exc:
                report(f"beat could not publish the sweep: {type(exc).__name__}")
            if self._stop.wait(SWEEP_SECONDS):
                return

    def __enter__(self) -> Beat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@dataclass
class Outcome:
    delivered: int  # distinct messages the SMTP server received
    repeated: int  # copies beyond the first
    lost: int  # messages never received
    not_sent: int  # rows not marked sent
    last_after_fault: float  # seconds from the kill or the return to the last first copy


def outcome(smtp: SmtpServer, expected: set[str], since: float) -> Outcome:
    copies = smtp.copies()
    first = smtp.first_arrivals()
    return Outcome(
        delivered=len(expected & set(copies)),
        repeated=sum(copies.values()) - len(copies),
        lost=len(expected - set(copies)),
        not_sent=Message.objects.exclude(status=Status.SENT).count(),
        last_after_fault=round(max(first.values()) - since, 1),
    )


def due_messages(count: int, prefix: str) -> set[str]:
    """``count`` e-mails due now; the Message-IDs they must arrive with."""
    users = make_recipients(count, prefix)
    now = timezone.now()
    rows = Message.objects.bulk_create(
        Message(
            recipient=user,
            channel=Channel.EMAIL,
            kind="test.message",
            dedupe_key=f"{prefix}:{user.pk}",
            context={"title": "Reminder", "body": f"Message {index}"},
            scheduled_for=now - timedelta(seconds=1) + timedelta(microseconds=index),
        )
        for index, user in enumerate(users)
    )
    return {message_id(row) for row in rows}


def all_done(smtp: SmtpServer, expected: set[str]) -> Callable[[], bool]:
    def done() -> bool:
        try:
            unsent = Message.objects.exclude(status=Status.SENT).exists()
        except Exception:  # the test's own connection, cut by the outage
            connections.close_all()
            return False
        return not unsent and expected <= set(smtp.copies())

    return done


def wait_all_done(workers: Workers, smtp: SmtpServer, expected: set[str]) -> None:
    """Everything sent and recorded within 120 s; if not, the failure says where it stuck
    (rows by status, who holds the rows still sending and since when, what arrived, the end
    of each worker's log)."""
    try:
        wait_for(all_done(smtp, expected), timeout=120, what="every message")
    except AssertionError as error:
        connections.close_all()
        statuses = dict(Message.objects.values_list("status").annotate(rows=Count("id")).order_by())
        now = timezone.now()
        held = [
            f"{claim or '(none)'}: {rows} rows, claimed {(now - since).total_seconds():.0f} s ago"
            if since
            else f"{claim or '(none)'}: {rows} rows, no claim time"
            for claim, rows, since in Message.objects.filter(status=Status.SENDING)
            .values_list("claimed_by")
            .annotate(rows=Count("id"), since=Min("claimed_at"))
            .order_by("claimed_by")
        ]
        arrived = len(expected & set(smtp.copies()))
        tails = "\n".join(
            "--- worker log, last 40 lines\n" + "\n".join(text.splitlines()[-40:])
            for text in workers.logs()
        )
        raise AssertionError(
            f"{error}: rows by status {statuses}, {arrived} of {len(expected)} arrived\n"
            f"still sending, by claim: {held}\n{tails}"
        ) from None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer(delay=0.005) as server:
        yield server


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    clear_broker(settings.REDIS_URL)
    pool = Workers(tmp_path, tmp_path)
    yield pool
    pool.stop()
    clear_broker(settings.REDIS_URL)


def start_two(workers: Workers, smtp: SmtpServer, **env: str) -> list[subprocess.Popen[bytes]]:
    return [
        workers.start(
            name,
            concurrency=CONCURRENCY,
            settings_module="config.settings",
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
            **env,
        )
        for name in ("w1", "w2")
    ]


def test_a_worker_killed_mid_batch_repeats_at_most_its_messages_in_flight(
    workers: Workers, smtp: SmtpServer
) -> None:
    doomed, _survivor = start_two(workers, smtp)
    expected = due_messages(MESSAGES, "kill")
    with Beat():
        wait_for(lambda: smtp.count() >= FAULT_AFTER, timeout=60, what="the batch to start")
        workers.kill(doomed)
        killed_at = time.monotonic()
        wait_all_done(workers, smtp, expected)
    result = outcome(smtp, expected, killed_at)
    report(f"SIGKILL of one worker: {result}")
    assert (result.delivered, result.lost, result.not_sent) == (MESSAGES, 0, 0)
    assert result.repeated <= CONCURRENCY
    assert result.last_after_fault <= DEADLINE_SECONDS


def set_connections(database: str, *, allowed: bool) -> None:
    """Let the test database accept connections or not; refusing also cuts those it has."""
    url = database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {"true" if allowed else "false"}'
        )
        if not allowed:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [database],
            )


def test_a_database_outage_mid_batch_repeats_nothing(workers: Workers, smtp: SmtpServer) -> None:
    start_two(workers, smtp)
    expected = due_messages(MESSAGES, "pg")
    database = str(connection.settings_dict["NAME"])
    with Beat():
        wait_for(lambda: smtp.count() >= FAULT_AFTER, timeout=60, what="the batch to start")
        set_connections(database, allowed=False)
        try:
            at_outage = smtp.count()
            time.sleep(OUTAGE_SECONDS)
            during = smtp.count() - at_outage
        finally:
            set_connections(database, allowed=True)
        back_at = time.monotonic()
        connections.close_all()  # the test's own connection was cut too
        wait_all_done(workers, smtp, expected)
    result = outcome(smtp, expected, back_at)
    report(f"PostgreSQL down {OUTAGE_SECONDS} s: {result}; {during} arrived during the outage")
    assert (result.delivered, result.repeated, result.lost, result.not_sent) == (MESSAGES, 0, 0, 0)
    assert during <= 2 * CONCURRENCY  # nothing is sent unrecorded but what was in flight
    assert result.last_after_fault <= DEADLINE_SECONDS
    assert "outcomes of run:" in "".join(workers.logs())  # kept, then written


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def test_a_redis_outage_mid_batch_repeats_nothing(
    workers: Workers,
    smtp: SmtpServer,
    private_redis: PrivateRedis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # This process publishes (beat) to the private Redis too; its pools are made afresh.
    monkeypatch.setattr(celery_app.conf, "broker_url", private_redis.url)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    start_two(workers, smtp, REDIS_URL=private_redis.url)
    expected = due_messages(MESSAGES, "redis")
    with Beat():
        wait_for(lambda: smtp.count() >= FAULT_AFTER, timeout=60, what="the batch to start")
        private_redis.stop()
        time.sleep(OUTAGE_SECONDS)
        private_redis.start()
        back_at = time.monotonic()
        wait_all_done(workers, smtp, expected)
    result = outcome(smtp, expected, back_at)
    report(f"Redis down {OUTAGE_SECONDS} s: {result}")
    assert (result.delivered, result.repeated, result.lost, result.not_sent) == (MESSAGES, 0, 0, 0)
    assert result.last_after_fault <= DEADLINE_SECONDS


def test_a_login_link_overtakes_a_backlog_of_10000_reminders(
    workers: Workers, smtp: SmtpServer
) -> None:
    start_two(workers, smtp)
    backlog = due_messages(10_000, "backlog")
    person = make_user(email="in-a-hurry@example.org")
    celery_app.send_task(SWEEP_TASK)
    wait_for(lambda: smtp.count() >= 200, timeout=60, what="the backlog to be under way")
    requested_at = time.monotonic()
    assert send_magic_link(email=person.email) is True

    def arrived() -> bool:
        return any(item.to == person.email for item in smtp.received())

    wait_for(arrived, timeout=30, what="the login link")
    waited = next(i.at for i in smtp.received() if i.to == person.email) - requested_at
    still_queued = len(backlog) - smtp.count() + 1
    report(f"login link after {waited:.2f} s, with {still_queued} reminders not yet sent")
    assert waited < 10
    assert still_queued > 5000  # it did not wait for the backlog
    assert Message.objects.get(recipient=person).urgent is True
