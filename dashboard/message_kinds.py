"""Every kind of message the coordinators' pages put in the outbox, with the context keys
it is queued with (see notifications.kinds); templates in templates/notifications/<name>/."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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

# A coordinator's message to a group (dashboard.services.group_messages).
GROUP_MESSAGE = MessageKind(
    "coordinator.group_message",
    keys={"subject", "body", "sender_name"},
    sms=True,
    label=_("Messages from coordinators"),
)

MESSAGE_KINDS = (DIGEST, GROUP_MESSAGE)
