"""The outbox's part of a person's data (accounts.services.personal_data) and its
retention rules (accounts.services.retention)."""

from __future__ import annotations

from datetime import datetime

from accounts.models import User
from accounts.services.personal_data import (
    ERASED,
    Category,
    Contributor,
    Erasure,
    register_contributor,
    rows,
)
from accounts.services.retention import RetentionRule, register_rule
from notifications.models import InboundSms, Message, NotificationPreference, PushSubscription
from notifications.models import Status as MessageStatus

FINISHED = (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.CANCELLED)


def export(person: User) -> list[Category]:
    messages = Message.objects.filter(recipient=person).order_by("created_at", "pk")
    numbers = [str(person.phone)] if person.phone else []
    return [
        Category(
            "messages",
            "e-mails, text messages and push notifications sent or queued to them",
            rows(messages, exclude=("claimed_by", "claimed_at")),
        ),
        Category(
            "notification_preferences",
            "how they chose to be reached",
            rows(
                NotificationPreference.objects.filter(user=person),
                exclude=("unsubscribe_token",),
            ),
        ),
        Category(
            "push_subscriptions",
            "browsers that receive push notifications (no keys)",
            rows(PushSubscription.objects.filter(user=person), exclude=("p256dh", "auth")),
        ),
        Category(
            "text_messages_received",
            "text messages received from their phone number",
            rows(InboundSms.objects.filter(from_number__in=numbers).order_by("received_at")),
        ),
    ]


def erase(erasure: Erasure) -> None:
    person = erasure.person
    messages = Message.objects.filter(recipient=person)
    erasure.count(
        "messages_cancelled",
        messages.filter(status=MessageStatus.PENDING).update(status=MessageStatus.CANCELLED),
    )
    erasure.count(
        "messages_scrubbed",
        messages.update(context={}, attachments=[], last_error=""),
    )
    if person.phone:
        erasure.count(
            "text_messages_received",
            InboundSms.objects.filter(from_number=str(person.phone)).update(
                from_number=ERASED, body="", reply=""
            ),
        )
    erasure.count("push_subscriptions", PushSubscription.objects.filter(user=person).delete()[0])
    erasure.count(
        "notification_preferences",
        NotificationPreference.objects.filter(user=person).delete()[0],
    )


CONTRIBUTOR = Contributor(app="notifications", export=export, erase=erase, order=40)


def _outbox_messages(cutoff: datetime) -> int:
    """Messages that are finished (sent, failed, cancelled) and were queued before the
    cut-off; pending ones are never removed."""
    return Message.objects.filter(status__in=FINISHED, created_at__lt=cutoff).delete()[0]


def _inbound_sms(cutoff: datetime) -> int:
    return InboundSms.objects.filter(received_at__lt=cutoff).delete()[0]


def register() -> None:
    register_contributor(CONTRIBUTOR)
    register_rule(RetentionRule("outbox_messages", "outbox messages finished", _outbox_messages))
    register_rule(RetentionRule("inbound_sms", "text messages received", _inbound_sms))
