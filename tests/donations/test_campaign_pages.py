"""The donate page's impact text per amount, its currency from the campaign or the visitor's
language, campaign share links with source tracking, and the campaign page's gifts per
source; query counts at two sizes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry
from accounts.roles import Role
from donations import options
from donations.models import (
    Campaign,
    Donation,
    Donor,
    ImpactLine,
    RecurringGift,
)
from donations.money import Money
from donations.selectors.reports import totals_by_link
from donations.services import segments as services
from tests.donations.portal_data import gift
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter(settings) -> Campaign:
    settings.STRIPE_SECRET_KEY = ""
    settings.SITE_URL = "https://give.example.org"
    settings.REPORTING_CURRENCY = "USD"
    return Campaign.objects.create(name="Shelter", slug="shelter")


def test_staff_set_impact_text_per_amount_and_language(client: Client, coordinator, shelter):
    client.force_login(coordinator)
    url = f"/coordinator/giving/campaigns/{shelter.pk}/impact/"
    response = client.post(
        url,
        {
            "currency": "USD",
            "amount": "50",
            "text": " trains one   hotline volunteer ",
            "text_es": "forma a un voluntario de la línea",
        },
    )
    assert response.status_code == 302
    line = ImpactLine.objects.get()
    assert (line.campaign, line.currency, line.amount_minor, line.text) == (
        shelter,
        "USD",
        5000,
        "trains one hotline volunteer",
    )
    assert line.translations == {"es": {"text": "forma a un voluntario de la línea"}}
    # The same amount again replaces its text: still one line.
    client.post(url, {"currency": "USD", "amount": "50.00", "text": "trains a volunteer"})
    assert list(ImpactLine.objects.values_list("text", "translations")) == [
        ("trains a volunteer", {})
    ]
    assert AuditEntry.objects.filter(action="impact_line.saved").count() == 2

    bad = client.post(url, {"currency": "USD", "amount": "0.10", "text": "a stamp"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["amount"] == [
        "The smallest gift Stripe can take in USD is $0.50."
    ]
    wrong_currency = client.post(url, {"currency": "XXX", "amount": "5", "text": "x"})
    assert wrong_currency.status_code == 400
    assert list(wrong_currency.context["form"].errors) == ["currency"]
    assert ImpactLine.objects.count() == 1

    deleted = client.post(f"/coordinator/giving/impact/{line.pk}/delete/")
    assert deleted["Location"] == f"/coordinator/giving/campaigns/{shelter.pk}/"
    assert ImpactLine.objects.count() == 0
    assert client.post(f"/coordinator/giving/impact/{line.pk}/delete/").status_code == 404


def test_a_viewer_sees_the_campaign_page_but_cannot_change_impact_text(client: Client, shelter):
    client.force_login(make_user(roles=[Role.VIEWER]))
    # The viewer has no giving permission at all (the matrix says who does).
    assert client.get(f"/coordinator/giving/campaigns/{shelter.pk}/").status_code == 403
    fundraiser = make_user(roles=[Role.FUNDRAISER])
    client.force_login(fundraiser)
    assert client.get(f"/coordinator/giving/campaigns/{shelter.pk}/").status_code == 200


def test_the_donate_page_shows_each_amounts_impact_in_the_visitors_language(
    client: Client, coordinator, shelter
):
    for amount, text, spanish in (
        ("50", "trains one hotline volunteer", "forma a un voluntario"),
        ("100", "answers 40 crisis texts", ""),
        ("7", "not one of the suggested amounts", ""),
    ):
        services.save_impact_line(
            campaign=shelter,
            amount=Money.of(amount, "USD"),
            text=text,
            translations={"es": {"text": spanish}} if spanish else {},
            actor=coordinator,
        )
    response = client.get("/donate/shelter/", headers={"accept-language": "en"})
    assert [(value, text) for value, _money, text in response.context["impact"]] == [
        ("USD:50.00", "trains one hotline volunteer"),
        ("USD:100.00", "answers 40 crisis texts"),
    ]
    html = response.content.decode()
    assert '<li data-amount="USD:50.00">$50.00: trains one hotline volunteer</li>' in html
    assert 'src="/static/js/impact.js"' in html
    in_spanish = client.get("/donate/shelter/", headers={"accept-language": "es"})
    assert [text for _value, _money, text in in_spanish.context["impact"]] == [
        "forma a un voluntario",
        "answers 40 crisis texts",
    ]
    # Other currencies have their own lines (none here), and the general page has none.
    assert client.get("/donate/shelter/", {"currency": "EUR"}).context["impact"] == []
    assert client.get("/donate/").context["impact"] == []


def test_the_currency_follows_the_campaign_then_the_language(client: Client, shelter, settings):
    settings.DONATION_LANGUAGE_CURRENCIES = {"vi": "VND", "th": "THB", "fil": "PHP"}

    def shown(path: str, language: str, **query: str) -> str:
        response = client.get(path, query, headers={"accept-language": language})
        return str(response.context["form"].currency_shown)

    assert shown("/donate/", "th") == "THB"
    assert shown("/donate/", "fil") == "PHP"
    assert shown("/donate/", "es") == "USD"  # no entry: the organisation's default
    assert shown("/donate/", "en") == "USD"
    assert shown("/donate/", "th", currency="EUR") == "EUR"  # the donor's choice wins
    shelter.goal_minor, shelter.goal_currency = 100000000, "VND"
    shelter.save()
    assert shown("/donate/shelter/", "th") == "VND"
    html = client.get("/donate/shelter/", headers={"accept-language": "th"}).content.decode()
    assert '<option value="VND" selected>VND</option>' in html
    assert 'value="VND:500000.00"' in html or 'value="VND:500000"' in html


def test_preferred_currency_reads_the_language_and_its_base(settings):
    settings.DONATION_LANGUAGE_CURRENCIES = {"vi": "VND", "es": "EUR"}
    assert options.preferred_currency(language="vi-VN") == "VND"
    assert options.preferred_currency(language="es") == "EUR"
    assert options.preferred_currency(language="th") == "USD"
    assert options.preferred_currency(language=None) == "USD"
    # A campaign currency we do not take is passed over.
    assert options.preferred_currency(language="vi", campaign_currency="KWD") == "VND"
    assert options.preferred_currency(language="vi", campaign_currency="JPY") == "JPY"


def test_a_gift_records_the_link_it_came_from(client: Client, shelter):
    page = client.get("/donate/shelter/", {"utm_source": "WhatsApp", "utm_medium": "share"})
    assert page.context["form"]["referral"].value() == "whatsapp"
    assert '<input type="hidden" name="referral" value="whatsapp"' in page.content.decode()
    data = {
        "currency": "USD",
        "amount": "USD:25.00",
        "custom_amount": "",
        "frequency": "once",
        "tribute_type": "none",
        "name": "Grace Hopper",
        "email": "grace@example.org",
    }
    client.post("/donate/shelter/", data | {"referral": "WhatsApp Group!"})
    assert Donation.objects.get().referral == "whatsapp-group"
    client.post("/donate/shelter/", data | {"frequency": "monthly", "referral": "qr"})
    assert RecurringGift.objects.get().referral == "qr"
    client.post("/donate/shelter/", data | {"referral": "x" * 300})
    assert Donation.objects.count() == 1  # too long: a form error, no gift
    assert options.referral_code("  Newsletter June ") == "newsletter-june"
    assert options.referral_code("a" * 39 + "-b") == "a" * 39


def test_gifts_per_source_on_the_campaign_page(client: Client, coordinator, shelter):
    donor = Donor.objects.create(name="Rosa", email="rosa@example.org")
    gift(donor, 2500, campaign=shelter, referral="whatsapp")
    gift(donor, 1000, campaign=shelter, referral="whatsapp", refunded=500)
    gift(
        donor,
        3000,
        "JPY",
        campaign=shelter,
        referral="qr",
        settlement_currency="USD",
        settled_gross_minor=1950,
        settled_fee_minor=90,
        settled_net_minor=1860,
    )
    gift(donor, 4000, campaign=shelter)
    gift(donor, 9999, campaign=shelter, referral="email", status="failed")
    gift(donor, 8000, referral="whatsapp")  # another campaign's page: not counted here
    rows = totals_by_link(shelter)
    assert [
        (
            row.key,
            row.label,
            row.gifts,
            row.gross.minor,
            row.fees.minor,
            row.net.minor,
            [(m.minor, m.currency) for m in row.originals],
        )
        for row in rows
    ] == [
        ("whatsapp", "whatsapp", 2, 3000, 0, 3000, [(3000, "USD")]),
        ("", "No shared link", 1, 4000, 0, 4000, [(4000, "USD")]),
        ("qr", "qr", 1, 1950, 90, 1860, [(3000, "JPY")]),
    ]
    client.force_login(coordinator)
    html = client.get(f"/coordinator/giving/campaigns/{shelter.pk}/").content.decode()
    assert "No shared link" in html
    assert "utm_source=link" in html and "<svg" in html


def test_the_share_page_builds_every_link(client: Client, shelter):
    response = client.get("/donate/shelter/share/")
    assert response.status_code == 200
    share = response.context["share"]
    base = "https://give.example.org/donate/shelter/?utm_medium=share&utm_campaign=shelter"
    assert (
        share.page
        == "https://give.example.org/donate/shelter/?utm_source=link&utm_medium=share&utm_campaign=shelter"
    )
    assert share.qr_target.startswith("https://give.example.org/donate/shelter/?utm_source=qr&")
    assert share.whatsapp == (
        "https://wa.me/?text=Please+give+to+Shelter+with+me%3A+https%3A%2F%2Fgive.example.org"
        "%2Fdonate%2Fshelter%2F%3Futm_source%3Dwhatsapp%26utm_medium%3Dshare%26utm_campaign%3Dshelter"
    )
    assert share.facebook.startswith("https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2F")
    assert share.email.startswith("mailto:?subject=Shelter&body=Please%20give%20to%20Shelter")
    html = response.content.decode()
    assert html.count("<svg") == 1 and "<script>" not in html and " style=" not in html
    assert 'src="/static/js/share.js"' in html
    assert base.split("?")[0] in html
    shelter.active = False
    shelter.save()
    assert client.get("/donate/shelter/share/").status_code == 404
    assert client.get("/donate/nothing/share/").status_code == 404


def _source_gifts(shelter: Campaign, start: int, count: int) -> None:
    donor = Donor.objects.create(name=f"D{start}", email=f"d{start}@example.org")
    for number in range(start, start + count):
        gift(donor, 1000 + number, campaign=shelter, referral=f"src{number}")
        ImpactLine.objects.create(
            campaign=shelter, currency="USD", amount_minor=100 * (number + 1), text=f"t{number}"
        )


def test_campaign_pages_query_counts_do_not_grow(client: Client, coordinator, shelter):
    client.force_login(coordinator)
    pages = (
        f"/coordinator/giving/campaigns/{shelter.pk}/",
        "/donate/shelter/",
        "/donate/shelter/share/",
    )
    _source_gifts(shelter, 0, 2)
    small = []
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        small.append(len(queries))
    _source_gifts(shelter, 2, 20)
    large = []
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        large.append(len(queries))
    assert large == small
