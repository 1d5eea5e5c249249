"""Faults in process: the database failing under a batch, a task retried after one, leases,
the journal, stable Message-IDs and the urgent queue. (With real processes and real
outages: test_fault_injection.py.)"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError
from django.utils import timezone

from notifications.models import Message, Status
from notifications.services import (
    deliver_messages,
    enqueue_message,
    leases,
    outcomes,
    reclaim_stale_messages,
    replay_journal,
    resend_message,
    reserve_due_messages,
    sweep_outbox,
    take_messages,
    unreachable,
)
from notifications.services.leases import Lease
from notifications.services.outcomes import SENT, Outcome, write_outcomes
from notifications.services.sending import STOPPED
from notifications.services.transport import message_id
from tests.factories import make_user, make_users
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.outbox import Published

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 7, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _broker(published: Published) -> None:
    """No test here reaches a real broker."""


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff waits are recorded, not slept."""
    waits: list[float] = []
    monkeypatch.setattr("time.sleep", waits.append)
    return waits


def queue(count: int, *, urgent: bool = False, prefix: str = "k") -> list[Message]:
    messages = []
    for user in make_users(count):
        message = enqueue_message(
            recipient=user,
            kind="test.message",
            dedupe_key=f"{prefix}:{user.pk}",
            context=SAMPLE_CONTEXTS["test.message"],
            urgent=urgent,
        )
        assert message is not None
        messages.append(message)
    return messages


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The faults here are simulated: the test's own connection (inside its transaction)
    stays open, where a worker would drop its broken one."""
    monkeypatch.setattr(outcomes, "drop_connection", lambda: None)
    monkeypatch.setattr(leases, "drop_connection", lambda: None)


class FlakyWrites:
    """write_outcomes failing as if the database were down for its first ``failures`` calls."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.written: list[list[int]] = []

    def __call__(self, items: Any, *, relaxed: bool = False) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise OperationalError("server closed the connection unexpectedly")
        self.written.append([outcome.message_id for outcome in items])
        return write_outcomes(items, relaxed=relaxed)


def test_a_sent_outcome_is_kept_while_the_database_is_down_and_nothing_more_is_sent(
    monkeypatch: pytest.MonkeyPatch, no_sleep: list[float]
) -> None:
    first, second = queue(2)
    flaky = FlakyWrites(failures=4)
    monkeypatch.setattr(outcomes, "write_outcomes", flaky)
    sends: list[tuple[str, int]] = []
    original = EmailBackend.send_messages

    def send_messages(self: EmailBackend, emails: list[Any]) -> int:
        sends.append((emails[0].to[0], len(flaky.written)))
        return original(self, emails)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    results = deliver_messages(message_ids=[first.pk, second.pk])
    assert results == {first.pk: "sent", second.pk: "sent"}
    # The second e-mail went only once the first one's outcome was written.
    assert sends == [(first.recipient.email, 0), (second.recipient.email, 1)]
    assert flaky.written == [[first.pk], [second.pk]]
    assert no_sleep == [0.1, 0.2, 0.4, 0.8]  # backoff, up to the 1 s ceiling
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
    assert len(mail.outbox) == 2


def test_a_task_retried_after_a_database_error_resumes_its_own_claim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages = queue(3)
    reservation, ids = reserve_due_messages(limit=10)
    claim = "run:7c1d5a4e-task"
    # The first try claimed the rows, then the database failed before anything was sent.
    taken, _claim = take_messages(message_ids=ids, reservation=reservation, claim=claim)
    assert len(taken) == 3
    # The retry (same task id, same claim) finds them its own, not "taken by someone else".
    results = deliver_messages(message_ids=ids, reservation=reservation, claim=claim)
    assert results == {m.pk: "sent" for m in messages}
    assert set(Message.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
    # Another task (another claim) with the same reservation gets nothing.
    assert deliver_messages(message_ids=ids, reservation=reservation, claim="run:other") == {
        m.pk: "skipped" for m in messages
    }
    assert len(mail.outbox) == 3


def test_a_sent_outcome_is_recorded_after_the_lease_expired_unless_another_run_took_it(
    settings: Any,
) -> None:
    settings.NOTIFICATIONS_LEASE_SECONDS = 30
    kept, taken_again = queue(2)
    with time_machine.travel(NOW, tick=False) as clock:
        _rows, claim = take_messages(message_ids=[kept.pk, taken_again.pk])
        clock.move_to(NOW + timedelta(seconds=31))
        assert reclaim_stale_messages() == 2
        other, _other_claim = take_messages(message_ids=[taken_again.pk])
        assert [m.pk for m in other] == [taken_again.pk]
        late = [Outcome(pk, claim, SENT, NOW) for pk in (kept.pk, taken_again.pk)]
        assert write_outcomes(late) == 1
    kept.refresh_from_db()
    taken_again.refresh_from_db()
    assert (kept.status, kept.sent_at) == (Status.SENT, NOW)
    assert taken_again.status == Status.SENDING  # the other run sends it and records it


def test_the_sweep_leaves_alone_an_expired_lease_whose_worker_is_alive_in_the_cache(
    settings: Any,
) -> None:
    settings.NOTIFICATIONS_LEASE_SECONDS = 30
    message = queue(1)[0]
    with time_machine.travel(NOW, tick=False) as clock:
        _rows, claim = take_messages(message_ids=[message.pk])
        clock.move_to(NOW + timedelta(seconds=45))
        cache.set(f"notifications:lease:{claim}", 1, timeout=30)
        assert reclaim_stale_messages() == 0
        cache.delete(f"notifications:lease:{claim}")
        assert reclaim_stale_messages() == 1


def test_a_lease_that_cannot_be_renewed_marks_its_claim_alive_in_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = queue(1)[0]
    _rows, claim = take_messages(message_ids=[message.pk])
    lease = Lease(claim, [message.pk])
    assert lease.renew() is True
    assert lease.held == {message.pk}
    assert cache.get(f"notifications:lease:{claim}") is None

    class Down:
        def filter(self, *args: Any, **kwargs: Any) -> Any:
            raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(Message, "objects", Down())
    assert lease.renew() is False
    assert cache.get(f"notifications:lease:{claim}") == 1


def test_a_row_taken_back_while_the_lease_lapsed_is_not_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, stolen = queue(2)
    stale = iter([True, False, True])  # the lease lapses before the second message

    def fresh(self: Lease) -> bool:
        if next(stale):
            return True
        Message.objects.filter(pk=stolen.pk).update(claimed_by="run:other")
        return False

    monkeypatch.setattr(Lease, "fresh", fresh)
    results = deliver_messages(message_ids=[first.pk, stolen.pk])
    assert results == {first.pk: "sent", stolen.pk: "skipped"}
    assert [email.to[0] for email in mail.outbox] == [first.recipient.email]


def test_a_task_stopped_while_the_database_is_down_journals_then_replays(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.NOTIFICATIONS_JOURNAL_DIR = str(tmp_path / "journal")
    first, second = queue(2)
    monkeypatch.setattr(outcomes, "write_outcomes", FlakyWrites(failures=10_000))

    def time_is_up(delay: float) -> None:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("time.sleep", time_is_up)
    results = deliver_messages(message_ids=[first.pk, second.pk])
    assert results == {first.pk: "sent", second.pk: "retry"}
    assert len(mail.outbox) == 1
    files = list((tmp_path / "journal").glob("*.json"))
    assert len(files) == 1
    assert [(row["message_id"], row["result"]) for row in json.loads(files[0].read_text())] == [
        (first.pk, "sent"),
        (second.pk, "retry"),
    ]
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENDING}

    monkeypatch.undo()  # the database is back; the next task on this host replays
    settings.NOTIFICATIONS_JOURNAL_DIR = str(tmp_path / "journal")
    assert replay_journal() == 2
    assert list((tmp_path / "journal").glob("*.json")) == []
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.SENT
    assert (second.status, second.last_error) == (Status.PENDING, STOPPED)
    assert replay_journal() == 0


def test_a_worker_asked_to_stop_while_the_database_is_down_journals(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_sleep: list[float]
) -> None:
    settings.NOTIFICATIONS_JOURNAL_DIR = str(tmp_path)
    message = queue(1)[0]
    monkeypatch.setattr(outcomes, "write_outcomes", FlakyWrites(failures=10_000))
    monkeypatch.setattr(unreachable, "stopping", threading.Event())
    no_sleep_then_stop = no_sleep.append

    def wait(delay: float) -> None:
        no_sleep_then_stop(delay)
        unreachable.stopping.set()  # celery's worker_shutting_down, meanwhile

    monkeypatch.setattr("time.sleep", wait)
    assert deliver_messages(message_ids=[message.pk]) == {message.pk: "sent"}
    assert len(list(tmp_path.glob("*.json"))) == 1


def test_every_attempt_of_a_row_carries_the_same_message_id(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    attempts: list[str] = []
    original = EmailBackend.send_messages

    def refuse_once(self: EmailBackend, emails: list[Any]) -> int:
        attempts.append(emails[0].message()["Message-ID"])
        if len(attempts) == 1:
            raise ConnectionResetError("421 try again later")
        return original(self, emails)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_once)
    with time_machine.travel(NOW, tick=False) as clock:
        message = queue(1)[0]
        assert deliver_messages(message_ids=[message.pk]) == {message.pk: "retry"}
        clock.move_to(NOW + timedelta(minutes=1))
        assert deliver_messages(message_ids=[message.pk]) == {message.pk: "sent"}
    message.refresh_from_db()
    assert message.attempts == 2
    assert attempts == [message_id(message)] * 2
    assert attempts[0].startswith(f"<outbox.{message.pk}.0.")
    # A coordinator's resend is a new e-mail, with a new Message-ID.
    resend_message(message_id=message.pk)
    assert deliver_messages(message_ids=[message.pk]) == {message.pk: "sent"}
    assert attempts[2] == attempts[0].replace(f".{message.pk}.0.", f".{message.pk}.1.")


class TestUrgent:
    def test_an_urgent_message_is_published_to_its_own_queue(
        self, published: Published, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            queue(1, urgent=True, prefix="u")
            queue(1, prefix="r")
        assert published.queues == ["urgent", "celery"]

    def test_the_sweep_hands_out_urgent_rows_first_and_beyond_the_in_flight_cap(
        self, published: Published, settings: Any
    ) -> None:
        settings.NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT = 2
        reminders = queue(3, prefix="r")
        login = enqueue_message(
            recipient=make_user(),
            kind="accounts.magic_link",
            dedupe_key="login:1",
            context=SAMPLE_CONTEXTS["accounts.magic_link"],
            essential=True,
            urgent=True,
        )
        assert login is not None
        Message.objects.update(status=Status.PENDING, scheduled_for=timezone.now())  # all due
        published.clear()
        result = sweep_outbox()
        # The login link goes whatever is in flight; it counts, so one reminder fits.
        assert (result.enqueued, result.more) == (2, True)
        assert published.tasks[0] == ([login.pk], published.tasks[0][1])
        assert published.queues == ["urgent", "celery"]
        assert len(published.tasks[1][0]) == 1
        assert published.tasks[1][0][0] in {m.pk for m in reminders}
