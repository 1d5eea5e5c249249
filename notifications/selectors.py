"""Reads of the outbox that pages share."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.selectors import person_matches
from notifications.models import Message


def outbox_list(*, kind: str = "", status: str = "", recipient: str = "") -> QuerySet[Message]:
    """The outbox, latest due first, filtered; one query per page whatever its length."""
    messages = Message.objects.select_related("recipient").order_by("-scheduled_for", "-id")
    if kind:
        messages = messages.filter(kind=kind)
    if status:
        messages = messages.filter(status=status)
    if recipient:
        messages = messages.filter(person_matches(recipient, via="recipient__"))
    return messages


def outbox_kinds() -> list[str]:
    """Kinds present in the outbox, for the filter (one query)."""
    return list(Message.objects.order_by("kind").values_list("kind", flat=True).distinct())
