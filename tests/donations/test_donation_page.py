"""The public donation pages: the form, its errors (no Checkout Session on bad input), the
campaign page and its progress, the fee preview, and the thank-you and cancel pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_httpserver import HTTPServer

from accounts.roles import Role
from donations.models import (
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    RecurringGift,
    RecurringStatus,
)
from donations.stripe_integration import client as stripe_client
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SESSIONS = "/v1/checkout/sessions"


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "currency": "USD",
        "amount": "USD:25.00",
        "custom_amount": "",
        "frequency": "once",
        "tribute_type": "none",
        "tribute_name": "",
        "name": "Grace Hopper",
        "email": "grace@example.org",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def no_checkout(settings, monkeypatch) -> list[dict[str, Any]]:
    """Stripe "configured", but any Checkout Session request fails the test."""
    settings.STRIPE_SECRET_KEY = "sk_test_never_used"
    calls: list[dict[str, Any]] = []

    def refuse(**kwargs: Any) -> None:
        calls.append(kwargs)
        raise AssertionError("no Checkout Session may be created for bad input")

    monkeypatch.setattr(stripe_client, "checkout_for_gift", refuse)
    return calls


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"amount": "other", "custom_amount": "0.30"},
            "custom_amount",
            "The smallest gift Stripe can take in USD is $0.50.",
        ),
        (
            {"currency": "JPY", "amount": "other", "custom_amount": "49"},
            "custom_amount",
            "The smallest gift Stripe can take in JPY is ¥50.",
        ),
        (
            {"amount": "other", "custom_amount": "twenty"},
            "custom_amount",
            "Enter the amount in digits, with a point before any decimals, "
            "e.g. 25, 25.50 or 1,000.",
        ),
        (
            {"amount": "other", "custom_amount": "25,50"},
            "custom_amount",
            "Enter the amount in digits, with a point before any decimals, "
            "e.g. 25, 25.50 or 1,000.",
        ),
        (
            {"amount": "other", "custom_amount": "-5"},
            "custom_amount",
            "Enter an amount more than zero.",
        ),
        (
            {"currency": "XYZ", "amount": "other", "custom_amount": "25"},
            "currency",
            "We take gifts in USD, EUR, GBP, PHP, THB, VND, JPY only.",
        ),
        (
            {"currency": "KWD", "amount": "other", "custom_amount": "10"},
            "currency",
            "We take gifts in USD, EUR, GBP, PHP, THB, VND, JPY only.",
        ),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "grace@"}, "email", "Enter a valid email address."),
        ({"name": ""}, "name", "This field is required."),
        (
            {"amount": "", "custom_amount": ""},
            "amount",
            "Choose an amount or type your own.",
        ),
        (
            {"amount": "other", "custom_amount": ""},
            "custom_amount",
            "Type the amount you want to give.",
        ),
        (
            # A USD preset sent with another currency (changed without JavaScript).
            {"currency": "VND", "amount": "USD:25.00"},
            "amount",
            "Pick one of the amounts in VND shown below, or type your own.",
        ),
        (
            {"amount": "USD:25.00", "custom_amount": "40"},
            "custom_amount",
            "Choose “Other amount” to give the amount you typed, "
            "or clear it to give the amount you picked.",
        ),
        (
            {"tribute_type": "memory", "tribute_name": "  "},
            "tribute_name",
            "Enter the name of the person you honour.",
        ),
        (
            {"currency": "JPY", "amount": "other", "custom_amount": "3000.5"},
            "custom_amount",
            "JPY amounts are whole numbers, with no decimals, e.g. 3000.",
        ),
    ],
)
def test_bad_input_is_a_form_error_and_creates_no_checkout_session(
    client: Client, no_checkout, overrides, field, message
):
    response = client.post("/donate/", form_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert not Donation.objects.exists()
    assert not RecurringGift.objects.exists()
    assert not Donor.objects.exists()
    assert no_checkout == []


@pytest.mark.parametrize("currency", ["KWD", "BHD"])
def test_three_decimal_amount_with_a_last_digit_is_a_form_error(
    client: Client, no_checkout, settings, currency
):
    settings.DONATION_CURRENCIES = ["USD", currency]
    response = client.post(
        "/donate/", form_data(currency=currency, amount="other", custom_amount="10.255")
    )

    assert response.context["form"].errors == {
        "custom_amount": [
            f"{currency} amounts need at most 3 decimals and must end in 0, e.g. 10.250."
        ]
    }
    assert not Donation.objects.exists()
    assert no_checkout == []


def test_the_error_is_shown_on_the_page(client: Client, no_checkout):
    response = client.post("/donate/", form_data(amount="other", custom_amount="0.30"))
    html = response.content.decode()
    assert "Please correct the field marked below." in html
    assert "The smallest gift Stripe can take in USD is $0.50." in html


def test_a_good_gift_goes_to_stripe_checkout(client: Client, stripe_stub: HTTPServer):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(
        {"id": "cs_test_ok", "object": "checkout.session", "url": "https://checkout.test/cs"}
    )
    response = client.post(
        "/donate/", form_data(amount="other", custom_amount="1,000.50", cover_fee="on")
    )

    assert response.status_code == 302
    assert response["Location"] == "https://checkout.test/cs"
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.PENDING
    # (100050 + 30) / 0.971 = 103069.0 -> 103070
    assert (donation.amount_minor, donation.fee_covered_minor) == (103070, 3020)
    form = stripe_stub.log[0][0].form
    assert form["success_url"] == (
        "http://127.0.0.1:8000/donate/thanks/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert form["cancel_url"] == "http://127.0.0.1:8000/donate/cancelled/"


def test_stripe_down_is_a_form_error_and_the_pending_row_stays(
    client: Client, stripe_stub: HTTPServer
):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(
        {"error": {"type": "api_error"}}, status=500
    )
    response = client.post("/donate/", form_data())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The payment page could not be opened. Please try again in a minute."
    ]
    assert Donation.objects.get().checkout_session_id == ""


def test_offline_gift_goes_to_the_test_checkout(client: Client, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = client.post(
        "/donate/", form_data(frequency="monthly", currency="VND", amount="VND:500000")
    )

    gift = RecurringGift.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/donate/test-checkout/{gift.checkout_session_id}/"
    assert (gift.amount_minor, gift.currency, gift.status) == (
        500000,
        "VND",
        RecurringStatus.INCOMPLETE,
    )


def test_the_page_offers_the_configured_currencies_and_presets(client: Client, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = client.get("/donate/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "TEST MODE" in html
    form = response.context["form"]
    assert [code for code, _ in form.fields["currency"].choices] == [
        "USD", "EUR", "GBP", "PHP", "THB", "VND", "JPY",
    ]  # fmt: skip
    assert [label for _, label in form.fields["amount"].choices] == [
        "$25.00", "$50.00", "$100.00", "$250.00", "Other amount",
    ]  # fmt: skip
    # The fee for each suggestion, for readers without JavaScript.
    assert "$25.00 + $1.06; $50.00 + $1.81; $100.00 + $3.30; $250.00 + $7.78." in html


def test_presets_follow_the_currency_asked_for(client: Client):
    response = client.get("/donate/?currency=JPY")
    form = response.context["form"]
    assert [value for value, _ in form.fields["amount"].choices] == [
        "JPY:3000", "JPY:5000", "JPY:10000", "JPY:30000", "other",
    ]  # fmt: skip


def test_logged_in_person_finds_name_and_email_filled_in(client: Client):
    person = make_user(
        roles=[Role.VOLUNTEER], email="ana@example.org", first_name="Ana", last_name="Silva"
    )
    client.force_login(person)
    form = client.get("/donate/").context["form"]
    assert (form["name"].value(), form["email"].value()) == ("Ana Silva", "ana@example.org")


def test_fee_preview_follows_the_amount(client: Client):
    response = client.get(
        "/donate/fee/", {"currency": "USD", "amount": "other", "custom_amount": "100"}
    )
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "Covering the fee adds $3.30: you give $103.30 and $100.00 reaches the work." in text


def test_fee_preview_ignores_junk(client: Client):
    response = client.get("/donate/fee/", {"currency": "QQQ", "custom_amount": "lots"})
    assert response.status_code == 200
    assert "The card fee is estimated at 2.9% of the total plus $0.30." in " ".join(
        response.content.decode().split()
    )


# The campaign page


def paid(campaign: Campaign, donor: Donor, minor: int, currency: str = "USD", **kwargs: Any):
    return Donation.objects.create(
        donor=donor,
        campaign=campaign,
        amount_minor=minor,
        currency=currency,
        status=kwargs.pop("status", DonationStatus.PAID),
        paid_at=timezone.now(),
        **kwargs,
    )


def test_campaign_page_shows_its_progress_in_the_goal_currency(client: Client):
    campaign = Campaign.objects.create(
        name="Winter appeal",
        slug="winter",
        description="Keep the line open all winter.",
        goal_minor=100000,
        goal_currency="USD",
    )
    donor = Donor.objects.create(name="G", email="g@example.org")
    paid(campaign, donor, 25000)
    paid(campaign, donor, 10000, refunded_minor=4000, status=DonationStatus.PARTIALLY_REFUNDED)
    paid(campaign, donor, 5000, refunded_minor=5000, status=DonationStatus.REFUNDED)
    paid(campaign, donor, 7000, status=DonationStatus.DISPUTE_LOST)
    paid(campaign, donor, 3000000, currency="VND")  # another currency: not counted
    Donation.objects.create(donor=donor, campaign=campaign, amount_minor=9900, currency="USD")

    response = client.get("/donate/winter/")
    html = " ".join(response.content.decode().split())

    assert response.status_code == 200
    progress = response.context["progress"]
    assert (progress.raised.minor, progress.goal.minor, progress.percent, progress.gifts) == (
        31000,
        100000,
        31,
        3,
    )
    assert "$310.00 raised of $1,000.00" in html
    assert "Keep the line open all winter." in html


@pytest.mark.parametrize("flags", [{"active": False}, {"public": False}])
def test_closed_or_private_campaign_has_no_page(client: Client, flags):
    Campaign.objects.create(name="Old", slug="old", **flags)
    assert client.get("/donate/old/").status_code == 404


def test_gift_on_a_campaign_page_goes_to_that_campaign(client: Client, settings):
    settings.STRIPE_SECRET_KEY = ""
    campaign = Campaign.objects.create(name="Winter", slug="winter")
    client.post("/donate/winter/", form_data())
    assert Donation.objects.get().campaign == campaign


def test_campaign_page_queries_do_not_grow_with_gifts(client: Client):
    campaign = Campaign.objects.create(
        name="Winter", slug="winter", goal_minor=100000, goal_currency="USD"
    )
    donor = Donor.objects.create(name="G", email="g@example.org")

    def add(count: int) -> None:
        for _ in range(count):
            paid(campaign, donor, 1000)

    add(5)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/donate/winter/").status_code == 200
    add(55)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/donate/winter/")
    assert response.context["progress"].raised.minor == 60000
    assert len(small) == len(large)


# Thanks and cancel


def test_thanks_page_never_marks_a_gift_paid(client: Client):
    donor = Donor.objects.create(name="G", email="g@example.org")
    donation = Donation.objects.create(
        donor=donor, amount_minor=2500, currency="USD", checkout_session_id="cs_test_x"
    )
    response = client.get("/donate/thanks/", {"session_id": "cs_test_x"})
    html = " ".join(response.content.decode().split())

    assert response.status_code == 200
    assert "We will e-mail your receipt once the payment is confirmed." in html
    assert "Waiting for the payment to be confirmed." in html
    assert "g@example.org" not in html
    donation.refresh_from_db()
    assert (donation.status, donation.paid_at) == (DonationStatus.PENDING, None)


def test_thanks_page_shows_a_confirmed_payment(client: Client):
    donor = Donor.objects.create(name="G", email="g@example.org")
    Donation.objects.create(
        donor=donor,
        amount_minor=2500,
        currency="USD",
        checkout_session_id="cs_test_y",
        status=DonationStatus.PAID,
        paid_at=timezone.now(),
    )
    response = client.get("/donate/thanks/", {"session_id": "cs_test_y"}, HTTP_HX_REQUEST="true")
    html = " ".join(response.content.decode().split())
    assert "Your payment is confirmed." in html
    assert "hx-trigger" not in html  # no more polling


def test_thanks_page_without_a_known_session_still_thanks(client: Client):
    response = client.get("/donate/thanks/", {"session_id": "cs_unknown"})
    assert response.status_code == 200
    assert response.context["gift"] is None


def test_cancel_page_leads_back_to_the_campaign(client: Client):
    Campaign.objects.create(name="Winter", slug="winter")
    response = client.get("/donate/cancelled/", {"campaign": "winter"})
    assert response.status_code == 200
    assert 'href="/donate/winter/"' in response.content.decode()
