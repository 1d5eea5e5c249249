"""Bringing an existing Stripe account in, against a local stub of Stripe's list endpoints
(real SDK, pages of 100 with ``has_more`` and ``starting_after``): 1,200 customers, 400
subscriptions and 3,000 payments; interrupted half-way and resumed; run again; a shared
e-mail proposed for merge."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stripe
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from donations.models import (
    Donation,
    DonationSource,
    DonationStatus,
    Donor,
    RecurringGift,
    RecurringStatus,
    StripeCustomerLink,
    StripeImportCursor,
)
from donations.stripe_integration import importer
from donations.stripe_integration import offline_events as se

pytestmark = pytest.mark.django_db

T0 = 1_760_000_000
DUPLICATE = 1199  # this customer has customer 5's e-mail


def email(n: int) -> str:
    return f"c{(5 if n == DUPLICATE else n):04d}@example.org"


def account() -> dict[str, list[dict[str, Any]]]:
    customers = [
        {"id": f"cus_{n:04d}", "object": "customer", "email": email(n), "name": f"Person {n}"}
        for n in range(1200)
    ]
    subscriptions = [
        se.subscription(
            subscription_id=f"sub_{n:03d}",
            customer=f"cus_{n:04d}",
            status="canceled" if n % 10 == 0 else "active",
            amount_minor=1000 + n,
            currency="USD",
            metadata={},
            current_period_end=T0 + 40 * 86400,
            canceled_at=T0 if n % 10 == 0 else None,
        )
        for n in range(400)
    ]
    invoices, charges = [], []
    for n in range(400):
        for k in range(5):
            invoice = se.invoice(
                invoice_id=f"in_{n:03d}_{k}",
                subscription=f"sub_{n:03d}",
                customer=f"cus_{n:04d}",
                amount_minor=1000 + n,
                currency="USD",
                metadata={},
                paid=True,
                payment_intent=f"pi_in_{n:03d}_{k}",
                created=T0 + k * 30 * 86400,
            )
            invoices.append(invoice)
            # Stripe lists the charges that paid invoices too: matched, not imported twice.
            charges.append(charge(f"ch_in_{n:03d}_{k}", f"pi_in_{n:03d}_{k}", n, 1000 + n))
    for m in range(1000):
        charges.append(charge(f"ch_{m:04d}", f"pi_{m:04d}", (400 + m) % 1200, 2500, "EUR"))
    return {
        "customers": customers,
        "subscriptions": subscriptions,
        "invoices": invoices,
        "charges": charges,
    }


def charge(charge_id: str, intent: str, customer: int, amount: int, currency: str = "USD"):
    obj = se.charge(
        charge_id=charge_id,
        payment_intent=intent,
        amount_minor=amount,
        currency=currency,
        amount_refunded=0,
        created=T0,
    )
    return obj | {"customer": f"cus_{customer:04d}"}


def serve(stub: HTTPServer, lists: dict[str, list[dict[str, Any]]], broken: set[str]) -> None:
    """Each list, paged as Stripe pages it; a page after an id in ``broken`` answers 500."""

    def handler(request: Request) -> Response:
        kind = request.path.rsplit("/", 1)[-1]
        rows = lists[kind]
        after = request.args.get("starting_after", "")
        if after in broken:
            return Response(json.dumps({"error": {"message": "down"}}), status=500)
        start = [row["id"] for row in rows].index(after) + 1 if after else 0
        limit = int(request.args["limit"])
        page = rows[start : start + limit]
        body = {"object": "list", "data": page, "has_more": start + limit < len(rows)}
        return Response(json.dumps(body), content_type="application/json")

    for kind in lists:
        stub.expect_request(f"/v1/{kind}", method="GET").respond_with_handler(handler)


def ledger() -> dict[str, Any]:
    return {
        "donors": Donor.objects.count(),
        "monthly": RecurringGift.objects.count(),
        "monthly_active": RecurringGift.objects.filter(status=RecurringStatus.ACTIVE).count(),
        "monthly_cancelled": RecurringGift.objects.filter(status=RecurringStatus.CANCELLED).count(),
        "gifts": Donation.objects.count(),
        "gifts_paid": Donation.objects.filter(status=DonationStatus.PAID).count(),
        "gifts_outside": Donation.objects.filter(source=DonationSource.STRIPE_OUTSIDE).count(),
        "instalments": Donation.objects.filter(recurring_gift__isnull=False).count(),
        "usd_total": sum(
            Donation.objects.filter(currency="USD").values_list("amount_minor", flat=True)
        ),
        "eur_total": sum(
            Donation.objects.filter(currency="EUR").values_list("amount_minor", flat=True)
        ),
    }


EXPECTED = {
    "donors": 1200,
    "monthly": 400,
    "monthly_active": 360,
    "monthly_cancelled": 40,
    "gifts": 3000,
    "gifts_paid": 3000,
    "gifts_outside": 3000,
    "instalments": 2000,
    "usd_total": 5 * sum(1000 + n for n in range(400)),
    "eur_total": 1000 * 2500,
}


def test_import_interrupted_resumed_and_run_again(stripe_stub):
    lists = account()
    # Stripe fails in the middle of the invoices (after 1,000 of 2,000), whatever the retries.
    broken = {lists["invoices"][999]["id"]}
    serve(stripe_stub, lists, broken)
    pages: list[importer.ImportProgress] = []
    with pytest.raises(stripe.APIError):
        importer.import_stripe_account(on_page=pages.append)
    cursors = {c.object_type: (c.read, c.finished) for c in StripeImportCursor.objects.all()}
    assert cursors == {
        "customers": (1200, True),
        "subscriptions": (400, True),
        "invoices": (1000, False),
    }
    assert Donation.objects.count() == 1000
    assert len(pages) == 12 + 4 + 10

    broken.clear()
    progress = importer.import_stripe_account()
    assert ledger() == EXPECTED
    assert [(p.object_type, p.read, p.created, p.finished) for p in progress] == [
        ("customers", 1200, 1200, True),
        ("subscriptions", 400, 400, True),
        ("invoices", 2000, 2000, True),
        ("charges", 3000, 1000, True),  # the 2,000 that paid invoices are matched
    ]
    gift = RecurringGift.objects.get(stripe_subscription_id="sub_007")
    assert (gift.donor.email, gift.amount_minor, gift.currency, gift.status) == (
        "c0007@example.org",
        1007,
        "USD",
        RecurringStatus.ACTIVE,
    )
    assert gift.donations.count() == 5
    # Two customers with one e-mail: a donor each, and a proposal to merge them.
    proposal = StripeCustomerLink.objects.get(proposed_merge_with__isnull=False)
    assert proposal.proposed_merge_with is not None
    assert (proposal.customer_id, proposal.donor.email, proposal.proposed_merge_with.email) == (
        "cus_1199",
        "",
        "c0005@example.org",
    )

    # A second run (from the start) reads everything again and creates nothing.
    importer.restart_import()
    importer.import_stripe_account()
    assert ledger() == EXPECTED
    assert StripeCustomerLink.objects.count() == 1200


def test_the_import_page_shows_progress_and_proposed_merges(client, coordinator, stripe_stub):
    lists = {kind: rows[:150] for kind, rows in account().items()}
    lists["customers"].append(account()["customers"][DUPLICATE])
    serve(stripe_stub, lists, set())
    importer.import_stripe_account()
    client.force_login(coordinator)
    page = client.get("/coordinator/giving/stripe-import/").content.decode()
    assert "cus_1199" in page and "c0005@example.org" in page
    assert "/coordinator/giving/donors/merge/" in page
