"""Payments and subscriptions that did not start on our donate page (Payment Links, the
Dashboard): their events make the donor, monthly gift and gifts, in any order and any number
(real SDK against a local stub answering for the customers and the subscription)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from donations.models import (
    Donation,
    DonationSource,
    DonationStatus,
    RecurringGift,
    RecurringStatus,
    StripeCustomerLink,
    StripeEvent,
    StripeEventStatus,
)
from donations.stripe_integration import offline_events as se
from tests.donations import ledger_stream as ls

T0 = ls.T0
DAY = ls.DAY
CUSTOMERS = {
    "cus_out_a": ("ada@example.org", "Ada Outside"),
    "cus_out_b": ("bo@example.org", "Bo Outside"),
}
SUBSCRIPTION = se.subscription(
    subscription_id="sub_out",
    customer="cus_out_b",
    status="canceled",
    amount_minor=1500,
    currency="USD",
    metadata={},
    current_period_end=T0 + 90 * DAY,
    canceled_at=T0 + 80 * DAY,
)


def stream() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []

    def add(kind: str, obj: dict[str, Any], at: int) -> None:
        events.append(se.build_event(kind, obj, created=at, event_id=f"evt_out_{len(events)}"))

    # Ada pays EUR 40.00 through a Payment Link; EUR 10.00 is refunded.
    session = se.checkout_session(
        session_id="cs_link_ada",
        mode="payment",
        amount_minor=4000,
        currency="EUR",
        email="ada@example.org",
        name="Ada Outside",
        metadata={},
        customer="cus_out_a",
        payment_intent="pi_link_ada",
        created=T0,
    )
    add("checkout.session.completed", session, T0)
    refund = se.charge(
        charge_id="ch_link_ada",
        payment_intent="pi_link_ada",
        amount_minor=4000,
        currency="EUR",
        amount_refunded=1000,
        created=T0,
    )
    add("charge.refunded", refund, T0 + DAY)
    # Bo's monthly USD 15.00 made in the Dashboard: three paid invoices, then cancelled.
    active = SUBSCRIPTION | {"status": "active", "canceled_at": None, "ended_at": None}
    add("customer.subscription.updated", active, T0 + 100)
    for n in range(3):
        invoice = se.invoice(
            invoice_id=f"in_out_{n}",
            subscription="sub_out",
            customer="cus_out_b",
            amount_minor=1500,
            currency="USD",
            metadata={},
            paid=True,
            payment_intent=f"pi_out_{n}",
            created=T0 + n * 30 * DAY,
        )
        add("invoice.paid", invoice, T0 + n * 30 * DAY + 10)
    add("customer.subscription.deleted", SUBSCRIPTION, T0 + 80 * DAY)
    return events


STREAM = len(stream())


def serve(stub: HTTPServer) -> None:
    for customer_id, (email, name) in CUSTOMERS.items():
        stub.expect_request(f"/v1/customers/{customer_id}").respond_with_json(
            {"id": customer_id, "object": "customer", "email": email, "name": name}
        )
    stub.expect_request("/v1/subscriptions/sub_out").respond_with_json(SUBSCRIPTION)


def snapshot() -> dict[str, Any]:
    return {
        "gifts": sorted(
            (d.donor.email, d.source, d.amount_minor, d.currency, d.status, d.refunded_minor)
            for d in Donation.objects.select_related("donor")
        ),
        "monthly": sorted(
            (g.donor.email, g.amount_minor, g.status, g.stripe_subscription_id)
            for g in RecurringGift.objects.select_related("donor")
        ),
        "links": sorted(StripeCustomerLink.objects.values_list("customer_id", "donor__email")),
        "events": sorted(StripeEvent.objects.values_list("event_id", "status")),
    }


def run(order: list[int], duplicates: list[int]) -> dict[str, Any]:
    events = stream()
    with transaction.atomic():
        for index in [*order, *duplicates]:
            assert not ls.deliver(events[index], secret="whsec_stub").failed
        result = snapshot()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_outside_events_in_order_make_the_donors_and_gifts(stripe_stub):
    serve(stripe_stub)
    result = run(list(range(STREAM)), [])
    assert result["gifts"] == sorted(
        [
            ("ada@example.org", DonationSource.STRIPE_OUTSIDE, 4000, "EUR",
             DonationStatus.PARTIALLY_REFUNDED, 1000),
            *[("bo@example.org", DonationSource.STRIPE_OUTSIDE, 1500, "USD",
               DonationStatus.PAID, 0)] * 3,
        ]
    )  # fmt: skip
    assert result["monthly"] == [("bo@example.org", 1500, RecurringStatus.CANCELLED, "sub_out")]
    assert result["links"] == [("cus_out_a", "ada@example.org"), ("cus_out_b", "bo@example.org")]
    assert {status for _id, status in result["events"]} == {StripeEventStatus.DONE}


@pytest.mark.postgres
@pytest.mark.django_db
@hsettings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    order=st.permutations(list(range(STREAM))),
    duplicates=st.lists(st.integers(0, STREAM - 1), max_size=5),
)
def test_outside_events_in_any_order_and_number_give_the_same_ledger(
    stripe_stub, order, duplicates
):
    serve(stripe_stub)
    expected = run(list(range(STREAM)), [])
    assert run(order, duplicates) == expected
