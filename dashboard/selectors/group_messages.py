"""Reads for the group-message pages: what was sent, and what became of each copy."""

from __future__ import annotations

from collections import Counter

from django.db.models import QuerySet

from dashboard.models import GroupMessage
from notifications.models import Message, Status


def sent_group_messages() -> QuerySet[GroupMessage]:
    return GroupMessage.objects.select_related("sender").order_by("-created_at", "-pk")


def deliveries(group: GroupMessage) -> QuerySet[Message]:
    """Each recipient's copy per channel (queued, sent, failed...), by name (one query)."""
    return (
        Message.objects.filter(dedupe_key__startswith=group.key_prefix)
        .select_related("recipient")
        .order_by("recipient__first_name", "recipient__last_name", "recipient_id", "channel")
    )


def delivery_counts(rows: list[Message]) -> list[tuple[str, int]]:
    """(status as people read it, how many copies), in the order of the statuses."""
    found = Counter(row.status for row in rows)
    return [(str(label), found[value]) for value, label in Status.choices if found[value]]
