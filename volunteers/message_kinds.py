"""Every kind of message volunteering puts in the outbox, with the context keys it is queued
with (see notifications.kinds). One line a kind; its templates are
templates/notifications/<name>/."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.message_kind import MessageKind

# What every shift message says about its shift (volunteers.services.notify.shift_context).
SHIFT = frozenset(
    {
        "shift_id",
        "shift_title",
        "starts_at",
        "ends_at",
        "zone",
        "location",
        "shift_url",
        "cancel_url",
    }
)
EXPIRY = {"expires_on", "blocked_shifts"}

SIGNUP_CONFIRMED = MessageKind("shift.signup_confirmed", keys=SHIFT | {"signup_id"})
WAITLIST_PROMOTED = MessageKind("shift.waitlist_promoted", keys=SHIFT | {"signup_id"})
# "Ask eligible volunteers": a gap in a shift, and a link that takes the place in one tap.
SHIFT_INVITATION = MessageKind("shift.invitation", keys=SHIFT | {"accept_url"})
SWAP_OFFERED = MessageKind(
    "shift.swap_offered", keys=SHIFT | {"offer_id", "offered_by", "accept_url"}
)
SWAP_ACCEPTED = MessageKind(
    "shift.swap_accepted", keys=SHIFT | {"offer_id", "signup_id", "accepted_by"}
)
SHIFT_CHANGED = MessageKind(
    "shift.changed", keys=SHIFT | {"signup_id", "status", "note", "previous_starts_at"}
)
SHIFT_CANCELLED = MessageKind("shift.cancelled", keys=SHIFT | {"signup_id", "reason", "shifts_url"})
SIGNUP_CANCELLED = MessageKind(
    "shift.signup_cancelled", keys=SHIFT | {"signup_id", "reason", "moved_to", "shifts_url"}
)
SHIFT_REMINDER = MessageKind(
    "shift.reminder",
    keys=SHIFT | {"signup_id", "lead_hours"},
    optional={"blocked_reasons"},  # added just before sending (reminders.refresh_shift_reminders)
    sms=True,
    label=_("Shift reminders"),
)
SESSION_REMINDER = MessageKind(
    "training.session_reminder",
    keys={
        "session_signup_id",
        "training_name",
        "starts_at",
        "ends_at",
        "zone",
        "location",
        "session_url",
    },
    sms=True,
    label=_("Training session reminders"),
)
TRAINING_EXPIRY = MessageKind(
    "training.expiry_warning", keys=EXPIRY | {"training_name", "renew_url"}
)
CLEARANCE_EXPIRY = MessageKind(
    "clearance.expiry_warning", keys=EXPIRY | {"clearance_name", "details_url"}
)

MESSAGE_KINDS = (
    SIGNUP_CONFIRMED,
    SHIFT_INVITATION,
    WAITLIST_PROMOTED,
    SWAP_OFFERED,
    SWAP_ACCEPTED,
    SHIFT_CHANGED,
    SHIFT_CANCELLED,
    SIGNUP_CANCELLED,
    SHIFT_REMINDER,
    SESSION_REMINDER,
    TRAINING_EXPIRY,
    CLEARANCE_EXPIRY,
)
