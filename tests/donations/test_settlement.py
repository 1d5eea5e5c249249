"""Fees, net and settlement per card gift, through the real SDK against a local stub.

Each case is a gift in USD, JPY, VND or KWD, settled into a USD or a EUR Stripe account: the
stub answers the payment intent (with its charge's balance transaction expanded) and the
charge's refunds as Stripe would; disputes carry their own balance transactions. Figures are
the minor units Stripe reports, asserted exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from donations.models import (
    BalanceTransaction,
    Donation,
    DonationStatus,
    Donor,
    SettlementKind,
    StripeEventStatus,
)
from donations.stripe_integration import offline_events as se
from donations.stripe_integration import settlement
from tests.donations import ledger_stream as ls

pytestmark = pytest.mark.django_db

T0 = ls.T0


@dataclass(frozen=True)
class Case:
    key: str
    currency: str  # the gift's
    amount: int  # the gift's, in its minor units
    account: str  # the Stripe account's settlement currency
    rate: str | None  # Stripe's exchange rate, gift currency -> account currency
    settled: int  # the charge's balance transaction amount, account minor units
    fee: int


CASES = [
    Case("usd-usd", "USD", 2500, "USD", None, 2500, 103),
    Case("jpy-usd", "JPY", 3000, "USD", "0.006617", 1985, 117),
    Case("vnd-usd", "VND", 500000, "USD", "0.00003937", 1969, 117),
    Case("kwd-usd", "KWD", 10000, "USD", "3.2552", 3255, 173),
    Case("usd-eur", "USD", 2500, "EUR", "0.9185", 2296, 60),
    Case("jpy-eur", "JPY", 3000, "EUR", "0.006078", 1823, 57),
    Case("vnd-eur", "VND", 500000, "EUR", "0.00003616", 1808, 56),
    Case("kwd-eur", "KWD", 10000, "EUR", "2.9898", 2990, 72),
]


def balance_transaction(
    bt_id: str,
    *,
    amount: int,
    fee: int,
    currency: str,
    rate: str | None,
    category: str,
    source: str,
) -> dict[str, Any]:
    return {
        "id": bt_id,
        "object": "balance_transaction",
        "amount": amount,
        "created": T0,
        "currency": currency.lower(),
        # Stripe sends the rate as a JSON number.
        "exchange_rate": None if rate is None else float(rate),
        "fee": fee,
        "fee_details": [],
        "net": amount - fee,
        "reporting_category": category,
        "source": source,
        "status": "available",
        "type": {"charge": "charge", "refund": "refund"}.get(category, "adjustment"),
    }


def charge_bt(case: Case) -> dict[str, Any]:
    return balance_transaction(
        f"txn_{case.key}",
        amount=case.settled,
        fee=case.fee,
        currency=case.account,
        rate=case.rate,
        category="charge",
        source=f"ch_{case.key}",
    )


def serve_payment_intent(stub: HTTPServer, case: Case) -> None:
    body = {
        "id": f"pi_{case.key}",
        "object": "payment_intent",
        "amount": case.amount,
        "currency": case.currency.lower(),
        "status": "succeeded",
        "latest_charge": {
            "id": f"ch_{case.key}",
            "object": "charge",
            "amount": case.amount,
            "currency": case.currency.lower(),
            "payment_intent": f"pi_{case.key}",
            "balance_transaction": charge_bt(case),
        },
    }
    stub.expect_request(f"/v1/payment_intents/pi_{case.key}", method="GET").respond_with_json(body)


def serve_refunds(stub: HTTPServer, case: Case, refunds: list[tuple[int, int]]) -> None:
    """The charge's refunds: (amount in the gift's currency, settled amount) each."""
    data = [
        {
            "id": f"re_{case.key}_{n}",
            "object": "refund",
            "amount": amount,
            "charge": f"ch_{case.key}",
            "currency": case.currency.lower(),
            "status": "succeeded",
            "balance_transaction": balance_transaction(
                f"txn_re_{case.key}_{n}",
                amount=-settled,
                fee=0,
                currency=case.account,
                rate=case.rate,
                category="refund",
                source=f"re_{case.key}_{n}",
            ),
        }
        for n, (amount, settled) in enumerate(refunds, start=1)
    ]

    def handler(request: Request) -> Response:
        assert request.args.get("charge") == f"ch_{case.key}"
        assert request.args.getlist("expand[0]") == ["data.balance_transaction"], request.args
        body = {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        return Response(json.dumps(body), content_type="application/json")

    stub.expect_request("/v1/refunds", method="GET").respond_with_handler(handler)


def pending(case: Case) -> Donation:
    donor = Donor.objects.create(name=f"Donor {case.key}", email=f"{case.key}@example.org")
    return Donation.objects.create(donor=donor, amount_minor=case.amount, currency=case.currency)


def paid_event(case: Case, donation: Donation, n: int = 0) -> dict[str, Any]:
    session = se.checkout_session(
        session_id=f"cs_{case.key}",
        mode="payment",
        amount_minor=case.amount,
        currency=case.currency,
        email=donation.donor.email,
        name=donation.donor.name,
        metadata={"donation_id": str(donation.pk)},
        customer=f"cus_{case.key}",
        payment_intent=f"pi_{case.key}",
        created=T0,
    )
    return se.build_event(
        "checkout.session.completed", session, created=T0, event_id=f"evt_paid_{case.key}_{n}"
    )


def refund_event(case: Case, refunded: int) -> dict[str, Any]:
    charge = se.charge(
        charge_id=f"ch_{case.key}",
        payment_intent=f"pi_{case.key}",
        amount_minor=case.amount,
        currency=case.currency,
        amount_refunded=refunded,
        created=T0,
    )
    return se.build_event(
        "charge.refunded", charge, created=T0 + 60, event_id=f"evt_refund_{case.key}"
    )


def dispute_event(case: Case, status: str, bts: list[dict[str, Any]]) -> dict[str, Any]:
    dispute = se.dispute(
        dispute_id=f"dp_{case.key}",
        charge_id=f"ch_{case.key}",
        payment_intent=f"pi_{case.key}",
        amount_minor=case.amount,
        currency=case.currency,
        status=status,
        created=T0 + 120,
    )
    dispute["balance_transactions"] = bts
    return se.build_event(
        f"charge.dispute.{'created' if status == 'needs_response' else 'closed'}",
        dispute,
        created=T0 + 120 if status == "needs_response" else T0 + 900,
        event_id=f"evt_dispute_{case.key}_{status}",
    )


def deliver(event: dict[str, Any]) -> str:
    outcome = ls.deliver(event, secret="whsec_stub")
    return outcome.status


def figures(donation: Donation) -> tuple[str, int | None, int | None, int | None]:
    donation.refresh_from_db()
    return (
        donation.settlement_currency,
        donation.settled_gross_minor,
        donation.settled_fee_minor,
        donation.settled_net_minor,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.key)
def test_a_paid_gift_has_stripes_fee_and_net_in_the_account_currency(stripe_stub, case):
    serve_payment_intent(stripe_stub, case)
    donation = pending(case)
    assert deliver(paid_event(case, donation)) == StripeEventStatus.DONE
    assert figures(donation) == (case.account, case.settled, case.fee, case.settled - case.fee)
    bt = BalanceTransaction.objects.get(donation=donation)
    assert (bt.kind, bt.source_id, bt.stripe_id) == (
        SettlementKind.CHARGE,
        f"ch_{case.key}",
        f"txn_{case.key}",
    )
    assert bt.exchange_rate == (None if case.rate is None else Decimal(case.rate))
    assert donation.charge_id == f"ch_{case.key}"
    assert donation.amount_minor == case.amount  # the gift's own currency is kept beside it
    # A second delivery asks Stripe nothing and adds nothing.
    asked = len(stripe_stub.log)
    assert deliver(paid_event(case, donation, 1)) == StripeEventStatus.DONE
    assert len(stripe_stub.log) == asked
    assert BalanceTransaction.objects.filter(donation=donation).count() == 1


REFUNDS = {
    # A JPY 1,000 refund of JPY 3,000 settled in USD: USD 6.62 back, Stripe keeps its fee.
    "jpy-usd": [(1000, 662)],
    # Two refunds of a KWD 10.000 gift into EUR: KWD 2.000 and KWD 0.500.
    "kwd-eur": [(2000, 598), (500, 150)],
    "usd-usd": [(1000, 1000)],
    "vnd-eur": [(100000, 362)],
}


@pytest.mark.parametrize("key", sorted(REFUNDS))
@pytest.mark.parametrize("refund_first", [False, True])
def test_a_partial_refund_takes_its_settled_amount_off(stripe_stub, key, refund_first):
    case = next(c for c in CASES if c.key == key)
    refunds = REFUNDS[key]
    serve_payment_intent(stripe_stub, case)
    serve_refunds(stripe_stub, case, refunds)
    donation = pending(case)
    refunded = sum(amount for amount, _settled in refunds)
    events = [paid_event(case, donation), refund_event(case, refunded)]
    if refund_first:
        events.reverse()
    for event in events:
        deliver(event)
    back = sum(settled for _amount, settled in refunds)
    gross = case.settled - back
    assert figures(donation) == (case.account, gross, case.fee, gross - case.fee)
    assert (donation.status, donation.refunded_minor) == (
        DonationStatus.PARTIALLY_REFUNDED,
        refunded,
    )
    kinds = sorted(donation.balance_transactions.values_list("kind", "amount_minor"))
    assert kinds == sorted(
        [(SettlementKind.CHARGE, case.settled)]
        + [(SettlementKind.REFUND, -settled) for _amount, settled in refunds]
    )


@pytest.mark.parametrize("key", ["kwd-usd", "jpy-eur"])
def test_a_lost_dispute_takes_the_money_and_the_dispute_fee(stripe_stub, key):
    case = next(c for c in CASES if c.key == key)
    dispute_fee = 1500  # USD 15.00 / EUR 15.00
    serve_payment_intent(stripe_stub, case)
    donation = pending(case)
    withdrawn = balance_transaction(
        f"txn_dp_{key}",
        amount=-case.settled,
        fee=dispute_fee,
        currency=case.account,
        rate=case.rate,
        category="dispute",
        source=f"dp_{key}",
    )
    deliver(paid_event(case, donation))
    deliver(dispute_event(case, "needs_response", [withdrawn]))
    deliver(dispute_event(case, "lost", [withdrawn]))
    fees = case.fee + dispute_fee
    assert figures(donation) == (case.account, 0, fees, -fees)
    donation.refresh_from_db()
    assert donation.status == DonationStatus.DISPUTE_LOST
    assert donation.balance_transactions.count() == 2


def test_a_won_dispute_gives_the_money_and_fee_back(stripe_stub):
    case = CASES[0]
    serve_payment_intent(stripe_stub, case)
    donation = pending(case)
    common: dict[str, Any] = {"currency": "USD", "rate": None, "source": "dp_usd-usd"}
    withdrawn = balance_transaction("txn_dp1", amount=-2500, fee=1500, category="dispute", **common)
    reinstated = balance_transaction(
        "txn_dp2", amount=2500, fee=-1500, category="dispute_reversal", **common
    )
    # The close first, then the payment, then the opening (which lists less): same figures.
    deliver(dispute_event(case, "won", [withdrawn, reinstated]))
    deliver(paid_event(case, donation))
    deliver(dispute_event(case, "needs_response", [withdrawn]))
    assert figures(donation) == ("USD", 2500, 103, 2397)
    donation.refresh_from_db()
    assert donation.status == DonationStatus.DISPUTE_WON


def test_stripe_down_leaves_the_gift_paid_and_the_fee_fetched_later(stripe_stub):
    case = CASES[1]
    stripe_stub.expect_ordered_request(
        f"/v1/payment_intents/pi_{case.key}", method="GET"
    ).respond_with_data("down", status=503)
    donation = pending(case)
    assert deliver(paid_event(case, donation)) == StripeEventStatus.DONE
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert figures(donation) == ("", None, None, None)
    stripe_stub.clear()
    serve_payment_intent(stripe_stub, case)
    serve_refunds(stripe_stub, case, [])
    assert settlement.settle_missing() == 1
    assert figures(donation) == ("USD", 1985, 117, 1868)
    assert settlement.settle_missing() == 0  # nothing left to fetch


def test_figures_that_cannot_be_right_are_left_out_not_stored(stripe_stub):
    case = CASES[0]
    bad = charge_bt(case) | {"net": 1}
    body = {
        "id": f"pi_{case.key}",
        "object": "payment_intent",
        "latest_charge": {"id": f"ch_{case.key}", "object": "charge", "balance_transaction": bad},
    }
    stripe_stub.expect_request(f"/v1/payment_intents/pi_{case.key}").respond_with_json(body)
    donation = pending(case)
    assert deliver(paid_event(case, donation)) == StripeEventStatus.DONE
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    assert figures(donation) == ("", None, None, None)
    assert BalanceTransaction.objects.count() == 0


def test_a_charge_whose_balance_transaction_comes_later_gets_it_from_charge_updated(
    stripe_stub,
):
    case = CASES[2]  # VND into USD
    body = {
        "id": f"pi_{case.key}",
        "object": "payment_intent",
        "latest_charge": {"id": f"ch_{case.key}", "object": "charge", "balance_transaction": None},
    }
    stripe_stub.expect_request(f"/v1/payment_intents/pi_{case.key}").respond_with_json(body)
    stripe_stub.expect_request(f"/v1/balance_transactions/txn_{case.key}").respond_with_json(
        charge_bt(case)
    )
    donation = pending(case)
    deliver(paid_event(case, donation))
    assert figures(donation) == ("", None, None, None)
    charge = se.charge(
        charge_id=f"ch_{case.key}",
        payment_intent=f"pi_{case.key}",
        amount_minor=case.amount,
        currency=case.currency,
        amount_refunded=0,
        created=T0,
    ) | {"balance_transaction": f"txn_{case.key}"}
    updated = se.build_event("charge.updated", charge, created=T0 + 5, event_id="evt_ch_upd")
    assert deliver(updated) == StripeEventStatus.DONE
    assert figures(donation) == ("USD", 1969, 117, 1852)
