"""Starting a gift: the pending record, then a Stripe Checkout Session for it.

``start_gift`` is the whole path from a valid donation form to the page where the donor pays:

1. In one transaction: check the amount (``money.check_minimum``, Stripe's maximum with the
   fee added), the currency (one of ``DONATION_CURRENCIES``) and the tribute; find or create
   the donor by lower-cased e-mail; create a pending ``Donation`` (once) or an incomplete
   ``RecurringGift`` (monthly). Commit.
2. Outside any transaction: ask Stripe for a Checkout Session, with an idempotency key made
   from the pending record's id and metadata naming it, so every later webhook links back to
   it. A Stripe failure raises ``StripeUnavailable`` and leaves the pending record (it never
   becomes paid without a webhook, and nothing else counts it).
3. Save the session id on the record (only if no webhook has done so already).

Without a Stripe key (offline test mode) step 2 makes up a session id
``cs_test_offline_<random>`` and the donor is sent to the local test checkout page instead.
Nothing here marks a gift paid: only webhooks do (``donations.stripe_integration.ledger``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import normalize_email
from core.forms import limits
from donations import options
from donations.models import (
    Campaign,
    Donation,
    DonationSource,
    DonationStatus,
    Donor,
    GiftInterval,
    RecurringGift,
    RecurringStatus,
    TributeType,
)
from donations.money import Money, MoneyError, check_minimum
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.client import GiftFrequency
from donations.stripe_integration.offline_events import OFFLINE_SESSION_PREFIX

if TYPE_CHECKING:
    from accounts.models import User

NAME_MAX_LENGTH: Final = 200


@dataclass(frozen=True, slots=True)
class StartedGift:
    """Where to send the donor next, and the pending record that waits for Stripe's word."""

    redirect_url: str
    checkout_session_id: str
    donation: Donation | None = None
    recurring_gift: RecurringGift | None = None


def idempotency_key(record: Donation | RecurringGift) -> str:
    """The key of the Checkout Session create for ``record``: one session per pending gift."""
    kind = "donation" if isinstance(record, Donation) else "recurring"
    return f"checkout-{kind}-{record.pk}"


def start_gift(
    *,
    amount: Money,
    frequency: GiftFrequency,
    campaign: Campaign | None,
    name: str,
    email: str,
    cover_fee: bool,
    tribute_type: str,
    tribute_name: str,
    anonymous: bool,
    tribute_notify: str = "",
    user: User | None = None,
    referral: str = "",
    success_url: str,
    cancel_url: str,
) -> StartedGift:
    """Create the pending gift and its Checkout Session; see the module's docstring.

    ``amount`` is the gift before any fee cover; with ``cover_fee`` the estimate from
    ``options.cover_fee_amount`` is added to it and stored as ``fee_covered_minor``. Raises
    ``ValidationError`` (keyed by form field: amount, currency, name, email, tribute_name,
    frequency, campaign) for bad input, before anything is stored, and
    ``StripeUnavailable`` when Stripe fails (the pending record stays).
    """
    record = _create_pending(
        amount=amount,
        frequency=frequency,
        campaign=campaign,
        name=name,
        email=email,
        cover_fee=cover_fee,
        tribute_type=tribute_type,
        tribute_name=tribute_name,
        tribute_notify=tribute_notify,
        anonymous=anonymous,
        user=user,
        referral=referral,
    )
    metadata = (
        {"donation_id": str(record.pk)}
        if isinstance(record, Donation)
        else {"recurring_gift_id": str(record.pk)}
    )
    if stripe_client.is_configured():
        session = stripe_client.checkout_for_gift(
            amount=record.money,
            frequency=frequency,
            product_name=_product_name(frequency=frequency, campaign=campaign),
            customer_email=record.donor.email,
            success_url=success_url,
            cancel_url=cancel_url,
            metadata=metadata,
            idempotency_key=idempotency_key(record),
        )
        session_id, url = session.id, session.url
    else:
        session_id = f"{OFFLINE_SESSION_PREFIX}{secrets.token_hex(12)}"
        url = reverse("donations:test_checkout", kwargs={"session_id": session_id})
    # A webhook may have linked the session first; its value is the same one.
    type(record).objects.filter(pk=record.pk, checkout_session_id="").update(
        checkout_session_id=session_id
    )
    record.checkout_session_id = session_id
    if isinstance(record, Donation):
        return StartedGift(redirect_url=url, checkout_session_id=session_id, donation=record)
    return StartedGift(redirect_url=url, checkout_session_id=session_id, recurring_gift=record)


def _create_pending(
    *,
    amount: Money,
    frequency: GiftFrequency,
    campaign: Campaign | None,
    name: str,
    email: str,
    cover_fee: bool,
    tribute_type: str,
    tribute_name: str,
    tribute_notify: str,
    anonymous: bool,
    user: User | None,
    referral: str = "",
) -> Donation | RecurringGift:
    name = " ".join(name.split())
    tribute_name = " ".join(tribute_name.split())
    address = normalize_email(email)
    total, fee = _check_gift(
        amount=amount,
        frequency=frequency,
        campaign=campaign,
        name=name,
        address=address,
        cover_fee=cover_fee,
        tribute_type=tribute_type,
        tribute_name=tribute_name,
    )
    tribute_notify = "\n".join(line.strip() for line in tribute_notify.strip().splitlines())
    if tribute_type == TributeType.NONE:
        tribute_name = tribute_notify = ""
    if len(tribute_notify) > limits.ADDRESS:
        raise ValidationError(
            {
                "tribute_notify": [
                    gettext("Ensure the address has at most %(limit)d characters.")
                    % {"limit": limits.ADDRESS}
                ]
            }
        )
    with transaction.atomic():
        donor = _donor_for(email=address, name=name, user=user)
        common = {
            "donor": donor,
            "campaign": campaign,
            "amount_minor": total.minor,
            "currency": total.currency,
            "fee_covered_minor": fee.minor,
            "tribute_type": tribute_type,
            "tribute_name": tribute_name,
            "tribute_notify": tribute_notify,
            "anonymous": anonymous,
            "referral": options.referral_code(referral),
        }
        if frequency == "monthly":
            return RecurringGift.objects.create(
                interval=GiftInterval.MONTH, status=RecurringStatus.INCOMPLETE, **common
            )
        return Donation.objects.create(
            status=DonationStatus.PENDING, source=DonationSource.STRIPE, **common
        )


def _check_gift(
    *,
    amount: Money,
    frequency: str,
    campaign: Campaign | None,
    name: str,
    address: str,
    cover_fee: bool,
    tribute_type: str,
    tribute_name: str,
) -> tuple[Money, Money]:
    """(total to charge, fee part), or a ``ValidationError`` naming every bad field."""
    errors: dict[str, list[str]] = {}
    total, fee = amount, Money(0, amount.currency)
    if amount.currency not in options.currencies():
        errors["currency"] = [_unsupported_currency(amount.currency)]
    else:
        try:
            check_minimum(amount)
            total, fee = options.total_with_fee(amount, cover_fee=cover_fee)
        except MoneyError as exc:
            errors["amount"] = exc.messages
    if frequency not in ("once", "monthly"):
        errors["frequency"] = [gettext("Choose once or monthly.")]
    if campaign is not None and not campaign.active:
        errors["campaign"] = [gettext("This campaign no longer takes gifts.")]
    if not name:
        errors["name"] = [gettext("Enter your name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [gettext("Enter a name of at most 200 characters.")]
    try:
        validate_email(address)
    except ValidationError:
        errors["email"] = [gettext("Enter a valid e-mail address, e.g. name@example.org.")]
    if tribute_type not in TributeType.values:
        errors["tribute_type"] = [gettext("Choose a kind of tribute.")]
    elif tribute_type != TributeType.NONE and not tribute_name:
        errors["tribute_name"] = [gettext("Enter the name of the person the gift honours.")]
    elif len(tribute_name) > NAME_MAX_LENGTH:
        errors["tribute_name"] = [gettext("Enter a name of at most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    return total, fee


def _unsupported_currency(currency: str) -> str:
    return gettext("We take gifts in %(currencies)s only, not %(currency)s.") % {
        "currencies": ", ".join(options.currencies()),
        "currency": currency,
    }


def _donor_for(*, email: str, name: str, user: User | None) -> Donor:
    """The donor with this (lower-case) e-mail, created if new; linked to ``user``'s login
    when the person is logged in with that same e-mail and neither side is linked yet.

    ``get_or_create`` is race-safe here: the e-mail is unique, so of two concurrent first
    gifts one insert fails, in its own savepoint, and that call reads the other's row.
    """
    donor, _created = Donor.objects.get_or_create(email=email, defaults={"name": name})
    if (
        user is not None
        and user.is_authenticated
        and normalize_email(user.email) == email
        and donor.user_id is None
        and not Donor.objects.filter(user=user).exists()
    ):
        try:
            with transaction.atomic():
                linked = Donor.objects.filter(pk=donor.pk, user__isnull=True).update(user=user)
        except IntegrityError:
            # The login was linked to another donor record at the same moment.
            linked = 0
        if linked:
            donor.user = user
    return donor


def _product_name(*, frequency: str, campaign: Campaign | None) -> str:
    """The line shown on Stripe's payment page and the donor's bank statement details."""
    org = settings.ORG_NAME
    if frequency == "monthly":
        text = gettext("Monthly gift to %(org)s") % {"org": org}
    else:
        text = gettext("Gift to %(org)s") % {"org": org}
    if campaign is not None:
        text = f"{text}: {campaign.name}"
    return text[:250]
