"""enqueue_message and cancel_messages: the API the domain apps call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import Channel, Message, Status
from notifications.services import (
    OutboxError,
    cancel_messages,
    enqueue_message,
    resend_message,
    update_preferences,
)
from tests.factories import make_user
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.outbox import Published

LATER = datetime(2031, 7, 15, 20, 0, tzinfo=UTC)


def enqueue(user, key: str = "k:1", **kwargs) -> Message | None:
    kwargs.setdefault("kind", "test.message")
    kwargs.setdefault("context", SAMPLE_CONTEXTS["test.message"])
    return enqueue_message(recipient=user, dedupe_key=key, **kwargs)


@pytest.mark.django_db
class TestEnqueue:
    def test_writes_one_pending_email_row(self, published: Published) -> None:
        user = make_user()
        message = enqueue(
            user,
            scheduled_for=LATER,
            attachments=[
                {"filename": "a.ics", "content_type": "text/calendar", "content": "BEGIN"}
            ],
        )
        assert message is not None
        row = Message.objects.get()
        assert row.pk == message.pk
        assert (row.recipient, row.channel, row.kind, row.status) == (
            user,
            Channel.EMAIL,
            "test.message",
            Status.PENDING,
        )
        assert row.scheduled_for == LATER
        assert row.attempts == 0
        assert row.essential is False
        assert row.attachments == [
            {"filename": "a.ics", "content_type": "text/calendar", "content": "BEGIN"}
        ]

    def test_the_same_dedupe_key_again_returns_none_and_writes_nothing(
        self, published: Published
    ) -> None:
        user = make_user()
        assert enqueue(user, scheduled_for=LATER) is not None
        assert enqueue(user, scheduled_for=LATER + timedelta(hours=1)) is None
        assert enqueue(make_user(), scheduled_for=LATER) is None
        assert Message.objects.count() == 1
        assert Message.objects.get().scheduled_for == LATER

    def test_a_later_message_is_not_handed_to_a_worker(
        self, published: Published, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            enqueue(make_user(), scheduled_for=timezone.now() + timedelta(minutes=5))
        assert published == []

    def test_a_message_due_now_is_handed_over_after_commit_only(
        self, published: Published, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue(make_user())
            assert published == []
        assert message is not None
        assert published == [(message.pk, "")]

    @pytest.mark.django_db(transaction=True)
    def test_rolled_back_means_no_row_and_no_task(self, published: Published) -> None:
        user = make_user()
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            enqueue(user)
            1 / 0  # noqa: B018
        assert Message.objects.count() == 0
        assert published == []

    @pytest.mark.django_db(transaction=True)
    def test_a_broker_that_is_down_does_not_reach_the_caller(self, published: Published) -> None:
        published.broken = True
        user = make_user()
        with transaction.atomic():
            message = enqueue(user)
        assert message is not None
        # Committed and still pending: the sweep sends it when the broker is back.
        assert Message.objects.get().status == Status.PENDING
        assert published == []

    def test_rejects_bad_arguments(self, published: Published) -> None:
        user = make_user()
        with pytest.raises(ValueError, match="kind"):
            enqueue(user, kind="Shift Reminder")
        with pytest.raises(ValueError, match="aware"):
            enqueue(user, scheduled_for=datetime(2031, 1, 1))
        with pytest.raises(ValueError, match="attachment"):
            enqueue(user, attachments=[{"filename": "x"}])
        with pytest.raises(ValueError, match="dedupe_key"):
            enqueue(user, key="")
        assert Message.objects.count() == 0

    def test_opted_out_non_essential_is_recorded_as_cancelled(self, published: Published) -> None:
        user = make_user()
        update_preferences(
            user=user, email_enabled=True, sms_enabled=False, non_essential_opt_out=True
        )
        message = enqueue(user, scheduled_for=LATER)
        assert message is not None
        assert message.status == Status.CANCELLED
        assert message.last_error == "The recipient does not receive this kind of message."
        # The key stays used.
        assert enqueue(user, scheduled_for=LATER) is None

    def test_essential_ignores_the_opt_out(self, published: Published) -> None:
        user = make_user()
        update_preferences(
            user=user, email_enabled=False, sms_enabled=False, non_essential_opt_out=True
        )
        message = enqueue(user, scheduled_for=LATER, essential=True)
        assert message is not None
        assert (message.status, message.channel) == (Status.PENDING, Channel.EMAIL)

    def test_sms_twin_for_a_kind_with_sms_text_when_chosen(self, published: Published) -> None:
        user = make_user(phone="+12025550123")
        update_preferences(
            user=user, email_enabled=True, sms_enabled=True, non_essential_opt_out=False
        )
        enqueue(
            user,
            key="shift-reminder:1:48h",
            kind="shift.reminder",
            context=SAMPLE_CONTEXTS["shift.reminder"],
            scheduled_for=LATER,
        )
        rows = list(
            Message.objects.order_by("channel").values_list("channel", "dedupe_key", "status")
        )
        assert rows == [
            ("email", "shift-reminder:1:48h", "pending"),
            ("sms", "shift-reminder:1:48h#sms", "pending"),
        ]
        # No SMS for a kind without sms.txt.
        enqueue(user, key="other", kind="test.message", scheduled_for=LATER)
        assert Message.objects.filter(dedupe_key__startswith="other").count() == 1

    def test_sms_only(self, published: Published) -> None:
        user = make_user(phone="+12025550123")
        update_preferences(
            user=user, email_enabled=False, sms_enabled=True, non_essential_opt_out=False
        )
        message = enqueue(
            user,
            key="r:1",
            kind="shift.reminder",
            context=SAMPLE_CONTEXTS["shift.reminder"],
            scheduled_for=LATER,
        )
        assert message is not None
        assert (message.channel, message.dedupe_key) == (Channel.SMS, "r:1")
        assert Message.objects.count() == 1


@pytest.mark.django_db
class TestCancel:
    def test_cancels_pending_and_reserved_rows_with_the_prefix_only(
        self, published: Published
    ) -> None:
        user = make_user()
        for key in (
            "shift-reminder:7:48h",
            "shift-reminder:7:3h",
            "shift-reminder:70:3h",
            "shift-reminder:7:sent",
            "shift-reminder:7:taken",
            "shift-reminder:7:reserved",
        ):
            enqueue(user, key=key, scheduled_for=LATER)
        Message.objects.filter(dedupe_key="shift-reminder:7:sent").update(status=Status.SENT)
        Message.objects.filter(dedupe_key="shift-reminder:7:taken").update(
            status=Status.SENDING, claimed_by="run:host:1:abc"
        )
        Message.objects.filter(dedupe_key="shift-reminder:7:reserved").update(
            status=Status.SENDING, claimed_by="sweep:host:1:abc"
        )
        assert cancel_messages(dedupe_key_prefix="shift-reminder:7:") == 3
        statuses = dict(Message.objects.values_list("dedupe_key", "status"))
        assert statuses == {
            "shift-reminder:7:48h": "cancelled",
            "shift-reminder:7:3h": "cancelled",
            "shift-reminder:70:3h": "pending",
            "shift-reminder:7:sent": "sent",
            "shift-reminder:7:taken": "sending",
            "shift-reminder:7:reserved": "cancelled",
        }
        assert cancel_messages(dedupe_key_prefix="shift-reminder:7:") == 0

    def test_like_wildcards_in_the_prefix_are_literal(self, published: Published) -> None:
        user = make_user()
        enqueue(user, key="a_b:1", scheduled_for=LATER)
        enqueue(user, key="axb:1", scheduled_for=LATER)
        assert cancel_messages(dedupe_key_prefix="a_b") == 1
        assert cancel_messages(dedupe_key_prefix="%") == 0

    def test_an_empty_prefix_is_refused(self) -> None:
        with pytest.raises(ValueError):
            cancel_messages(dedupe_key_prefix="")


@pytest.mark.django_db
class TestResend:
    @pytest.mark.parametrize("status", [Status.FAILED, Status.CANCELLED, Status.SENT])
    def test_puts_the_row_back_to_pending_now(
        self, status: str, published: Published, django_capture_on_commit_callbacks
    ) -> None:
        message = enqueue(make_user(), scheduled_for=LATER)
        assert message is not None
        Message.objects.filter(pk=message.pk).update(
            status=status, attempts=5, last_error="SMTP 550"
        )
        with django_capture_on_commit_callbacks(execute=True):
            resend_message(message_id=message.pk)
        message.refresh_from_db()
        assert (message.status, message.attempts, message.last_error) == (Status.PENDING, 0, "")
        assert message.scheduled_for <= timezone.now()
        assert published == [(message.pk, "")]

    @pytest.mark.parametrize("status", [Status.PENDING, Status.SENDING])
    def test_refuses_a_row_not_yet_finished(self, status: str, published: Published) -> None:
        message = enqueue(make_user(), scheduled_for=LATER)
        assert message is not None
        Message.objects.filter(pk=message.pk).update(status=status)
        with pytest.raises(OutboxError, match="only failed, cancelled or sent"):
            resend_message(message_id=message.pk)
