"""A domain app's last check before sending: fresh context, or cancelled with its reason."""

from __future__ import annotations

from django.core import mail

from notifications.models import Message, Status
from notifications.services import enqueue_message
from notifications.services.hooks import register_refresher
from notifications.services.sending import deliver_message
from tests.factories import make_user


def queue(key: str) -> Message:
    message = enqueue_message(
        recipient=make_user(email=f"{key}@example.org"),
        kind="test.message",
        dedupe_key=key,
        context={"title": "Hello", "body": "as queued"},
    )
    assert message is not None
    return message


def test_a_refresher_can_update_the_context(db):
    register_refresher("test.message", lambda message: {**message.context, "body": "fresh"})
    message = queue("fresh")
    assert deliver_message(message_id=message.pk) == "sent"
    assert "fresh" in mail.outbox[0].body
    assert "as queued" not in mail.outbox[0].body


def test_a_refresher_can_cancel_with_a_reason(db):
    register_refresher("test.message", lambda message: "No longer needed.")
    message = queue("gone")
    assert deliver_message(message_id=message.pk) == "cancelled"
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.CANCELLED, "No longer needed.")
    assert mail.outbox == []


def test_a_failing_refresher_is_retried_later(db):
    def broken(message: Message) -> dict[str, str]:
        raise RuntimeError("database hiccup")

    register_refresher("test.message", broken)
    message = queue("broken")
    assert deliver_message(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.last_error == "RuntimeError: database hiccup"
    assert mail.outbox == []
