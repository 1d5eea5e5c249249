"""The Stripe ledger: what each webhook event does to donations and recurring gifts.

Stripe delivers events at least once and in no fixed order. Every handler here is written
so that the ledger is the same for any order and any number of deliveries:

* Facts only grow. A handler records what the event proves (paid at, failed at, refunded
  so far, dispute opened or closed, subscription cancelled) and never erases a fact another
  event recorded: the earliest ``paid_at`` wins, the largest ``amount_refunded`` wins, a
  closed dispute stays closed, a cancelled subscription stays cancelled, and a subscription
  update older than the last one applied is skipped.
* Statuses are derived from the facts, in one function each (``donation_status``,
  ``recurring_status`` in donations.services.gift_status), never set by a handler directly.
* A refund or dispute that arrives before the payment it refers to is **deferred**: the
  event waits under that payment intent's id, and linking the payment (from the checkout
  session or the invoice) runs it. A per-payment-intent lock makes "not found, so wait"
  and "linked, so run what waits" exclusive.
* Rows are looked up under a lock (recurring gift, then its donations), never upserted
  blindly; where the current state matters (a subscription's status), the object is
  fetched from Stripe before the handler locks any ledger row (the event's own row is
  already locked by the intake, so a slow Stripe only delays that one event).
"""

from __future__ import annotations

from donations.stripe_integration.ledger_monthly import on_invoice, on_subscription
from donations.stripe_integration.ledger_one_time import (
    on_charge_refunded,
    on_charge_succeeded,
    on_checkout_session,
    on_dispute,
)
from donations.stripe_integration.ledger_shared import (
    EXPIRED,
    HANDLERS,
    Handler,
    lock_payment_intent,
    run_deferred,
)

__all__ = [
    "HANDLERS",
    "Handler",
    "lock_payment_intent",
    "on_charge_refunded",
    "on_charge_succeeded",
    "on_checkout_session",
    "on_dispute",
    "on_invoice",
    "on_subscription",
    "run_deferred",
]

HANDLERS.update(
    {
        "checkout.session.completed": on_checkout_session,
        "checkout.session.async_payment_succeeded": on_checkout_session,
        "checkout.session.async_payment_failed": on_checkout_session,
        EXPIRED: on_checkout_session,
        "invoice.paid": on_invoice,
        "invoice.payment_failed": on_invoice,
        "customer.subscription.updated": on_subscription,
        "customer.subscription.deleted": on_subscription,
        "charge.succeeded": on_charge_succeeded,
        "charge.updated": on_charge_succeeded,
        "charge.refunded": on_charge_refunded,
        "charge.dispute.created": on_dispute,
        "charge.dispute.closed": on_dispute,
    }
)
