"""The ledger's one-time side: checkout sessions of one-time gifts, charges (the fee and
net), refunds and disputes (the rules every handler follows: ``ledger``)."""

from __future__ import annotations

import logging
from typing import Final

from donations.models import DisputeStatus, Donation, StripeEvent
from donations.stripe_integration import outside, settlement
from donations.stripe_integration.ledger_monthly import link_subscription_checkout
from donations.stripe_integration.ledger_shared import (
    EXPIRED,
    link_payment_intent,
    lock_payment_intent,
    run_deferred,
    save_donation,
)
from donations.stripe_integration.payload import (
    Deferred,
    PermanentEventError,
    amount_field,
    earliest,
    event_object,
    event_time,
    metadata_pk,
    stripe_id,
    timestamp,
)

logger = logging.getLogger(__name__)

DISPUTE_CLOSED: Final = {
    "won": DisputeStatus.WON,
    # An inquiry closed without a chargeback: the money stayed with us.
    "warning_closed": DisputeStatus.WON,
    "lost": DisputeStatus.LOST,
}


# ---------------------------------------------------------------------------------------
# One-time gifts: checkout.session.*


def on_checkout_session(event: StripeEvent) -> None:
    session = event_object(event)
    if session.get("mode") == "subscription":
        link_subscription_checkout(event, session)
        return
    donation_pk = metadata_pk(session.get("metadata"), "donation_id")
    session_id = stripe_id(session.get("id"))
    payment_intent_id = stripe_id(session.get("payment_intent"))
    paid = (
        event.type == "checkout.session.async_payment_succeeded"
        or session.get("payment_status") == "paid"
    )
    charge_id, charge_bt = (
        settlement.fetch_payment_settlement(payment_intent_id)
        if paid and event.type != "checkout.session.async_payment_failed"
        else ("", None)
    )
    lock_payment_intent(payment_intent_id)
    query = Donation.objects.select_for_update(of=("self",))
    donation = (
        query.filter(pk=donation_pk).first()
        if donation_pk is not None
        else query.filter(checkout_session_id=session_id).first()
        if session_id
        else None
    )
    if donation is None and donation_pk is None and paid:
        # Not from our page (a Payment Link, say): its gift is made now.
        donation = outside.one_time_gift_for(session)
    if donation is None:
        if donation_pk is not None:
            raise PermanentEventError(f"donation {donation_pk} named in the metadata is missing")
        logger.info("checkout session %s is not one of ours; nothing to do", session_id)
        return
    if session_id and not donation.checkout_session_id:
        donation.checkout_session_id = session_id
    link_payment_intent(donation, payment_intent_id)
    customer = stripe_id(session.get("customer"))
    if customer and not donation.customer_id:
        donation.customer_id = customer
    if donation.stripe_created is None:
        donation.stripe_created = timestamp(session.get("created"))
    total = amount_field(session, "amount_total")
    currency = str(session.get("currency") or "").upper()
    if total is not None and total > 0 and currency and donation.paid_at is None:
        # What Stripe charged is the amount of the gift (the page's amount, fee included).
        donation.amount_minor = total
        donation.currency = currency
        donation.fee_covered_minor = min(donation.fee_covered_minor, total - 1)
    when = event_time(event)
    if event.type == EXPIRED:
        # Left unfinished: not a gift (a payment recorded by any other event still wins).
        donation.checkout_expired_at = earliest(donation.checkout_expired_at, when)
    elif event.type == "checkout.session.async_payment_failed":
        donation.failed_at = earliest(donation.failed_at, when)
    elif paid:
        donation.paid_at = earliest(donation.paid_at, when)
        donation.charge_id = donation.charge_id or charge_id
        settlement.settle_gift(donation, [charge_bt])
    save_donation(donation)
    run_deferred(donation.payment_intent_id)


# ---------------------------------------------------------------------------------------
# Refunds and disputes


def _lock_donation_for_payment(*, charge_id: str, payment_intent_id: str) -> Donation:
    """The donation of a charge, under its lock; ``Deferred`` if not linked yet."""
    lock_payment_intent(payment_intent_id)
    query = Donation.objects.select_for_update(of=("self",))
    donation = query.filter(charge_id=charge_id).first() if charge_id else None
    if donation is None and payment_intent_id:
        donation = query.filter(payment_intent_id=payment_intent_id).first()
    if donation is None:
        if not payment_intent_id:
            raise PermanentEventError(f"charge {charge_id} names no payment intent")
        raise Deferred(payment_intent_id)
    if charge_id and not donation.charge_id:
        donation.charge_id = charge_id
    return donation


def on_charge_refunded(event: StripeEvent) -> None:
    charge = event_object(event)
    charge_id = stripe_id(charge.get("id"))
    # Each refund's balance transaction: those the event expands, else asked of Stripe.
    refund_bts = settlement.refunds_in(charge) or settlement.fetch_refund_settlements(charge_id)
    donation = _lock_donation_for_payment(
        charge_id=charge_id, payment_intent_id=stripe_id(charge.get("payment_intent"))
    )
    refunded = amount_field(charge, "amount_refunded")
    if refunded is not None and refunded > donation.refunded_minor:
        donation.refunded_minor = min(refunded, donation.amount_minor)
    settlement.settle_gift(donation, [charge.get("balance_transaction"), *refund_bts])
    # No "paid" here even though only a paid charge is refunded: the payment's own event sets
    # the time it was paid, so that the ledger does not depend on which came first.
    save_donation(donation)


def on_charge_succeeded(event: StripeEvent) -> None:
    """A charge with its balance transaction (expanded, or fetched by id): the gift's fee.

    Never deferred: a charge of a gift not linked yet leaves nothing undone, since the
    payment's own event fetches the figures when it links the gift.
    """
    charge = event_object(event)
    charge_id, payment_intent_id = (
        stripe_id(charge.get("id")),
        stripe_id(charge.get("payment_intent")),
    )
    bt = charge.get("balance_transaction")
    if (
        isinstance(bt, str)
        and bt
        and not settlement.has_charge_settlement(payment_intent_id=payment_intent_id)
    ):
        bt = settlement.fetch_balance_transaction(bt)
    lock_payment_intent(payment_intent_id)
    query = Donation.objects.select_for_update(of=("self",))
    donation = query.filter(charge_id=charge_id).first() if charge_id else None
    if donation is None and payment_intent_id:
        donation = query.filter(payment_intent_id=payment_intent_id).first()
    if donation is None:
        logger.info("charge %s is not linked to a gift (yet); nothing to do", charge_id)
        return
    donation.charge_id = donation.charge_id or charge_id
    settlement.settle_gift(donation, [bt])
    save_donation(donation)


def on_dispute(event: StripeEvent) -> None:
    dispute = event_object(event)
    donation = _lock_donation_for_payment(
        charge_id=stripe_id(dispute.get("charge")),
        payment_intent_id=stripe_id(dispute.get("payment_intent")),
    )
    dispute_id = stripe_id(dispute.get("id"))
    if dispute_id and not donation.dispute_id:
        donation.dispute_id = dispute_id
    amount = amount_field(dispute, "amount")
    if amount is not None and amount > donation.disputed_minor:
        donation.disputed_minor = amount
    # Its balance transactions: the amount withdrawn, the fee and (if won) what came back.
    moved = dispute.get("balance_transactions")
    settlement.settle_gift(donation, list(moved) if isinstance(moved, list) else [])
    closed = DISPUTE_CLOSED.get(str(dispute.get("status") or ""))
    if closed is not None:
        donation.dispute_status = closed
    elif donation.dispute_status == DisputeStatus.NONE:
        # Opened; a close that came first is never reopened.
        donation.dispute_status = DisputeStatus.OPEN
    save_donation(donation)
