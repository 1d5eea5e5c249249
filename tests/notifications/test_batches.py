"""Sending in batches: one task, one claim and one finish for many messages, each message's
failure its own, and still exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Message, Status
from notifications.services import (
    deliver_messages,
    enqueue_message,
    rendering,
    reserve_due_messages,
    sweep_outbox,
    take_messages,
)
from notifications.services.hooks import register_refresher
from notifications.services.rendering import Rendered
from notifications.services.sending import STOPPED
from notifications.tasks import send_message, send_messages
from tests.factories import make_users
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.outbox import Published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _broker(published: Published) -> None:
    """No test here reaches a real broker."""


def queue(count: int, prefix: str = "k") -> list[Message]:
    messages = []
    for user in make_users(count):
        message = enqueue_message(
            recipient=user,
            kind="test.message",
            dedupe_key=f"{prefix}:{user.pk}",
            context=SAMPLE_CONTEXTS["test.message"],
        )
        assert message is not None
        messages.append(message)
    return messages


def statuses() -> dict[int, str]:
    return dict(Message.objects.values_list("pk", "status"))


def test_a_batch_sends_each_message_once_in_a_few_queries() -> None:
    def batch_queries(count: int) -> int:
        Message.objects.all().delete()
        mail.outbox.clear()
        ids = [message.pk for message in queue(count, prefix=f"n{count}")]
        with CaptureQueriesContext(connection) as queries:
            results = deliver_messages(message_ids=ids)
        assert results == dict.fromkeys(ids, "sent")
        assert len(mail.outbox) == count
        assert sorted(email.to[0] for email in mail.outbox) == sorted(
            Message.objects.filter(pk__in=ids).values_list("recipient__email", flat=True)
        )
        assert set(statuses().values()) == {Status.SENT}
        return len(queries)

    small = batch_queries(3)
    # The claim, the rows, the preferences, synchronous_commit off for the batch (SET and
    # RESET), then one UPDATE per message right after its send, committed on its own (so a
    # crash repeats at most the message in flight). Nothing else grows with the batch.
    # SQLite (development) has no synchronous_commit: each outcome is its own transaction,
    # here a savepoint around the UPDATE.
    if connection.vendor == "postgresql":
        per_message, per_batch = 1, 5 + 2
    else:
        per_message, per_batch = 3, 5
    assert batch_queries(60) - small == 57 * per_message
    assert small == per_batch + 3 * per_message


@pytest.mark.postgres
def test_a_batch_gives_the_session_its_commit_setting_back() -> None:
    ids = [message.pk for message in queue(2)]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        before = cursor.fetchone()[0]
        with CaptureQueriesContext(connection) as queries:
            assert deliver_messages(message_ids=ids) == dict.fromkeys(ids, "sent")
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == before
    sql = [query["sql"] for query in queries]
    assert sql.count("SET synchronous_commit TO OFF") == 1
    assert sql[-1] == "RESET synchronous_commit"
    assert not any("SET LOCAL" in statement for statement in sql)


def test_a_batch_delivered_twice_sends_once() -> None:
    messages = queue(4)
    reservation, ids = reserve_due_messages(limit=10)
    assert sorted(ids) == sorted(m.pk for m in messages)
    assert set(deliver_messages(message_ids=ids, reservation=reservation).values()) == {"sent"}
    again = deliver_messages(message_ids=ids, reservation=reservation)
    assert again == dict.fromkeys(ids, "skipped")
    assert len(mail.outbox) == 4


def test_overlapping_batches_send_each_message_once() -> None:
    a, b, c = (m.pk for m in queue(3))
    assert deliver_messages(message_ids=[a, b]) == {a: "sent", b: "sent"}
    assert deliver_messages(message_ids=[b, c, c]) == {b: "skipped", c: "sent"}
    assert len(mail.outbox) == 3


def test_the_claim_restarts_the_claim_clock_and_counts_the_attempt() -> None:
    messages = queue(2)
    reservation, ids = reserve_due_messages(limit=10)
    Message.objects.update(claimed_at="2000-01-01T00:00:00Z")
    taken, claim = take_messages(message_ids=ids, reservation=reservation)
    assert [m.pk for m in taken] == ids
    assert claim.startswith("run:")
    for row in Message.objects.filter(pk__in=[m.pk for m in messages]):
        assert (row.status, row.claimed_by, row.attempts) == (Status.SENDING, claim, 1)
        assert row.claimed_at is not None and row.claimed_at.year > 2000


def test_one_render_error_retries_that_message_only(monkeypatch: pytest.MonkeyPatch) -> None:
    first, broken, last = queue(3)
    original = rendering.Renderer.render

    def render(self: rendering.Renderer, message: Message, preference: Any) -> Rendered:
        if message.pk == broken.pk:
            raise ValueError("bad context")
        return original(self, message, preference)

    monkeypatch.setattr(rendering.Renderer, "render", render)
    results = deliver_messages(message_ids=[first.pk, broken.pk, last.pk])
    assert results == {first.pk: "sent", broken.pk: "retry", last.pk: "sent"}
    broken.refresh_from_db()
    assert (broken.status, broken.last_error, broken.claimed_by) == (
        Status.PENDING,
        "ValueError: bad context",
        "",
    )
    assert len(mail.outbox) == 2


def test_one_send_error_retries_that_message_only(monkeypatch: pytest.MonkeyPatch) -> None:
    first, refused, last = queue(3)
    original = EmailBackend.send_messages

    def send_messages(self: EmailBackend, messages: list[Any]) -> int:
        if messages[0].to == [refused.recipient.email]:
            raise ConnectionResetError("550 mailbox unavailable")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    results = deliver_messages(message_ids=[first.pk, refused.pk, last.pk])
    assert results == {first.pk: "sent", refused.pk: "retry", last.pk: "sent"}
    refused.refresh_from_db()
    assert refused.status == Status.PENDING
    assert refused.last_error == "ConnectionResetError: 550 mailbox unavailable"
    assert refused.scheduled_for > first.scheduled_for
    assert statuses()[first.pk] == statuses()[last.pk] == Status.SENT
    assert len(mail.outbox) == 2


def test_outcomes_with_different_reasons_are_written_per_row(settings: Any) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 5
    messages = queue(4)
    reasons = {m.pk: f"gone {i}" for i, m in enumerate(messages[:3])}

    def refresher(message: Message) -> dict[str, Any] | str:
        return reasons.get(message.pk) or dict(message.context)

    register_refresher("test.message", refresher)
    results = deliver_messages(message_ids=[m.pk for m in messages])
    assert list(results.values()) == ["cancelled", "cancelled", "cancelled", "sent"]
    rows = {row.pk: row for row in Message.objects.all()}
    for pk, reason in reasons.items():
        assert (rows[pk].status, rows[pk].last_error) == (Status.CANCELLED, reason)


def test_a_row_whose_claim_was_lost_is_not_marked() -> None:
    kept, lost = queue(2)

    def refresher(message: Message) -> dict[str, Any]:
        # Meanwhile the sweep took ``lost`` back and another worker claimed it.
        if message.pk == lost.pk:
            Message.objects.filter(pk=lost.pk).update(claimed_by="run:other")
        return dict(message.context)

    register_refresher("test.message", refresher)
    deliver_messages(message_ids=[kept.pk, lost.pk])
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.status == Status.SENT
    assert (lost.status, lost.claimed_by, lost.sent_at) == (Status.SENDING, "run:other", None)


def test_the_soft_time_limit_puts_back_what_was_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, third = queue(3)
    original = EmailBackend.send_messages

    def send_messages(self: EmailBackend, messages: list[Any]) -> int:
        if messages[0].to == [second.recipient.email]:
            raise SoftTimeLimitExceeded()
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    results = deliver_messages(message_ids=[first.pk, second.pk, third.pk])
    assert results == {first.pk: "sent", second.pk: "retry", third.pk: "retry"}
    rows = {row.pk: row for row in Message.objects.all()}
    assert rows[first.pk].status == Status.SENT
    for pk in (second.pk, third.pk):
        assert (rows[pk].status, rows[pk].last_error) == (Status.PENDING, STOPPED)
    assert len(mail.outbox) == 1


def test_each_message_is_recorded_as_sent_before_the_next_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker killed in the middle of a batch repeats at most the message in flight."""
    messages = queue(3)
    seen: list[list[str]] = []
    original = EmailBackend.send_messages

    def send_messages(self: EmailBackend, emails: list[Any]) -> int:
        seen.append([Message.objects.get(pk=m.pk).status for m in messages])
        return original(self, emails)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    deliver_messages(message_ids=[m.pk for m in messages])
    assert seen == [
        [Status.SENDING, Status.SENDING, Status.SENDING],
        [Status.SENT, Status.SENDING, Status.SENDING],
        [Status.SENT, Status.SENT, Status.SENDING],
    ]
    assert set(statuses().values()) == {Status.SENT}


def test_the_e_mails_of_a_batch_share_one_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[EmailBackend] = []
    original = EmailBackend.open

    def open_connection(self: EmailBackend) -> bool:
        opened.append(self)
        return bool(original(self))

    monkeypatch.setattr(EmailBackend, "open", open_connection)
    deliver_messages(message_ids=[m.pk for m in queue(5)])
    assert len(mail.outbox) == 5
    assert len(opened) == 1


class TestRefreshHook:
    def test_a_batch_refresher_answers_for_all_its_messages_at_once(self) -> None:
        messages = queue(3)
        calls: list[list[int]] = []

        def many(batch: Any) -> dict[int, dict[str, Any] | str]:
            calls.append([m.pk for m in batch])
            return {m.pk: {**m.context, "body": "fresh"} for m in batch}

        register_refresher("test.message", lambda message: "one by one", many=many)
        ids = [m.pk for m in messages]
        assert set(deliver_messages(message_ids=ids).values()) == {"sent"}
        assert calls == [ids]
        assert all("fresh" in email.body for email in mail.outbox)

    def test_a_message_the_batch_refresher_leaves_out_is_refreshed_on_its_own(self) -> None:
        first, second = queue(2)
        register_refresher(
            "test.message",
            lambda message: "checked on its own",
            many=lambda batch: {first.pk: dict(first.context)},
        )
        results = deliver_messages(message_ids=[first.pk, second.pk])
        assert results == {first.pk: "sent", second.pk: "cancelled"}
        second.refresh_from_db()
        assert second.last_error == "checked on its own"

    def test_a_failing_batch_refresher_retries_its_kind_only(self) -> None:
        plain = queue(1)[0]
        user = make_users(1)[0]
        digest = enqueue_message(
            recipient=user,
            kind="coordinator.digest",
            dedupe_key="digest:1",
            context=SAMPLE_CONTEXTS["coordinator.digest"],
        )
        assert digest is not None

        def broken(batch: Any) -> dict[int, str]:
            raise RuntimeError("database hiccup")

        register_refresher("coordinator.digest", lambda message: "unused", many=broken)
        results = deliver_messages(message_ids=[plain.pk, digest.pk])
        assert results == {plain.pk: "sent", digest.pk: "retry"}
        digest.refresh_from_db()
        assert digest.last_error == "RuntimeError: database hiccup"


class TestTasks:
    def test_the_sweep_hands_out_one_task_per_batch_of_ids(
        self, published: Published, settings: Any
    ) -> None:
        settings.NOTIFICATIONS_TASK_BATCH_SIZE = 4
        messages = queue(10)
        assert sweep_outbox(batch_size=100).enqueued == 10
        assert [len(ids) for ids, _reservation in published.tasks] == [4, 4, 2]
        assert published.ids() == [m.pk for m in messages]
        for ids, reservation in published.tasks:
            assert send_messages(ids, reservation) == {
                "sent": len(ids),
                "skipped": 0,
                "cancelled": 0,
                "retry": 0,
                "failed": 0,
            }
        assert len(mail.outbox) == 10

    def test_the_one_message_task_of_before_still_works(self, published: Published) -> None:
        message = queue(1)[0]
        _reservation, ids = reserve_due_messages(limit=10)
        assert send_message(message.pk, _reservation) == "sent"
        assert send_message(message.pk, _reservation) == "skipped"
        assert ids == [message.pk]
        assert len(mail.outbox) == 1

    def test_the_sweep_keeps_at_most_the_in_flight_limit_handed_out(
        self, published: Published, settings: Any
    ) -> None:
        settings.NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT = 5
        queue(8)
        assert sweep_outbox(batch_size=3).enqueued == 5
        assert sweep_outbox(batch_size=3).enqueued == 0  # nothing sent yet: no room
        for ids, reservation in published.tasks[:1]:
            deliver_messages(message_ids=ids, reservation=reservation)
        assert sweep_outbox(batch_size=3).enqueued == 3
        assert Message.objects.filter(status=Status.SENDING).count() == 5
