"""Payments and subscriptions that did not start on our donate page (Payment Links, the
Stripe Dashboard, an old plugin): their events make the donor, the monthly gift and the gift,
as the import does, so nothing about them waits forever.

Who the donor is depends only on the Stripe customer: the customer is asked of Stripe (its
e-mail and name) and linked once (``StripeCustomerLink``), under a lock on the customer id,
so events in any order and any number make one donor. A subscription is made once, under a
lock on its id, from the subscription as Stripe has it now. Called by the ledger's handlers
inside their transaction, after any fetch from Stripe.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

import stripe
from django.db import connection

from donations.models import Donation, DonationSource, Donor, RecurringGift, StripeCustomerLink
from donations.money import MAX_MINOR, MoneyError, normalize_currency
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.importer import import_customer, import_subscription
from donations.stripe_integration.payload import stripe_id

logger = logging.getLogger(__name__)

JSON = dict[str, Any]


def _lock(key: str) -> None:
    """A transaction-long lock on ``key`` (PostgreSQL; SQLite has one writer anyway)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(key.encode()) - 2**31])


def fetch(kind: str, object_id: str) -> JSON | None:
    """A customer or subscription as Stripe has it now (None offline or when Stripe fails)."""
    if not stripe_client.is_configured() or not object_id:
        return None
    try:
        found = getattr(stripe_client.get_client().v1, kind).retrieve(object_id)
    except stripe.StripeError as exc:
        logger.warning("Stripe %s retrieve failed: %s", kind, type(exc).__name__)
        return None
    data: JSON = found.to_dict()
    return data


def donor_for_customer(customer_id: str, *, email: str = "", name: str = "") -> Donor:
    """The donor of a Stripe customer, linked on first sight (Stripe's e-mail and name win
    over the event's ``email`` and ``name``, which stand in offline)."""
    _lock(f"stripe-cus:{customer_id}")
    link = StripeCustomerLink.objects.select_related("donor").filter(customer_id=customer_id)
    found = link.first()
    if found is not None:
        return found.donor
    customer = fetch("customers", customer_id) or {}
    import_customer(
        {
            "id": customer_id,
            "email": customer.get("email") or email,
            "name": customer.get("name") or name,
        }
    )
    return StripeCustomerLink.objects.select_related("donor").get(customer_id=customer_id).donor


def recurring_gift_for(
    *, subscription_id: str, customer_id: str, subscription: JSON | None = None
) -> RecurringGift | None:
    """The monthly gift of an outside subscription, made on first sight; None when the
    subscription cannot be known (offline, without the subscription object)."""
    if not subscription_id or not customer_id:
        return None
    _lock(f"stripe-sub:{subscription_id}")
    query = RecurringGift.objects.select_for_update(of=("self",))
    gift = query.filter(stripe_subscription_id=subscription_id).first()
    if gift is not None:
        return gift
    sub = subscription or fetch("subscriptions", subscription_id)
    if sub is None:
        return None
    donor_for_customer(customer_id)
    if not import_subscription(sub):
        return None
    return query.filter(stripe_subscription_id=subscription_id).first()


def one_time_gift_for(session: JSON) -> Donation | None:
    """The gift of a paid outside Checkout Session (e.g. a Payment Link), made on first sight.

    The caller holds the payment intent's lock, so two events for the session make one gift.
    """
    session_id = stripe_id(session.get("id"))
    total, currency = session.get("amount_total"), str(session.get("currency") or "").upper()
    details = (
        session.get("customer_details") if isinstance(session.get("customer_details"), dict) else {}
    )
    email = str((details or {}).get("email") or session.get("customer_email") or "")
    name = str((details or {}).get("name") or "")
    customer_id = stripe_id(session.get("customer"))
    if not session_id or type(total) is not int or not 0 < total <= MAX_MINOR:
        return None
    try:
        currency = normalize_currency(currency)
    except MoneyError:
        return None
    if customer_id:
        donor = donor_for_customer(customer_id, email=email, name=name)
    elif email:
        donor = Donor.objects.filter(email__iexact=email).first() or Donor.objects.create(
            name=name or email, email=email.lower()
        )
    else:
        return None
    return Donation.objects.create(
        donor=donor,
        amount_minor=total,
        currency=currency,
        checkout_session_id=session_id,
        source=DonationSource.STRIPE_OUTSIDE,
    )
