"""The ledger's monthly side: a subscription's checkout, its invoices (each one an
instalment, a gift of its own) and its updates (the rules every handler follows: ``ledger``)."""

from __future__ import annotations

import logging
from typing import Final

from django.utils import timezone

from accounts.services import audit
from donations.models import Donation, DonationSource, RecurringGift, StripeEvent
from donations.services.receipts import sync_receipt
from donations.services.system_audit import recurring_action
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration import outside, settlement
from donations.stripe_integration.ledger_shared import (
    EXPIRED,
    link_payment_intent,
    lock_payment_intent,
    refresh_recurring,
    run_deferred,
    save_donation,
)
from donations.stripe_integration.payload import (
    JSON,
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

# What an event may change in a monthly gift: each change is audited with its old and new value.
AUDITED: Final = (
    "amount_minor",
    "fee_covered_minor",
    "currency",
    "interval",
    "status",
    "stripe_status",
    "cancelled_at",
    "checkout_expired_at",
)


def _before(gift: RecurringGift) -> dict[str, object] | None:
    """The audited values before the event; None for a gift this event made (its creation
    is audited by ``system_audit.save_from_stripe`` with every value, once)."""
    return None if gift.loaded_values is None else audit.snapshot(gift, AUDITED)


def _audit_change(
    event: StripeEvent, gift: RecurringGift, before: dict[str, object] | None
) -> None:
    """One audit entry for what ``event`` changed in ``gift`` (none if nothing did: a repeat,
    or an older state). The actor is the system (no person: Stripe told us), the entry names
    the Stripe event and how it reached us (our endpoint or the nightly reconciliation)."""
    if before is None:
        return
    changes = audit.changed_fields(before, audit.snapshot(gift, AUDITED))
    if changes:
        audit.record(
            recurring_action(changes, created=False),
            actor=None,
            subject=gift.donor.user_id,
            obj=gift,
            changes=changes,
            data={
                "currency": gift.currency,
                "stripe_event": event.event_id,
                "stripe_event_type": event.type,
                "delivered_by": event.delivered_by,
                "subscription": gift.stripe_subscription_id,
            },
        )


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


def link_subscription_checkout(event: StripeEvent, session: JSON) -> None:
    gift = _lock_recurring(
        metadata=session.get("metadata"), subscription_id=stripe_id(session.get("subscription"))
    )
    if gift is None:
        logger.info("subscription checkout %s is not one of ours", stripe_id(session.get("id")))
        return
    before = _before(gift)
    session_id = stripe_id(session.get("id"))
    if session_id and not gift.checkout_session_id:
        gift.checkout_session_id = session_id
    customer = stripe_id(session.get("customer"))
    if customer and not gift.stripe_customer_id:
        gift.stripe_customer_id = customer
    if event.type == EXPIRED:
        gift.checkout_expired_at = earliest(gift.checkout_expired_at, event_time(event))
    refresh_recurring(gift)
    _audit_change(event, gift, before)


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
    before = _before(gift)
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
        refresh_recurring(gift)
        _audit_change(event, gift, before)
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
        link_payment_intent(donation, payment_intent_id)
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
    save_donation(donation, receipt=False)
    refresh_recurring(gift)
    _audit_change(event, gift, before)
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
    before = _before(gift)
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
    refresh_recurring(gift)
    _audit_change(event, gift, before)
