"""The outbox's writes. Domain apps call only enqueue_message, cancel_messages and
reinstate_message."""

from notifications.services.errors import OutboxError
from notifications.services.inbound import receive_sms
from notifications.services.outbox import (
    cancel_messages,
    enqueue_message,
    reinstate_message,
    resend_message,
)
from notifications.services.outcomes import replay_journal
from notifications.services.preferences import (
    preferences_for,
    preferences_for_users,
    unsubscribe,
    update_preferences,
)
from notifications.services.push import remove_subscription, save_subscription
from notifications.services.sending import (
    SweepResult,
    deliver_message,
    deliver_messages,
    reclaim_stale_messages,
    release_reservation,
    reserve_due_messages,
    run_claim,
    sweep_outbox,
    take_message,
    take_messages,
)

__all__ = [
    "OutboxError",
    "SweepResult",
    "cancel_messages",
    "deliver_message",
    "deliver_messages",
    "enqueue_message",
    "preferences_for",
    "preferences_for_users",
    "receive_sms",
    "reclaim_stale_messages",
    "reinstate_message",
    "release_reservation",
    "remove_subscription",
    "replay_journal",
    "resend_message",
    "reserve_due_messages",
    "run_claim",
    "save_subscription",
    "sweep_outbox",
    "take_message",
    "take_messages",
    "unsubscribe",
    "update_preferences",
]
