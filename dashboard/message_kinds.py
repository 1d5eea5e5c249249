"""Every kind of message the coordinators' pages put in the outbox, with the context keys
it is queued with (see notifications.kinds); templates in templates/notifications/<name>/."""

from __future__ import annotations

from core.message_kind import MessageKind

DIGEST = MessageKind(
    "coordinator.digest",
    keys={
        "date",
        "understaffed_shifts",
        "hours_awaiting_approval",
        "hours_url",
        "failed_payments",
        "dashboard_url",
    },
)

MESSAGE_KINDS = (DIGEST,)
