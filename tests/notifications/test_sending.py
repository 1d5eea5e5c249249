"""Sending one message, retrying, and the sweep (in process, with Django's test mailbox)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Message, NotificationPreference, Status
from notifications.services import (
    deliver_message,
    dispatch,
    enqueue_message,
    reclaim_stale_messages,
    reserve_due_messages,
    sweep_outbox,
    take_message,
    update_preferences,
)
from notifications.services.sending import deliver_messages
from tests.factories import make_user, make_users
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.outbox import Published

NOW = datetime(2031, 7, 15, 12, 0, tzinfo=UTC)


def enqueue(user, key: str, **kwargs) -> Message:
    kwargs.setdefault("kind", "test.message")
    kwargs.setdefault("context", SAMPLE_CONTEXTS["test.message"])
    message = enqueue_message(recipient=user, dedupe_key=key, **kwargs)
    assert message is not None
    return message


@pytest.fixture(autouse=True)
def _broker(published: Published) -> None:
    """No test here reaches a real broker."""


@pytest.mark.django_db
class TestDeliver:
    def test_sends_the_email_and_marks_the_row_sent(self) -> None:
        user = make_user(email="ana@example.org", first_name="Ana")
        pdf = base64.b64encode(b"%PDF-1.4 receipt").decode()
        message = enqueue(
            user,
            "k:1",
            kind="donation.receipt",
            context=SAMPLE_CONTEXTS["donation.receipt"],
            essential=True,
            attachments=[
                {
                    "filename": "receipt.pdf",
                    "content_type": "application/pdf",
                    "content": pdf,
                    "encoding": "base64",
                },
                {"filename": "note.txt", "content_type": "text/plain", "content": "hi"},
            ],
        )
        assert deliver_message(message_id=message.pk) == "sent"
        message.refresh_from_db()
        assert message.status == Status.SENT
        assert message.attempts == 1
        assert message.sent_at is not None
        assert message.claimed_by.startswith("run:")
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert isinstance(email, EmailMultiAlternatives)
        assert email.to == ["ana@example.org"]
        assert email.subject == "[Hope Line] Your receipt 2031-000042"
        assert "Thank you for your gift of $100.00 received on Jul 1, 2031." in email.body
        assert email.alternatives[0][1] == "text/html"
        assert email.attachments == [
            ("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf"),
            ("note.txt", "hi", "text/plain"),
        ]
        # Essential: no unsubscribe header.
        assert "List-Unsubscribe" not in email.extra_headers

    def test_non_essential_email_has_one_click_unsubscribe_headers(self) -> None:
        user = make_user()
        message = enqueue(user, "k:1")
        deliver_message(message_id=message.pk)
        token = NotificationPreference.objects.get(user=user).unsubscribe_token
        headers = mail.outbox[0].extra_headers
        key = hashlib.sha256(b"k:1").hexdigest()
        assert headers == {
            "Message-ID": f"<outbox.{message.pk}.0.{key[:16]}@example.org>",
            "X-Outbox-Key": key[:32],
            "List-Unsubscribe": f"<http://127.0.0.1:8000/notifications/unsubscribe/{token}/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    def test_a_second_delivery_of_the_same_task_sends_nothing(self) -> None:
        message = enqueue(make_user(), "k:1")
        assert deliver_message(message_id=message.pk) == "sent"
        assert deliver_message(message_id=message.pk) == "skipped"
        assert len(mail.outbox) == 1

    def test_a_message_not_yet_due_is_not_taken_without_a_reservation(self) -> None:
        message = enqueue(make_user(), "k:1", scheduled_for=timezone.now() + timedelta(minutes=1))
        assert deliver_message(message_id=message.pk) == "skipped"
        assert Message.objects.get().status == Status.PENDING
        assert mail.outbox == []

    def test_a_task_whose_reservation_was_taken_back_sends_nothing(self) -> None:
        enqueue(make_user(), "k:1")
        old, ids = reserve_due_messages(limit=10)
        Message.objects.update(status=Status.PENDING, claimed_by="")  # reclaimed
        new, ids_again = reserve_due_messages(limit=10)
        assert ids == ids_again
        assert deliver_message(message_id=ids[0], reservation=old) == "skipped"
        assert deliver_message(message_id=ids[0], reservation=new) == "sent"
        assert len(mail.outbox) == 1

    def test_opting_out_after_enqueueing_cancels_at_send_time(self) -> None:
        user = make_user()
        message = enqueue(user, "k:1")
        update_preferences(
            user=user, email_enabled=True, sms_enabled=False, non_essential_opt_out=True
        )
        assert deliver_message(message_id=message.pk) == "cancelled"
        assert Message.objects.get().status == Status.CANCELLED
        assert mail.outbox == []

    def test_sms_goes_through_the_configured_backend(self, sms_outbox: list[Any]) -> None:
        user = make_user(phone="+12025550123")
        update_preferences(
            user=user, email_enabled=False, sms_enabled=True, non_essential_opt_out=False
        )
        message = enqueue(
            user, "r:1", kind="shift.reminder", context=SAMPLE_CONTEXTS["shift.reminder"]
        )
        assert message.channel == "sms"
        assert deliver_message(message_id=message.pk) == "sent"
        assert [(sms.to, sms.body[:31]) for sms in sms_outbox] == [
            ("+12025550123", "Hope Line: Crisis text line, ev")
        ]
        assert mail.outbox == []

    def test_a_missing_template_fails_at_once(self, settings: Any) -> None:
        settings.NOTIFICATIONS_STRICT_KINDS = False  # as in production: queued, then failed
        message = enqueue(make_user(), "k:1", kind="no.such_kind")
        assert deliver_message(message_id=message.pk) == "failed"
        message.refresh_from_db()
        assert message.status == Status.FAILED
        assert message.last_error == "Missing template: notifications/no.such_kind/subject.txt"

    def test_a_send_error_is_retried_with_exponential_backoff_then_fails(
        self, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
        settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60

        def refuse(self: Any, messages: list[Any]) -> int:
            raise ConnectionRefusedError("SMTP server down")

        monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
        with time_machine.travel(NOW, tick=False) as clock:
            message = enqueue(make_user(), "k:1")
            delays = []
            for _ in range(2):
                assert deliver_message(message_id=message.pk) == "retry"
                message.refresh_from_db()
                assert message.status == Status.PENDING
                assert message.last_error == "ConnectionRefusedError: SMTP server down"
                delays.append(message.scheduled_for - timezone.now())
                # Not due yet: nothing happens.
                assert deliver_message(message_id=message.pk) == "skipped"
                clock.move_to(message.scheduled_for)
            assert delays == [timedelta(minutes=1), timedelta(minutes=2)]
            assert deliver_message(message_id=message.pk) == "failed"
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.FAILED, 3)


@pytest.mark.django_db
class TestSweep:
    def test_reserves_due_rows_oldest_first_and_enqueues_them(self, published: Published) -> None:
        users = make_users(4)
        with time_machine.travel(NOW, tick=False):
            late = enqueue(users[0], "a", scheduled_for=NOW - timedelta(minutes=1))
            early = enqueue(users[1], "b", scheduled_for=NOW - timedelta(minutes=9))
            enqueue(users[2], "c", scheduled_for=NOW + timedelta(seconds=1))
            result = sweep_outbox()
        assert (result.enqueued, result.reclaimed, result.released) == (2, 0, 0)
        assert published.ids() == [early.pk, late.pk]
        reservation = published[0][1]
        assert reservation.startswith("sweep:")
        assert set(
            Message.objects.filter(status=Status.SENDING).values_list("claimed_by", flat=True)
        ) == {reservation}
        # A second sweep finds nothing more to do.
        with time_machine.travel(NOW, tick=False):
            assert sweep_outbox().enqueued == 0
        assert len(published) == 2
        for message_id, reservation in published:
            assert deliver_message(message_id=message_id, reservation=reservation) == "sent"
        assert len(mail.outbox) == 2

    def test_works_through_several_batches(self, published: Published) -> None:
        for user in make_users(7):
            enqueue(user, f"k:{user.pk}")
        result = sweep_outbox(batch_size=3)
        assert result.enqueued == 7
        assert len({reservation for _id, reservation in published}) == 3

    def test_a_sweep_that_stops_at_its_limits_says_there_is_more(
        self, published: Published, settings: Any
    ) -> None:
        settings.NOTIFICATIONS_SWEEP_MAX_BATCHES = 2
        for user in make_users(7):
            enqueue(user, f"k:{user.pk}")
        first = sweep_outbox(batch_size=3)
        assert (first.enqueued, first.more) == (6, True)  # two full batches, one row left
        last = sweep_outbox(batch_size=3)
        assert (last.enqueued, last.more) == (1, False)
        # At the in-flight cap (7 rows sending) a sweep hands out nothing and says so.
        settings.NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT = 7
        enqueue(make_user(), "k:late")
        capped = sweep_outbox(batch_size=3)
        assert (capped.enqueued, capped.more) == (0, True)
        assert Message.objects.filter(status=Status.PENDING).count() == 1

    def test_a_backlog_gets_one_follow_up_sweep_at_a_time(
        self, published: Published, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from django.core.cache import cache

        from notifications import tasks

        settings.NOTIFICATIONS_SWEEP_MAX_BATCHES = 1
        settings.NOTIFICATIONS_SWEEP_BATCH_SIZE = 2
        settings.NOTIFICATIONS_SWEEP_FOLLOW_UP_SECONDS = 5
        cache.delete(tasks.FOLLOW_UP_KEY)
        scheduled: list[dict[str, Any]] = []
        monkeypatch.setattr(
            tasks.sweep_outbox_task, "apply_async", lambda **options: scheduled.append(options)
        )
        for user in make_users(5):
            enqueue(user, f"k:{user.pk}")
        assert tasks.sweep_outbox_task()["more"] is True  # beat's sweep: 2 of 5
        assert tasks.sweep_outbox_task()["enqueued"] == 2  # beat again, meanwhile
        follow_up = {"kwargs": {"follow_up": True}, "countdown": 5, "retry": False}
        assert scheduled == [follow_up]  # one follow-up, not one per sweep
        assert tasks.sweep_outbox_task(follow_up=True) == {
            "reclaimed": 0,
            "enqueued": 1,
            "released": 0,
            "more": False,
        }
        assert scheduled == [follow_up]  # the backlog is handed out: no more follow-ups
        assert len(published) == 5

    def test_broker_down_releases_the_reservations(self, published: Published) -> None:
        for user in make_users(3):
            enqueue(user, f"k:{user.pk}")
        published.broken = True
        result = sweep_outbox()
        assert (result.enqueued, result.released) == (0, 3)
        assert set(Message.objects.values_list("status", "claimed_by")) == {("pending", "")}
        published.broken = False
        assert sweep_outbox().enqueued == 3

    def test_expired_leases_and_old_reservations_are_taken_back(
        self, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Tasks wait in the broker's queue: a reservation waits its whole timeout.
        monkeypatch.setattr(dispatch, "waiting_tasks", lambda: 4)
        settings.NOTIFICATIONS_LEASE_SECONDS = 30
        settings.NOTIFICATIONS_RESERVATION_TIMEOUT = 300
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
        users = make_users(3)
        with time_machine.travel(NOW, tick=False) as clock:
            once = enqueue(users[0], "once")
            twice = enqueue(users[1], "twice")
            reserved = enqueue(users[2], "reserved")
            Message.objects.filter(pk=twice.pk).update(attempts=1)
            once_claim = take_message(message_id=once.pk)
            assert once_claim is not None
            assert take_message(message_id=twice.pk) is not None  # attempts now 2: the limit
            reservation, _ids = reserve_due_messages(limit=10)
            clock.move_to(NOW + timedelta(seconds=29))
            assert reclaim_stale_messages() == 0
            clock.move_to(NOW + timedelta(seconds=31))
            assert reclaim_stale_messages() == 2  # the runs' leases, not the reservation
            clock.move_to(NOW + timedelta(seconds=301))
            assert reclaim_stale_messages() == 1
        once.refresh_from_db()
        twice.refresh_from_db()
        reserved.refresh_from_db()
        # The row keeps its last claim's name: that run may still record it as sent.
        assert (once.status, once.claimed_by, once.attempts) == (
            Status.PENDING,
            once_claim[1],
            1,
        )
        assert (twice.status, twice.attempts) == (Status.FAILED, 2)
        assert twice.last_error.startswith("The worker sending it stopped")
        assert (reserved.status, reserved.claimed_by) == (Status.PENDING, reservation)

    @pytest.mark.parametrize(("waiting", "taken_back_after_the_lease"), [(0, 1), (2, 0), (None, 0)])
    def test_a_reservation_whose_task_is_not_in_the_queue_is_taken_back_after_the_lease(
        self,
        settings: Any,
        monkeypatch: pytest.MonkeyPatch,
        waiting: int | None,
        taken_back_after_the_lease: int,
    ) -> None:
        """No task waits in the broker (the one of this reservation was lost as the broker
        stopped): its rows go out again after the lease, not after the reservation timeout;
        the lost task, should it turn up, sends nothing. While tasks wait, or the broker
        cannot say, the reservation waits its timeout."""
        asked: list[int | None] = []

        def waiting_tasks() -> int | None:
            asked.append(waiting)
            return waiting

        monkeypatch.setattr(dispatch, "waiting_tasks", waiting_tasks)
        settings.NOTIFICATIONS_LEASE_SECONDS = 30
        settings.NOTIFICATIONS_RESERVATION_TIMEOUT = 300
        message = enqueue(make_user(), "lost")
        with time_machine.travel(NOW, tick=False) as clock:
            # A sweep that began a minute ago stamps the reservation with the time it is made.
            reservation, ids = reserve_due_messages(limit=10, now=NOW - timedelta(seconds=60))
            assert ids == [message.pk]
            assert Message.objects.get(pk=message.pk).claimed_at == NOW
            clock.move_to(NOW + timedelta(seconds=29))
            assert reclaim_stale_messages() == 0
            assert asked == []  # nothing past the lease: the broker is not asked
            clock.move_to(NOW + timedelta(seconds=31))
            assert reclaim_stale_messages() == taken_back_after_the_lease
            clock.move_to(NOW + timedelta(seconds=301))
            assert reclaim_stale_messages() == 1 - taken_back_after_the_lease
            again, _ids = reserve_due_messages(limit=10)
            assert _ids == [message.pk]
            # The lost task turns up: the rows are another reservation's now.
            assert deliver_messages(message_ids=ids, reservation=reservation) == {
                message.pk: "skipped"
            }
        assert len(mail.outbox) == 0
        message.refresh_from_db()
        assert (message.status, message.claimed_by) == (Status.SENDING, again)

    def test_query_count_does_not_grow_with_the_batch(self, published: Published) -> None:
        def sweep_queries(count: int) -> int:
            Message.objects.all().delete()
            for user in make_users(count):
                enqueue(user, f"k:{user.pk}")
            published.clear()
            with CaptureQueriesContext(connection) as queries:
                result = sweep_outbox(batch_size=100)
            assert result.enqueued == count
            return len(queries)

        assert sweep_queries(3) == sweep_queries(60)


@pytest.mark.django_db
def test_a_reminder_is_sent_in_the_minute_it_is_due_not_before(published: Published) -> None:
    """Beat sweeps every minute: nothing goes before the due time, the first sweep after sends."""
    due = datetime(2031, 7, 15, 19, 0, tzinfo=UTC)  # e.g. 3 h before a 22:00 UTC shift
    with time_machine.travel(due - timedelta(hours=1), tick=False):
        enqueue(
            make_user(),
            "shift-reminder:1:3h",
            kind="shift.reminder",
            context=SAMPLE_CONTEXTS["shift.reminder"],
            scheduled_for=due,
        )
    sent_at = None
    minute = due - timedelta(minutes=3)
    while minute <= due + timedelta(minutes=2):
        with time_machine.travel(minute, tick=False):
            sweep_outbox()
            for message_id, reservation in published:
                deliver_message(message_id=message_id, reservation=reservation)
            published.clear()
            if mail.outbox and sent_at is None:
                sent_at = minute
        minute += timedelta(minutes=1)
    assert sent_at == due
    assert len(mail.outbox) == 1
    assert Message.objects.get().sent_at == due


def test_the_broker_says_how_many_tasks_wait_in_the_outboxs_queues(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broker of the test's own (kombu's file transport): two tasks published, two wait;
    a broker that cannot be reached says nothing (None), and the reservation then waits."""
    from config.broker import FILESYSTEM_BROKER_URL, broker_settings
    from config.celery import app as celery_app

    options = broker_settings(broker_url=FILESYSTEM_BROKER_URL, var_dir=tmp_path)
    monkeypatch.setattr(dispatch, "current_app", celery_app)  # not the tests' stand-in
    monkeypatch.setitem(celery_app.conf, "broker_url", options["broker_url"])
    monkeypatch.setitem(
        celery_app.conf, "broker_transport_options", options["broker_transport_options"]
    )
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    assert dispatch.waiting_tasks() == 0
    assert dispatch.publish([1, 2], reservation="sweep:test") == 2
    assert dispatch.publish([3], reservation="sweep:test", urgent=True) == 1
    assert dispatch.waiting_tasks() == 2
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})
    assert dispatch.waiting_tasks() is None
