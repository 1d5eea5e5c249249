"""A gift's status, derived from its facts: the one place it is decided.

The Stripe ledger records facts (paid at, failed at, refunded so far, dispute state,
subscription cancelled) and offline gifts record theirs; both derive the status here, so a
status is never set by hand and is the same whichever order the facts arrived in.
"""

from __future__ import annotations

from typing import Final

from donations.models import DisputeStatus, Donation, DonationStatus, RecurringGift, RecurringStatus

# Stripe's subscription statuses, as a monthly gift's status where no invoice says more.
SUBSCRIPTION_STATUS: Final = {
    "active": RecurringStatus.ACTIVE,
    "trialing": RecurringStatus.ACTIVE,
    "past_due": RecurringStatus.PAST_DUE,
    "unpaid": RecurringStatus.PAST_DUE,
    "canceled": RecurringStatus.CANCELLED,
    "incomplete_expired": RecurringStatus.CANCELLED,
}


def donation_status(donation: Donation) -> str:
    """The one place a donation's status comes from: its payment, refund and dispute facts."""
    if donation.dispute_status == DisputeStatus.LOST:
        return DonationStatus.DISPUTE_LOST
    if donation.dispute_status == DisputeStatus.OPEN:
        return DonationStatus.DISPUTED
    if donation.paid_at is None:
        if donation.failed_at:
            return DonationStatus.FAILED
        if donation.checkout_expired_at:
            return DonationStatus.ABANDONED
        return DonationStatus.PENDING
    if donation.refunded_minor >= donation.amount_minor:
        return DonationStatus.REFUNDED
    if donation.refunded_minor > 0:
        return DonationStatus.PARTIALLY_REFUNDED
    if donation.dispute_status == DisputeStatus.WON:
        return DonationStatus.DISPUTE_WON
    return DonationStatus.PAID


def recurring_status(gift: RecurringGift, instalments: list[Donation]) -> str:
    """A recurring gift's status: cancelled, else what its latest invoice says, else Stripe's,
    else abandoned (its checkout expired before a subscription was made) or incomplete.

    The latest invoice (by Stripe's creation time) decides between active and past due, so
    "failed, then paid" of one invoice ends active whichever event came first.
    """
    if gift.cancelled_at is not None:
        return RecurringStatus.CANCELLED
    dated = [d for d in instalments if d.stripe_created is not None]
    if dated:
        latest = max(dated, key=lambda d: (d.stripe_created, d.invoice_id))
        if latest.paid_at is not None:
            return RecurringStatus.ACTIVE
        if latest.failed_at is not None:
            return RecurringStatus.PAST_DUE
    mapped = SUBSCRIPTION_STATUS.get(gift.stripe_status)
    if mapped is not None and mapped != RecurringStatus.CANCELLED:
        return mapped
    if gift.checkout_expired_at is not None and not gift.stripe_subscription_id:
        return RecurringStatus.ABANDONED
    return RecurringStatus.INCOMPLETE
