"""Sending a coordinator's message to a group, through the outbox and never around it.

One ``GroupMessage`` per send, identified by the token the compose form carries: a send
posted twice (a double click, a retry, two tabs) finds the first one's row and queues
nothing more. Each recipient's message is keyed ``group:<token>:<person>`` as well, so the
outbox itself would refuse a second copy. The outbox applies each person's preferences:
opted-out people get no non-essential message (their row is kept as cancelled, with why).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.services import audit
from dashboard.message_kinds import GROUP_MESSAGE
from dashboard.models import GroupMessage
from dashboard.selectors.audiences import Audience
from notifications.models import Channel
from notifications.services import enqueue_message


@dataclass(frozen=True)
class Sent:
    group: GroupMessage
    created: bool  # False: this send had been posted already; nothing more was queued


def message_context(*, subject: str, body: str, sender: User) -> dict[str, str]:
    return {"subject": subject, "body": body, "sender_name": str(sender)}


def send_group_message(
    *,
    token: uuid.UUID,
    sender: User,
    audience: Audience,
    parameters: dict[str, str | int],
    subject: str,
    body: str,
    by_email: bool,
    by_sms: bool,
    essential: bool = False,
) -> Sent:
    """Queue ``subject``/``body`` for every person of ``audience``, once per ``token``."""
    if not (by_email or by_sms):
        raise ValueError("a group message needs a channel")
    if not audience.people:
        raise ValueError("a group message needs recipients")
    channels = frozenset(
        channel for channel, chosen in ((Channel.EMAIL, by_email), (Channel.SMS, by_sms)) if chosen
    )
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: losing the race must not spoil the rest
                group = GroupMessage.objects.create(
                    token=token,
                    sender=sender,
                    audience=audience.kind,
                    audience_label=audience.label[:300],
                    parameters=parameters,
                    subject=subject,
                    body=body,
                    by_email=by_email,
                    by_sms=by_sms,
                    essential=essential,
                    recipient_count=len(audience.people),
                )
        except IntegrityError:
            existing = GroupMessage.objects.filter(token=token).first()
            if existing is None:
                raise
            return Sent(existing, created=False)
        audit.record(
            "dashboard.group_message.sent",
            actor=sender,
            obj=group,
            changes=audit.changed_fields(
                {},
                audit.snapshot(
                    group,
                    ("audience", "subject", "by_email", "by_sms", "essential", "recipient_count"),
                ),
            ),
            data={"audience_label": group.audience_label, "parameters": dict(parameters)},
        )
        context = message_context(subject=subject, body=body, sender=sender)
        for person in audience.people:
            enqueue_message(
                recipient=person,
                kind=GROUP_MESSAGE.name,
                dedupe_key=f"{group.key_prefix}{person.pk}",
                context=context,
                essential=essential,
                channels=channels,
            )
    return Sent(group, created=True)
