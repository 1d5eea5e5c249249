"""Reconciliation's "objects that disagree": Stripe's charges (with their balance
transactions) and subscriptions, read through the real SDK from the local stub, compared
with the ledger; each one that differs is listed with what differs and a link to the gift."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from donations.models import (
    BalanceTransaction,
    Donation,
    DonationStatus,
    Donor,
    RecurringGift,
    StripeDisagreement,
)
from donations.stripe_integration import offline_events as se
from donations.stripe_integration.disagreements import find_disagreements, record_disagreements
from tests.donations.portal_data import monthly

pytestmark = pytest.mark.django_db

NOW = 1_790_000_000


def charge(charge_id: str, minor: int, currency: str = "usd", **extra: Any) -> dict[str, Any]:
    body = {
        "id": charge_id,
        "object": "charge",
        "amount": minor,
        "amount_refunded": 0,
        "currency": currency,
        "status": "succeeded",
        "disputed": False,
        "payment_intent": f"pi_{charge_id}",
        "created": NOW - 3600,
    }
    return body | extra


def balance(txn_id: str, fee: int, currency: str = "usd") -> dict[str, Any]:
    return {"id": txn_id, "object": "balance_transaction", "fee": fee, "currency": currency}


def paid(donor: Donor, minor: int, currency: str = "USD", **kwargs: Any) -> Donation:
    return Donation.objects.create(
        donor=donor,
        amount_minor=minor,
        currency=currency,
        status=kwargs.pop("status", DonationStatus.PAID),
        paid_at=kwargs.pop("paid_at", se_now()),
        **kwargs,
    )


def se_now():
    from datetime import UTC, datetime

    return datetime.fromtimestamp(NOW - 3600, tz=UTC)


def fee_row(donation: Donation, txn_id: str, amount: int, fee: int, currency: str = "USD"):
    return BalanceTransaction.objects.create(
        donation=donation,
        stripe_id=txn_id,
        kind="charge",
        source_id=donation.charge_id,
        amount_minor=amount,
        fee_minor=fee,
        net_minor=amount - fee,
        currency=currency,
    )


def subscription(sub_id: str, minor: int, status: str) -> dict[str, Any]:
    return se.subscription(
        subscription_id=sub_id,
        customer="cus_x",
        status=status,
        amount_minor=minor,
        currency="USD",
        metadata={},
        current_period_end=NOW + 86400,
    )


@pytest.fixture
def ledger() -> dict[str, Any]:
    donor = Donor.objects.create(name="Rosa Diaz", email="rosa@example.org")
    refunded_in_stripe = paid(donor, 5000, charge_id="ch_a", payment_intent_id="pi_ch_a")
    fee_row(refunded_in_stripe, "txn_a", 5000, 175)
    other_fee = paid(donor, 3000, "JPY", charge_id="ch_b", payment_intent_id="pi_ch_b")
    fee_row(other_fee, "txn_b", 2010, 90)
    agrees = paid(donor, 2500, charge_id="ch_c", payment_intent_id="pi_ch_c")
    fee_row(agrees, "txn_c", 2500, 103)
    by_intent = paid(donor, 2500, payment_intent_id="pi_ch_d")  # its charge not linked yet
    lapsed = monthly(donor, 1500, stripe_subscription_id="sub_e", stripe_status="active")
    fine = monthly(donor, 1000, stripe_subscription_id="sub_f", stripe_status="active")
    return {
        "donor": donor,
        "a": refunded_in_stripe,
        "b": other_fee,
        "c": agrees,
        "d": by_intent,
        "e": lapsed,
        "f": fine,
    }


def stripe_objects() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    charges = [
        charge("ch_a", 5000, amount_refunded=1000, balance_transaction=balance("txn_a", 175)),
        charge("ch_b", 3000, "jpy", balance_transaction=balance("txn_b", 95)),
        charge("ch_c", 2500, balance_transaction=balance("txn_c", 103)),
        charge("ch_d", 2600, balance_transaction=balance("txn_d", 105)),
        charge("ch_not_ours", 9900, payment_intent="pi_other"),
    ]
    subscriptions = [
        subscription("sub_e", 2000, "past_due"),
        subscription("sub_f", 1000, "active"),
        subscription("sub_not_ours", 500, "active"),
    ]
    return charges, subscriptions


def serve(
    stub: HTTPServer, charges: list[dict[str, Any]], subs: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """Stripe's two lists, paged by 2 whatever the limit asked (``starting_after``)."""
    asked: list[dict[str, str]] = []

    def pages(rows: list[dict[str, Any]], url: str):
        def handler(request: Request) -> Response:
            asked.append({"url": url, **request.args})
            after = request.args.get("starting_after")
            rest = rows[[r["id"] for r in rows].index(after) + 1 :] if after else rows
            body = {"object": "list", "url": url, "data": rest[:2], "has_more": len(rest) > 2}
            return Response(json.dumps(body), content_type="application/json")

        return handler

    stub.expect_request("/v1/charges", method="GET").respond_with_handler(
        pages(charges, "/v1/charges")
    )
    stub.expect_request("/v1/subscriptions", method="GET").respond_with_handler(
        pages(subs, "/v1/subscriptions")
    )
    return asked


def found() -> dict[str, tuple[str, int | None, int | None, list[dict[str, Any]]]]:
    return {
        row.stripe_id: (row.object_type, row.donation_id, row.recurring_gift_id, row.differences)
        for row in StripeDisagreement.objects.all()
    }


def test_each_object_that_disagrees_is_listed_with_what_differs(ledger, stripe_stub: HTTPServer):
    asked = serve(stripe_stub, *stripe_objects())
    with time_machine.travel(NOW, tick=False):
        check = find_disagreements(days=3)
    assert (check.charges, check.subscriptions, check.disagreeing) == (4, 2, 4)
    assert found() == {
        "ch_a": (
            "charge",
            ledger["a"].pk,
            None,
            [
                {"field": "refunded", "ours": 0, "stripe": 1000, "currency": "USD"},
                {"field": "status", "ours": "paid", "stripe": "partially_refunded", "currency": ""},
            ],
        ),
        "ch_b": (
            "charge",
            ledger["b"].pk,
            None,
            [{"field": "fee", "ours": 90, "stripe": 95, "currency": "USD"}],
        ),
        "ch_d": (
            "charge",
            ledger["d"].pk,
            None,
            [
                {"field": "amount", "ours": 2500, "stripe": 2600, "currency": "USD"},
                {"field": "fee", "ours": None, "stripe": 105, "currency": "USD"},
            ],
        ),
        "sub_e": (
            "subscription",
            None,
            ledger["e"].pk,
            [
                {"field": "status", "ours": "active", "stripe": "past_due", "currency": ""},
                {"field": "amount", "ours": 1500, "stripe": 2000, "currency": "USD"},
            ],
        ),
    }
    # Charges of the last three days with their balance transactions, every subscription.
    first = asked[0]
    assert first["url"] == "/v1/charges"
    assert first["created[gte]"] == str(NOW - 3 * 86400)
    assert first["expand[0]"] == "data.balance_transaction"
    assert {"url": "/v1/subscriptions", "status": "all", "limit": "100"}.items() <= asked[3].items()
    assert len(asked) == 5  # three pages of charges, two of subscriptions


def test_a_second_check_keeps_when_found_and_drops_what_agrees_now(ledger):
    charges, subs = stripe_objects()
    with time_machine.travel(NOW, tick=False):
        record_disagreements(charges=charges, subscriptions=subs)
    first_found = StripeDisagreement.objects.get(stripe_id="ch_b").first_found_at
    # The missed refund is applied, the monthly gift catches up.
    Donation.objects.filter(pk=ledger["a"].pk).update(
        refunded_minor=1000, status=DonationStatus.PARTIALLY_REFUNDED
    )
    RecurringGift.objects.filter(pk=ledger["e"].pk).update(
        amount_minor=2000, stripe_status="past_due"
    )
    with time_machine.travel(NOW + 86400, tick=False):
        check = record_disagreements(charges=charges, subscriptions=subs)
        again = record_disagreements(charges=charges, subscriptions=subs)
    assert check.disagreeing == again.disagreeing == 2
    assert set(found()) == {"ch_b", "ch_d"}
    row = StripeDisagreement.objects.get(stripe_id="ch_b")
    assert row.first_found_at == first_found
    assert int(row.checked_at.timestamp()) == NOW + 86400


def test_the_page_lists_what_differs_with_a_link_to_the_gift(client: Client, coordinator, ledger):
    charges, subs = stripe_objects()
    record_disagreements(charges=charges, subscriptions=subs)
    client.force_login(coordinator)
    response = client.get("/coordinator/giving/stripe-reconciliation/")
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "4 objects disagree" in page
    donor = ledger["donor"].pk
    assert f'href="/coordinator/giving/donors/{donor}/#gift-{ledger["a"].pk}"' in page
    assert "Refunded: ours $0.00, Stripe $10.00" in page
    assert "Status: ours Paid, Stripe Partially refunded" in page
    assert "Stripe fee: ours $0.90, Stripe $0.95" in page
    assert "Amount: ours $25.00, Stripe $26.00" in page
    assert "Stripe fee: ours —, Stripe $1.05" in page
    assert "Status: ours active, Stripe past_due" in page
    assert "Amount: ours $15.00, Stripe $20.00" in page
    # The donor page has the anchor the link points at.
    record = client.get(f"/coordinator/giving/donors/{donor}/").content.decode()
    assert f'id="gift-{ledger["a"].pk}"' in record


def test_page_query_count_is_the_same_for_few_and_many(client: Client, coordinator):
    donor = Donor.objects.create(name="Many", email="many@example.org")

    def add(count: int, start: int) -> None:
        charges = []
        for n in range(start, start + count):
            paid(donor, 1000, charge_id=f"ch_{n}", payment_intent_id=f"pi_{n}")
            charges.append(charge(f"ch_{n}", 1100))
            gift = monthly(donor, 500, stripe_subscription_id=f"sub_{n}", stripe_status="active")
            assert gift.pk
        subs = [subscription(f"sub_{n}", 600, "active") for n in range(start, start + count)]
        record_disagreements(charges=charges, subscriptions=subs)

    client.force_login(coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/coordinator/giving/stripe-reconciliation/").status_code == 200
        return len(queries)

    add(2, 0)
    small = count()
    StripeDisagreement.objects.all().delete()
    add(40, 100)
    assert StripeDisagreement.objects.count() == 80
    assert count() == small


def test_the_command_applies_late_events_and_lists_disagreements(ledger, stripe_stub):
    serve(stripe_stub, *stripe_objects())
    stripe_stub.expect_request("/v1/events", method="GET").respond_with_json(
        {"object": "list", "url": "/v1/events", "data": [], "has_more": False}
    )
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("reconcile_stripe", "--days", "3", stdout=out)
    text = out.getvalue()
    assert "Events: 0 listed, 0 applied late, 0 run again." in text
    assert "Compared 4 charges and 2 subscriptions: 4 disagree." in text
    assert (
        f"charge ch_a (gift {ledger['a'].pk}): Refunded: ours $0.00, Stripe $10.00; "
        "Status: ours Paid, Stripe Partially refunded"
    ) in text
    assert (
        f"subscription sub_e (monthly gift {ledger['e'].pk}): Status: ours active, "
        "Stripe past_due; Amount: ours $15.00, Stripe $20.00"
    ) in text
