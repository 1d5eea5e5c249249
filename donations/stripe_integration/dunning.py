"""Telling a monthly donor that a payment failed, with a link to update their card.

The ledger calls ``record_payment_failed`` in the transaction that marks the instalment
failed. It only records a message in the outbox (notifications), under a dedupe key made
from the invoice, so a duplicate delivery of the same ``invoice.payment_failed`` (or its
re-processing) never sends a second e-mail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from core.dates import org_zone
from donations.message_kinds import PAYMENT_FAILED
from donations.models import Donation, RecurringGift
from donations.money import format_money
from donations.services.donors import donor_account
from notifications.models import Message
from notifications.services import enqueue_message
from notifications.services.hooks import context_pk

KIND = PAYMENT_FAILED.name
CARD_LINK_SALT = "donations.update-card"
# A dunning e-mail's link keeps working while Stripe retries the payment (about 3 weeks).
CARD_LINK_MAX_AGE = 30 * 24 * 3600


def card_update_token(gift: RecurringGift) -> str:
    return signing.dumps({"gift": gift.pk}, salt=CARD_LINK_SALT)


def gift_for_card_token(token: str) -> RecurringGift | None:
    """The recurring gift of a card-update link, or None if it is forged or too old."""
    try:
        data = signing.loads(token, salt=CARD_LINK_SALT, max_age=CARD_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    pk = data.get("gift") if isinstance(data, dict) else None
    if not isinstance(pk, int):
        return None
    return RecurringGift.objects.select_related("donor").filter(pk=pk).first()


def card_update_url(gift: RecurringGift) -> str:
    path = reverse("donations:update_card", kwargs={"token": card_update_token(gift)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def record_payment_failed(
    *, gift: RecurringGift, donation: Donation, next_attempt_at: datetime | None = None
) -> None:
    """Queue the "your monthly gift's payment failed" e-mail for this instalment, once.

    ``next_attempt_at`` is when Stripe will retry (the invoice's ``next_payment_attempt``).
    """
    donor = gift.donor
    if not donor.email or donation.paid_at is not None or gift.cancelled_at is not None:
        # Paid on a retry already (its failure was delivered late), or no longer giving.
        return
    recipient = donor_account(donor)
    context: dict[str, str | int] = {
        "donation_id": donation.pk,
        # In the donor's conventions, not those of whoever's request or task queued it.
        "amount": format_money(donation.money, recipient.preferred_language),
        "billing_portal_url": card_update_url(gift),
    }
    if next_attempt_at is not None:
        context["next_attempt_on"] = next_attempt_at.astimezone(org_zone()).date().isoformat()
    enqueue_message(
        recipient=recipient,
        kind=KIND,
        dedupe_key=f"{KIND}:{donation.invoice_id or donation.pk}",
        context=context,
        essential=True,
    )


def refresh_payment_failed(message: Message) -> dict[str, Any] | str:
    """Just before sending: not if the instalment was paid meanwhile or the gift stopped."""
    donation = (
        Donation.objects.select_related("recurring_gift")
        .filter(pk=context_pk(message, "donation_id"))
        .first()
    )
    if donation is None:
        return "The payment no longer exists."
    if donation.paid_at is not None:
        return "The payment went through on a retry."
    gift = donation.recurring_gift
    if gift is not None and gift.cancelled_at is not None:
        return "The monthly gift was cancelled."
    context: dict[str, Any] = message.context
    return context
