"""Every kind of message giving puts in the outbox, with the context keys it is queued with
(see notifications.kinds). One line a kind; its templates are
templates/notifications/<name>/."""

from __future__ import annotations

from core.message_kind import MessageKind

RECEIPT = MessageKind(
    "donation.receipt",
    keys={"receipt_id", "receipt_number", "amount", "received_on", "history_url"},
)
STATEMENT = MessageKind("donation.statement", keys={"year", "history_url"})
PAYMENT_FAILED = MessageKind(
    "donation.payment_failed",
    keys={"donation_id", "amount", "billing_portal_url"},
    optional={"next_attempt_on"},  # when Stripe said it will try again
)
RECURRING_CANCELLED = MessageKind("donation.recurring_cancelled", keys={"amount", "give_url"})
RECURRING_AMOUNT_CHANGED = MessageKind(
    "donation.recurring_amount_changed", keys={"old_amount", "new_amount", "portal_url"}
)

MESSAGE_KINDS = (RECEIPT, STATEMENT, PAYMENT_FAILED, RECURRING_CANCELLED, RECURRING_AMOUNT_CHANGED)
