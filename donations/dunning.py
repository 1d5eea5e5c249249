"""Telling a monthly donor that a payment failed, with a link to update their card.

The ledger calls ``record_payment_failed`` in the transaction that marks the instalment
failed. It only records a message in the outbox (notifications), under a dedupe key made
from the invoice, so a duplicate delivery of the same ``invoice.payment_failed`` (or its
re-processing) never sends a second e-mail.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.services import ensure_person
from donations.models import Donation, Donor, RecurringGift
from donations.money import format_money
from notifications.services import enqueue_message

CARD_LINK_SALT = "donations.update-card"
# A dunning e-mail's link keeps working while Stripe retries the payment (about 3 weeks).
CARD_LINK_MAX_AGE = 30 * 24 * 3600


def donor_account(donor: Donor) -> User:
    """The donor's login, made (without a password; magic links sign in) when missing."""
    if donor.user_id is not None:
        assert donor.user is not None
        return donor.user
    first, _, last = donor.name.partition(" ")
    user, _created = ensure_person(
        email=donor.email,
        password="",
        roles=(Role.DONOR,),
        first_name=first[:150],
        last_name=last[:150],
    )
    if _created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    donor.user = user
    donor.save(update_fields=["user", "updated_at"])
    return user


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
    if not donor.email:
        return
    context: dict[str, str] = {
        "amount": format_money(donation.money),
        "billing_portal_url": card_update_url(gift),
    }
    if next_attempt_at is not None:
        context["next_attempt_on"] = next_attempt_at.date().isoformat()
    enqueue_message(
        recipient=donor_account(donor),
        kind="donation.payment_failed",
        dedupe_key=f"donation.payment_failed:{donation.invoice_id or donation.pk}",
        context=context,
        essential=True,
    )
