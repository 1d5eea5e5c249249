"""A refund of a payment made outside our page, whose own events never came: it waits, is
listed after a day, and the coordinator's button fetches the charge and applies it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from donations.models import (
    Donation,
    DonationSource,
    DonationStatus,
    StripeEvent,
    StripeEventStatus,
)
from donations.stripe_integration import offline_events as se
from donations.stripe_integration.deferred import resolve_deferred, stuck_events
from tests.donations import ledger_stream as ls

pytestmark = pytest.mark.django_db


def test_a_stuck_refund_is_listed_and_resolved_from_stripe(
    client: Client, coordinator, stripe_stub
):
    charge = se.charge(
        charge_id="ch_old",
        payment_intent="pi_old",
        amount_minor=5000,
        currency="USD",
        amount_refunded=2000,
        created=ls.T0,
    ) | {"customer": "cus_old"}
    event = se.build_event("charge.refunded", charge, created=ls.T0, event_id="evt_stuck")
    assert ls.deliver(event, secret="whsec_stub").status == StripeEventStatus.DEFERRED
    stored = StripeEvent.objects.get(event_id="evt_stuck")
    assert list(stuck_events()) == []  # not a day yet
    StripeEvent.objects.filter(pk=stored.pk).update(received_at=timezone.now() - timedelta(days=2))
    assert list(stuck_events()) == [stored]

    client.force_login(coordinator)
    page = client.get("/coordinator/giving/stripe-events/", {"status": "deferred"}).content.decode()
    assert f"/coordinator/giving/stripe-events/{stored.pk}/resolve/" in page

    paid = charge | {"amount_refunded": 0}
    stripe_stub.expect_request("/v1/charges", method="GET").respond_with_json(
        {"object": "list", "data": [paid], "has_more": False, "url": "/v1/charges"}
    )
    stripe_stub.expect_request("/v1/customers/cus_old").respond_with_json(
        {"id": "cus_old", "object": "customer", "email": "old@example.org", "name": "Old Donor"}
    )
    response = client.post(f"/coordinator/giving/stripe-events/{stored.pk}/resolve/")
    assert response.status_code == 302
    gift = Donation.objects.get(charge_id="ch_old")
    assert (gift.donor.email, gift.source, gift.amount_minor, gift.refunded_minor, gift.status) == (
        "old@example.org",
        DonationSource.STRIPE_OUTSIDE,
        5000,
        2000,
        DonationStatus.PARTIALLY_REFUNDED,
    )
    stored.refresh_from_db()
    assert stored.status == StripeEventStatus.DONE
    assert resolve_deferred(event_pk=stored.pk) == 0  # nothing waits any more
