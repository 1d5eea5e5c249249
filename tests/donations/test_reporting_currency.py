"""Reports in the organisation's reporting currency: card gifts by what Stripe settled (real
SDK, local stub), offline gifts by the amount received; one line per payment method."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from donations.models import Donor
from donations.money import Money
from donations.selectors import reports
from donations.services.offline import record_offline_gift
from tests.donations.test_settlement import (
    CASES,
    balance_transaction,
    deliver,
    dispute_event,
    paid_event,
    pending,
    refund_event,
    serve_payment_intent,
    serve_refunds,
)

pytestmark = pytest.mark.django_db

YEAR = 2026  # ledger_stream.T0 is 21 September 2026


def card_gifts(stub, account: str, refund: tuple[str, int, int], lost: str) -> None:
    """Every case settled into ``account``: one partly refunded, one dispute lost."""
    for case in (c for c in CASES if c.account == account):
        serve_payment_intent(stub, case)
        donation = pending(case)
        deliver(paid_event(case, donation))
        if case.key == refund[0]:
            serve_refunds(stub, case, [(refund[1], refund[2])])
            deliver(refund_event(case, refund[1]))
        if case.key == lost:
            withdrawn = balance_transaction(
                f"txn_dp_{case.key}",
                amount=-case.settled,
                fee=1500,
                currency=account,
                rate=case.rate,
                category="dispute",
                source=f"dp_{case.key}",
            )
            deliver(dispute_event(case, "lost", [withdrawn]))


def offline_gifts(user, reporting: str) -> None:
    other = "EUR" if reporting == "USD" else "USD"

    def donor(key: str) -> Donor:
        return Donor.objects.create(name=f"Offline {key}", email=f"{key}@offline.example")

    received = date(YEAR, 9, 22)
    record_offline_gift(
        donor=donor("cheque"),
        source="cheque",
        cheque_number="1001",
        amount=Money(5000, reporting),
        received_on=received,
        by=user,
    )
    record_offline_gift(
        donor=donor("transfer"),
        source="bank_transfer",
        amount=Money(10000, other),
        received=Money(10837, reporting),
        received_on=received,
        by=user,
    )
    record_offline_gift(
        donor=donor("cash"),
        source="cash",
        amount=Money(2000, other),
        received_on=received,
        by=user,
    )


def lines(year: int) -> list[tuple[str, int, int, int, int, int, int]]:
    return [
        (r.key, r.gross.minor, r.fees.minor, r.net.minor, r.gifts, r.fee_unknown, r.unconverted)
        for r in reports.totals_by_source(year)
    ]


def test_usd_account_reporting_in_usd(stripe_stub, settings, coordinator):
    settings.REPORTING_CURRENCY = "USD"
    # JPY 1,000 of the JPY 3,000 gift refunded (USD 6.62); the KWD gift's dispute lost.
    card_gifts(stripe_stub, "USD", refund=("jpy-usd", 1000, 662), lost="kwd-usd")
    offline_gifts(coordinator, "USD")
    # Card: USD 25.00 (fee 1.03) + JPY settled 19.85 - 6.62 (fee 1.17) + VND settled 19.69
    # (fee 1.17); the lost dispute does not count as a gift.
    assert lines(YEAR) == [
        ("bank_transfer", 10837, 0, 10837, 1, 0, 0),
        ("stripe", 5792, 337, 5455, 3, 0, 0),
        ("cheque", 5000, 0, 5000, 1, 0, 0),
        ("cash", 0, 0, 0, 1, 0, 1),
    ]
    total = reports.totals_sum(reports.totals_by_source(YEAR))
    assert total is not None
    assert (total.gross, total.fees, total.net) == (
        Money(21629, "USD"),
        Money(337, "USD"),
        Money(21292, "USD"),
    )
    assert [str(m) for m in total.originals] == [
        "120.00 EUR",
        "2000 JPY",
        "75.00 USD",
        "500000 VND",
    ]
    months = reports.totals_by_month(YEAR)
    assert [(r.key, r.net.minor) for r in months] == [("2026-09", 21292)]


def test_eur_account_reporting_in_eur(stripe_stub, settings, coordinator):
    settings.REPORTING_CURRENCY = "EUR"
    card_gifts(stripe_stub, "EUR", refund=("vnd-eur", 100000, 362), lost="")
    offline_gifts(coordinator, "EUR")
    # 22.96 + 18.23 + (18.08 - 3.62) + 29.90; fees 0.60 + 0.57 + 0.56 + 0.72.
    assert lines(YEAR) == [
        ("bank_transfer", 10837, 0, 10837, 1, 0, 0),
        ("stripe", 8555, 245, 8310, 4, 0, 0),
        ("cheque", 5000, 0, 5000, 1, 0, 0),
        ("cash", 0, 0, 0, 1, 0, 1),
    ]


def test_a_eur_account_does_not_count_in_a_usd_report(stripe_stub, settings, coordinator):
    settings.REPORTING_CURRENCY = "USD"
    card_gifts(stripe_stub, "EUR", refund=("vnd-eur", 100000, 362), lost="")
    # USD 25.00 settled in EUR: no USD figure, so it waits with the others.
    assert lines(YEAR) == [("stripe", 0, 0, 0, 4, 0, 4)]


def test_report_page_has_one_line_per_method(client: Client, stripe_stub, settings, coordinator):
    settings.REPORTING_CURRENCY = "USD"
    card_gifts(stripe_stub, "USD", refund=("jpy-usd", 1000, 662), lost="kwd-usd")
    offline_gifts(coordinator, "USD")
    client.force_login(coordinator)
    page = client.get("/coordinator/giving/reports/", {"year": YEAR}).content.decode()
    section = page[page.index('id="source-title"') :]
    assert section.count("Card (Stripe)") == 1
    assert "$57.92" in section and "$3.37" in section and "$54.55" in section
    assert "$212.92" in section  # the line "All"
    assert "1 gift is not in USD yet" in section


def test_offline_gift_form_takes_the_amount_received(client: Client, settings, coordinator):
    settings.REPORTING_CURRENCY = "USD"
    client.force_login(coordinator)
    donor = Donor.objects.create(name="Eve Received", email="eve@offline.example")
    base = {
        "donor": donor.pk,
        "source": "bank_transfer",
        "amount": "100.00",
        "currency": "EUR",
        "received_on": f"{YEAR - 1}-03-04",
    }
    bad = client.post("/coordinator/giving/offline-gift/", base | {"received_amount": "10.555"})
    assert bad.status_code == 200
    assert "received_amount" in bad.context["form"].errors
    assert donor.donations.count() == 0
    same = client.post(
        "/coordinator/giving/offline-gift/",
        base | {"currency": "USD", "received_amount": "100.00"},
    )
    assert "received_amount" in same.context["form"].errors
    client.post("/coordinator/giving/offline-gift/", base | {"received_amount": "108.37"})
    gift = donor.donations.get()
    assert (gift.settlement_currency, gift.settled_gross_minor, gift.settled_net_minor) == (
        "USD",
        10837,
        10837,
    )
