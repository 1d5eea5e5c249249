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

import logging
import zlib
from collections.abc import Callable
from typing import Final

from django.db import DataError, connection, transaction
from django.utils import timezone

from donations.models import (
    DisputeStatus,
    Donation,
    DonationSource,
    RecurringGift,
    StripeEvent,
    StripeEventStatus,
)
from donations.services.engagement import tasks_for_gift
from donations.services.gift_status import donation_status, recurring_status
from donations.services.receipts import sync_receipt
from donations.services.system_audit import save_from_stripe, stripe_event
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration import outside, settlement
from donations.stripe_integration.payload import (
    JSON,
    Deferred,
    PermanentEventError,
    amount_field,
    earliest,
    event_object,
    event_time,
    invoice_payment_intent,
    metadata_pk,
    stripe_id,
    timestamp,
)
from donations.stripe_integration.subscriptions import take_subscription_amount

logger = logging.getLogger(__name__)

Handler = Callable[[StripeEvent], None]

# A checkout the donor never finished: Stripe expires it (after 24 hours by default).
EXPIRED: Final = "checkout.session.expired"

DISPUTE_CLOSED: Final = {
    "won": DisputeStatus.WON,
    # An inquiry closed without a chargeback: the money stayed with us.
    "warning_closed": DisputeStatus.WON,
    "lost": DisputeStatus.LOST,
}


def _save_donation(donation: Donation, *, receipt: bool = True) -> None:
    """Save with its derived status, make the tasks it triggers (once each) and (unless
    ``receipt`` is False) issue, void or replace its receipt (idempotent; via the outbox)."""
    donation.status = donation_status(donation)
    save_from_stripe(donation)
    tasks_for_gift(donation=donation)
    if receipt:
        sync_receipt(donation=donation)


def _refresh_recurring(gift: RecurringGift) -> None:
    instalments = list(gift.donations.exclude(invoice_id=""))
    gift.status = recurring_status(gift, instalments)
    save_from_stripe(gift)


def lock_payment_intent(payment_intent_id: str) -> None:
    """Serialise everything about one payment intent until the transaction ends.

    Taken by "look up the donation of this payment intent, else defer" and by "link this
    payment intent to a donation, then run what waits for it", so a deferral can never slip
    between a link and its release. SQLite allows one writer at a time, so it needs none.
    """
    if connection.vendor != "postgresql" or not payment_intent_id:
        return
    key = zlib.crc32(f"stripe-pi:{payment_intent_id}".encode()) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# ---------------------------------------------------------------------------------------
# Linking payment intents and running what waits for them


def _link_payment_intent(donation: Donation, payment_intent_id: str) -> None:
    if payment_intent_id and not donation.payment_intent_id:
        donation.payment_intent_id = payment_intent_id


def run_deferred(payment_intent_id: str) -> int:
    """Apply the events that waited for ``payment_intent_id``; how many ran.

    Called in the transaction that linked the payment intent, under its lock.
    """
    if not payment_intent_id:
        return 0
    waiting = StripeEvent.objects.select_for_update(of=("self",)).filter(
        status=StripeEventStatus.DEFERRED, waiting_for=payment_intent_id
    )
    ran = 0
    for event in waiting.order_by("stripe_created", "pk"):
        event.status = StripeEventStatus.DONE
        event.error = ""
        try:
            with transaction.atomic(), stripe_event(event):
                HANDLERS[event.type](event)
        except (PermanentEventError, DataError) as exc:
            # That event can never apply; the payment that released it still does.
            event.status = StripeEventStatus.FAILED
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
            event.permanent_failure = True
        event.waiting_for = ""
        event.processed_at = timezone.now()
        event.save(
            update_fields=["status", "waiting_for", "error", "processed_at", "permanent_failure"]
        )
        ran += 1
    return ran


# ---------------------------------------------------------------------------------------
# One-time gifts: checkout.session.*


def on_checkout_session(event: StripeEvent) -> None:
    session = event_object(event)
    if session.get("mode") == "subscription":
        _link_subscription_checkout(event, session)
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
    _link_payment_intent(donation, payment_intent_id)
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
    _save_donation(donation)
    run_deferred(donation.payment_intent_id)


# ---------------------------------------------------------------------------------------
# Monthly gifts: the checkout, invoices and subscription updates


def _lock_recurring(*, metadata: object, subscription_id: str) -> RecurringGift | None:
    pk = metadata_pk(metadata, "recurring_gift_id")
    query = RecurringGift.objects.select_for_update(of=("self",))
    gift = query.filter(pk=pk).first() if pk is not None else None
    if gift is None and subscription_id:
        gift = query.filter(stripe_subscription_id=subscription_id).first()
    if gift is None and pk is not None:
        raise PermanentEventError(f"recurring gift {pk} named in the metadata is missing")
    if gift is not None and subscription_id and not gift.stripe_subscription_id:
        gift.stripe_subscription_id = subscription_id
    return gift


def _link_subscription_checkout(event: StripeEvent, session: JSON) -> None:
    gift = _lock_recurring(
        metadata=session.get("metadata"), subscription_id=stripe_id(session.get("subscription"))
    )
    if gift is None:
        logger.info("subscription checkout %s is not one of ours", stripe_id(session.get("id")))
        return
    session_id = stripe_id(session.get("id"))
    if session_id and not gift.checkout_session_id:
        gift.checkout_session_id = session_id
    customer = stripe_id(session.get("customer"))
    if customer and not gift.stripe_customer_id:
        gift.stripe_customer_id = customer
    if event.type == EXPIRED:
        gift.checkout_expired_at = earliest(gift.checkout_expired_at, event_time(event))
    _refresh_recurring(gift)


def on_invoice(event: StripeEvent) -> None:
    invoice = event_object(event)
    parent = invoice.get("parent")
    details = parent.get("subscription_details") if isinstance(parent, dict) else None
    if not isinstance(details, dict) or not stripe_id(details.get("subscription")):
        logger.info("invoice %s is not for a subscription; nothing to do", invoice.get("id"))
        return
    invoice_id = stripe_id(invoice.get("id"))
    if not isinstance(invoice.get("payments"), dict) and invoice_id:
        # Webhook payloads may leave the payments list out; ask Stripe (before any lock).
        invoice = stripe_client.fetch_invoice_with_payments(invoice_id) or invoice
    payment_intent_id = invoice_payment_intent(invoice)
    sub_id = stripe_id(details.get("subscription"))
    outside_sub = (
        None
        if metadata_pk(details.get("metadata"), "recurring_gift_id") is not None
        or RecurringGift.objects.filter(stripe_subscription_id=sub_id).exists()
        else stripe_client.fetch_subscription(sub_id)
    )
    charge_id, charge_bt = (
        settlement.fetch_payment_settlement(payment_intent_id)
        if event.type == "invoice.paid"
        else ("", None)
    )
    gift = _lock_recurring(
        metadata=details.get("metadata"), subscription_id=sub_id
    ) or outside.recurring_gift_for(
        subscription_id=sub_id,
        customer_id=stripe_id(invoice.get("customer")),
        subscription=outside_sub,
    )
    if gift is None:
        logger.info("invoice %s is for a subscription that is not ours", invoice_id)
        return
    customer = stripe_id(invoice.get("customer"))
    if customer and not gift.stripe_customer_id:
        gift.stripe_customer_id = customer
    lock_payment_intent(payment_intent_id)
    paid = event.type == "invoice.paid"
    amount = amount_field(invoice, "amount_paid" if paid else "amount_due")
    if paid and (amount is None or amount <= 0):
        # Paid from credit, a coupon or a trial: no money came, so there is no gift to record
        # (and no receipt to issue); the subscription itself stays as Stripe says.
        logger.info("invoice %s was paid without a charge; no gift recorded", invoice_id)
        _refresh_recurring(gift)
        return
    if amount is None or amount <= 0:
        amount = gift.amount_minor
    currency = str(invoice.get("currency") or gift.currency).upper()
    donation = (
        Donation.objects.select_for_update(of=("self",)).filter(invoice_id=invoice_id).first()
    )
    if donation is None:
        donation = Donation(
            donor_id=gift.donor_id,
            campaign_id=gift.campaign_id,
            recurring_gift=gift,
            referral=gift.referral,
            # A subscription that began on our page has its checkout session.
            source=DonationSource.STRIPE
            if gift.checkout_session_id
            else DonationSource.STRIPE_OUTSIDE,
            invoice_id=invoice_id,
            subscription_id=gift.stripe_subscription_id,
            customer_id=customer,
            amount_minor=amount,
            currency=currency,
            fee_covered_minor=min(gift.fee_covered_minor, amount - 1),
            tribute_type=gift.tribute_type,
            tribute_name=gift.tribute_name,
            tribute_notify=gift.tribute_notify,
            anonymous=gift.anonymous,
        )
    elif paid and donation.paid_at is None:
        donation.amount_minor = amount
    donation.stripe_created = timestamp(invoice.get("created")) or donation.stripe_created
    if paid and payment_intent_id:
        # The intent that paid wins over one that failed before (e.g. a retry on the hosted
        # invoice page pays with a new intent), whichever event came first.
        donation.payment_intent_id = payment_intent_id
    else:
        _link_payment_intent(donation, payment_intent_id)
    when = event_time(event)
    if paid:
        paid_at = timestamp((invoice.get("status_transitions") or {}).get("paid_at"))
        donation.paid_at = earliest(donation.paid_at, paid_at or when)
        donation.charge_id = donation.charge_id or charge_id
        settlement.settle_gift(donation, [charge_bt])
    else:
        donation.failed_at = earliest(donation.failed_at, when)
    # The receipt after the recurring gift's refresh (which reads every instalment): issuing
    # it takes the year's receipt-number lock, held until commit, and every paid event
    # queues on that lock. It still comes before the events that waited for this payment,
    # which then void or replace it as if they had come after.
    _save_donation(donation, receipt=False)
    _refresh_recurring(gift)
    sync_receipt(donation=donation)
    run_deferred(donation.payment_intent_id)
    if not paid:
        from donations.stripe_integration import dunning

        dunning.record_payment_failed(
            gift=gift,
            donation=donation,
            next_attempt_at=timestamp(invoice.get("next_payment_attempt")),
        )


def on_subscription(event: StripeEvent) -> None:
    sub = event_object(event)
    sub_id = stripe_id(sub.get("id"))
    deleted = event.type == "customer.subscription.deleted"
    current = None if deleted else stripe_client.fetch_subscription(sub_id)
    applied_at = event_time(event)
    if current is not None:
        # Stripe's present state, whatever the order of the updates we were sent.
        sub, applied_at = current, timezone.now()
    gift = _lock_recurring(
        metadata=sub.get("metadata"), subscription_id=sub_id
    ) or outside.recurring_gift_for(
        subscription_id=sub_id, customer_id=stripe_id(sub.get("customer")), subscription=sub
    )
    if gift is None:
        logger.info("subscription %s is not ours; nothing to do", sub_id)
        return
    customer = stripe_id(sub.get("customer"))
    if customer and not gift.stripe_customer_id:
        gift.stripe_customer_id = customer
    items = sub.get("items")
    for item in items.get("data", []) if isinstance(items, dict) else []:
        period_end = timestamp(item.get("current_period_end"))
        if period_end and (gift.current_period_end is None or period_end > gift.current_period_end):
            gift.current_period_end = period_end
    status = str(sub.get("status") or "")
    if deleted or status in ("canceled", "incomplete_expired"):
        cancelled = timestamp(sub.get("canceled_at")) or timestamp(sub.get("ended_at"))
        gift.cancelled_at = earliest(gift.cancelled_at, cancelled or applied_at)
    if status and (gift.stripe_status_at is None or applied_at >= gift.stripe_status_at):
        gift.stripe_status = status
        gift.stripe_status_at = applied_at
        take_subscription_amount(gift, sub)  # the newest state's amount, as for the status
    _refresh_recurring(gift)


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
    _save_donation(donation)


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
    _save_donation(donation)


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
    _save_donation(donation)


HANDLERS: dict[str, Handler] = {
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
