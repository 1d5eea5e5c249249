"""The general donate page (the general fund): impact text per amount set by staff and read
in the visitor's language, suggested amounts per currency (set by staff, else the settings'
table, else derived from the reporting currency at the last stored Stripe rate), its staff
screen (query counts at two sizes) and its public share page with Open Graph tags."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry
from accounts.roles import Role
from donations.models import BalanceTransaction, Donor, ImpactLine, SuggestedAmounts
from donations.money import Money
from donations.selectors.amounts import derived, nice, suggested_amounts
from donations.services import segments as services
from tests.donations.portal_data import gift
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PAGE = "/coordinator/giving/donate-page/"


@pytest.fixture(autouse=True)
def _site(settings) -> None:
    settings.STRIPE_SECRET_KEY = ""
    settings.SITE_URL = "https://give.example.org"
    settings.REPORTING_CURRENCY = "USD"
    settings.DONATION_CURRENCIES = ["USD", "JPY", "VND", "KWD"]
    settings.DONATION_PRESET_AMOUNTS = {
        "USD": ["25", "50", "100", "250"],
        "JPY": ["3000", "5000", "10000", "30000"],
        "VND": ["200000", "500000", "1000000", "2500000"],
    }


def _labels(response) -> list[str]:
    return [label for _value, label in response.context["form"].fields["amount"].choices]


def test_staff_set_the_general_pages_impact_text_and_donors_read_it_in_their_language(
    client: Client, coordinator
) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"{PAGE}impact/",
        {
            "currency": "USD",
            "amount": "25",
            "text": "trains one hotline volunteer for a shift",
            "text_es": "forma a un voluntario para un turno",
        },
    )
    assert response["Location"] == PAGE
    line = ImpactLine.objects.get()
    assert (line.campaign, line.currency, line.amount_minor) == (None, "USD", 2500)
    bad = client.post(f"{PAGE}impact/", {"currency": "USD", "amount": "0.10", "text": "a stamp"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["amount"] == [
        "The smallest gift Stripe can take in USD is $0.50."
    ]
    assert ImpactLine.objects.count() == 1
    visitor = Client()
    page = visitor.get("/donate/", headers={"accept-language": "en"})
    assert page.context["impact"] == [
        ("USD:25.00", Money(2500, "USD"), "trains one hotline volunteer for a shift")
    ]
    assert (
        '<li data-amount="USD:25.00">$25.00: trains one hotline volunteer for a shift</li>'
        in page.content.decode()
    )
    spanish = visitor.get("/donate/", headers={"accept-language": "es"})
    assert [text for _v, _m, text in spanish.context["impact"]] == [
        "forma a un voluntario para un turno"
    ]
    # Not on a campaign's page, nor in another currency.
    assert visitor.get("/donate/", {"currency": "JPY"}).context["impact"] == []
    deleted = client.post(f"/coordinator/giving/impact/{line.pk}/delete/")
    assert deleted["Location"] == PAGE
    assert ImpactLine.objects.count() == 0


def test_staff_set_suggested_amounts_per_currency_with_an_audit_row(
    client: Client, coordinator
) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"{PAGE}amounts/", {"currency": "JPY", "amounts": "10,000 / 3000/ 5000 / 3000"}
    )
    assert response["Location"] == PAGE
    assert list(SuggestedAmounts.objects.values_list("currency", "amounts_minor")) == [
        ("JPY", [3000, 5000, 10000])
    ]
    assert _labels(Client().get("/donate/", {"currency": "JPY"})) == [
        "¥3,000",
        "¥5,000",
        "¥10,000",
        "Other amount",
    ]
    entry = AuditEntry.objects.get(action="donations.suggested_amounts.changed")
    assert (entry.actor_id, entry.changes, entry.data) == (
        coordinator.pk,
        {"amounts_minor": [[], [3000, 5000, 10000]]},
        {"currency": "JPY"},
    )
    # Bad input: a form error, nothing saved.
    for typed, error in (
        ("3000 / 2.5", "JPY amounts are whole numbers, with no decimals, e.g. 3000."),
        ("1 / 2 / 3 / 4 / 5 / 6 / 7", "At most 6 amounts, please."),
    ):
        bad = client.post(f"{PAGE}amounts/", {"currency": "JPY", "amounts": typed})
        assert bad.status_code == 400, typed
        assert bad.context["amounts_form"].errors["amounts"] == [error]
    assert SuggestedAmounts.objects.get().amounts_minor == [3000, 5000, 10000]
    # Empty: back to the default (the settings' table).
    client.post(f"{PAGE}amounts/", {"currency": "JPY", "amounts": ""})
    assert not SuggestedAmounts.objects.exists()
    assert [m.minor for m in suggested_amounts("JPY")] == [3000, 5000, 10000, 30000]
    assert AuditEntry.objects.filter(action="donations.suggested_amounts.changed").count() == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7.69", "10"), ("15.4", "20"), ("30.8", "30"), ("76.9", "100"), ("615", "500")],
)
def test_nice_figures(value: str, expected: str) -> None:
    assert nice(Decimal(value)) == Decimal(expected)


def _settled(currency: str, minor: int, rate: str, day: int) -> None:
    donor = Donor.objects.get_or_create(name="Kareem", email="kareem@example.org")[0]
    donation = gift(donor, minor, currency, paid=f"2026-03-{day:02d}")
    BalanceTransaction.objects.create(
        donation=donation,
        stripe_id=f"txn_{currency}_{day}",
        kind="charge",
        amount_minor=1000,
        fee_minor=59,
        net_minor=941,
        currency="USD",
        exchange_rate=Decimal(rate),
        stripe_created=datetime(2026, 3, day, tzinfo=UTC),
    )


def test_a_currency_nobody_set_gets_the_reporting_amounts_at_the_last_rate(client: Client) -> None:
    # Nothing set, no table, no rate: no suggestions (the donor types an amount).
    assert suggested_amounts("KWD") == []
    assert _labels(client.get("/donate/", {"currency": "KWD"})) == ["Other amount"]
    _settled("KWD", 10000, "1.50", 1)
    _settled("KWD", 10000, "3.25", 2)  # the last rate wins
    # USD 25 / 50 / 100 / 250 at 3.25 USD per KWD: 7.69, 15.4, 30.8, 76.9, made nice.
    assert derived("KWD") == [
        Money(10000, "KWD"),
        Money(20000, "KWD"),
        Money(30000, "KWD"),
        Money(100000, "KWD"),
    ]
    assert _labels(client.get("/donate/", {"currency": "KWD"})) == [
        "KWD\xa010.000",
        "KWD\xa020.000",
        "KWD\xa030.000",
        "KWD\xa0100.000",
        "Other amount",
    ]


def test_the_staff_screen_costs_the_same_queries_with_few_or_many_lines(
    client: Client, coordinator
) -> None:
    client.force_login(coordinator)

    def count(lines: int) -> int:
        for minor in range(ImpactLine.objects.count() + 1, lines + 1):
            services.save_impact_line(
                campaign=None,
                amount=Money(minor * 100, "USD"),
                text=f"does {minor}",
                translations={},
                actor=coordinator,
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    assert count(2) == count(30)
    page = client.get(PAGE).content.decode()
    assert "does 30" in page
    assert 'action="/coordinator/giving/donate-page/amounts/"' in page


def test_a_viewer_is_refused_and_a_fundraiser_may_change(client: Client) -> None:
    client.force_login(make_user(roles=[Role.VIEWER]))
    assert client.get(PAGE).status_code == 403
    client.force_login(make_user(roles=[Role.FUNDRAISER]))
    assert client.get(PAGE).status_code == 200
    assert client.post(f"{PAGE}amounts/", {"currency": "USD", "amounts": "20"}).status_code == 302


def test_the_general_share_page_has_links_a_qr_code_and_open_graph_tags(client: Client) -> None:
    response = client.get("/donate/share/")
    assert response.status_code == 200
    html = response.content.decode()
    link = (
        "https://give.example.org/donate/"
        "?utm_source=link&amp;utm_medium=share&amp;utm_campaign=general"
    )
    assert f'value="{link}"' in html
    assert "<svg" in html
    assert '<meta property="og:title" content="Give to Hope Line">' in html
    assert f'<meta property="og:url" content="{link}">' in html
    donate = client.get("/donate/").content.decode()
    assert '<meta property="og:url" content="https://give.example.org/donate/">' in donate
