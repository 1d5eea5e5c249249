"""Checkouts the donor never finished: ``checkout.session.expired`` marks them abandoned, and
no list of gifts shows them beside the real ones (unless asked for them by status)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from donations.models import (
    Donation,
    DonationStatus,
    Donor,
    RecurringGift,
    RecurringStatus,
    StripeEventStatus,
)
from donations.stripe_integration import offline_events as se
from tests.donations import ledger_stream as ls
from tests.donations.portal_data import donor_with_login, gift
from tests.utils import read_download

pytestmark = pytest.mark.django_db

G = "/coordinator/giving"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = ls.SECRET
    settings.STRIPE_SECRET_KEY = ""


def session_event(
    gift_: Donation | RecurringGift, type_: str, *, paid: bool = False, at: int = ls.T0
) -> dict[str, Any]:
    one_time = isinstance(gift_, Donation)
    session = se.checkout_session(
        session_id=f"cs_abandon_{gift_.pk}_{'d' if one_time else 'r'}",
        mode="payment" if one_time else "subscription",
        amount_minor=gift_.amount_minor,
        currency=gift_.currency,
        email=gift_.donor.email,
        name=gift_.donor.name,
        metadata={("donation_id" if one_time else "recurring_gift_id"): str(gift_.pk)},
        payment_status="paid" if paid else "unpaid",
        payment_intent=f"pi_abandon_{gift_.pk}" if paid else None,
        status="complete" if paid else "expired",
    )
    return se.build_event(type_, session, created=at)


def test_an_expired_checkout_is_abandoned_and_hidden_from_every_list_of_gifts(
    client: Client, coordinator: User
):
    donor = donor_with_login("Grace Hopper", "grace.a@example.org")
    paid = gift(donor, 2500, paid="2026-11-02")
    left = Donation.objects.create(donor=donor, amount_minor=2500, currency="USD")
    outcome = ls.deliver(session_event(left, "checkout.session.expired"))
    assert outcome.status == StripeEventStatus.DONE
    left.refresh_from_db()
    assert left.status == DonationStatus.ABANDONED
    assert left.checkout_expired_at is not None and left.paid_at is None

    # The donor's own history: the paid gift only.
    assert donor.user is not None
    client.force_login(donor.user)
    assert [g.pk for g in client.get("/donor/").context["gifts"]] == [paid.pk]

    client.force_login(coordinator)
    listed = client.get(f"{G}/donations/").context["page"].object_list
    assert [d.pk for d in listed] == [paid.pk]
    # Asked for by status, it is there.
    asked = client.get(f"{G}/donations/", {"status": "abandoned"}).context["page"].object_list
    assert [d.pk for d in asked] == [left.pk]
    profile = client.get(f"{G}/donors/{donor.pk}/")
    assert [g.pk for g in profile.context["gifts"]] == [paid.pk]
    rows = list(
        csv.DictReader(io.StringIO(read_download(client.get(f"{G}/gifts/export.csv")).decode()))
    )
    assert [(r["amount"], r["status"]) for r in rows] == [("25.00", "paid")]


def test_an_open_checkout_is_not_listed_either(client: Client, coordinator: User):
    donor = Donor.objects.create(name="Ana Lima", email="ana.open@example.org")
    Donation.objects.create(donor=donor, amount_minor=2500, currency="USD")
    client.force_login(coordinator)
    assert list(client.get(f"{G}/donations/").context["page"].object_list) == []
    pending = client.get(f"{G}/donations/", {"status": "pending"}).context["page"].object_list
    assert [d.donor_id for d in pending] == [donor.pk]


@pytest.mark.parametrize("expired_first", [True, False])
def test_a_payment_wins_over_an_expiry_in_any_order(expired_first):
    donor = Donor.objects.create(name="Binh Tran", email="binh.x@example.org")
    donation = Donation.objects.create(donor=donor, amount_minor=2500, currency="USD")
    expired = session_event(donation, "checkout.session.expired", at=ls.T0 + 60)
    completed = session_event(donation, "checkout.session.completed", paid=True, at=ls.T0)
    for event in [expired, completed] if expired_first else [completed, expired]:
        ls.deliver(event)
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_an_expired_monthly_checkout_is_abandoned_and_not_listed(client: Client, coordinator: User):
    donor = donor_with_login("Chris Ray", "chris.x@example.org")
    monthly = RecurringGift.objects.create(donor=donor, amount_minor=1500, currency="USD")
    ls.deliver(session_event(monthly, "checkout.session.expired"))
    monthly.refresh_from_db()
    assert monthly.status == RecurringStatus.ABANDONED
    client.force_login(coordinator)
    assert list(client.get(f"{G}/recurring/").context["page"].object_list) == []
    asked = client.get(f"{G}/recurring/", {"status": "abandoned"}).context["page"].object_list
    assert [g.pk for g in asked] == [monthly.pk]


def test_the_thanks_page_says_the_checkout_expired(client: Client):
    donor = Donor.objects.create(name="Dana Wu", email="dana.x@example.org")
    donation = Donation.objects.create(
        donor=donor, amount_minor=2500, currency="USD", checkout_session_id="cs_thanks_gone"
    )
    ls.deliver(session_event(donation, "checkout.session.expired"))
    html = client.get("/donate/thanks/", {"session_id": "cs_thanks_gone"}).content.decode()
    assert "This checkout expired before it was finished." in html
    assert "Waiting for the payment" not in html


def test_the_test_checkout_can_be_left_to_expire(client: Client, monkeypatch):
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(
        "donations.views.public.enqueue_on_commit",
        lambda task, **kwargs: sent.append(kwargs),
    )
    response = client.post(
        "/donate/",
        {
            "currency": "USD",
            "amount": "USD:25.00",
            "frequency": "once",
            "tribute_type": "none",
            "name": "Grace Hopper",
            "email": "grace.t@example.org",
        },
    )
    url = response["Location"]
    assert "Leave without paying (the checkout expires)" in client.get(url).content.decode()
    client.post(url, {"scenario": "abandoned"})
    [job] = sent
    assert [event["type"] for event in job["events"]] == ["checkout.session.expired"]
    for event in job["events"]:
        ls.deliver(event)
    assert Donation.objects.get().status == DonationStatus.ABANDONED
