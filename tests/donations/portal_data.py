"""Small builders for the donor portal, donor records and reports tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from accounts.models import User
from accounts.roles import Role
from donations.models import Campaign, Donation, DonationStatus, Donor, RecurringGift
from tests.factories import make_user


def donor_with_login(name: str, email: str, *, roles: tuple[Role, ...] = (Role.DONOR,)) -> Donor:
    first, _, last = name.partition(" ")
    user: User = make_user(roles=list(roles), email=email, first_name=first, last_name=last)
    return Donor.objects.create(name=name, email=email, user=user)


def gift(
    donor: Donor,
    minor: int = 2500,
    currency: str = "USD",
    *,
    paid: datetime | str = "2025-06-15",
    status: str = DonationStatus.PAID,
    refunded: int = 0,
    **kwargs: Any,
) -> Donation:
    when = (
        datetime.fromisoformat(paid).replace(hour=15, tzinfo=UTC) if isinstance(paid, str) else paid
    )
    return Donation.objects.create(
        donor=donor,
        amount_minor=minor,
        currency=currency,
        status=status,
        refunded_minor=refunded,
        paid_at=None if status in ("pending", "failed") else when,
        **kwargs,
    )


_SUBSCRIPTIONS = itertools.count(1)


def monthly(donor: Donor, minor: int = 1500, **kwargs: Any) -> RecurringGift:
    return RecurringGift.objects.create(
        donor=donor,
        amount_minor=minor,
        currency="USD",
        status=kwargs.pop("status", "active"),
        stripe_subscription_id=kwargs.pop(
            "stripe_subscription_id", f"sub_{donor.pk}_{next(_SUBSCRIPTIONS)}"
        ),
        stripe_customer_id=kwargs.pop("stripe_customer_id", f"cus_{donor.pk}"),
        **kwargs,
    )


def campaign(slug: str, name: str | None = None) -> Campaign:
    return Campaign.objects.create(slug=slug, name=name or slug.title())
