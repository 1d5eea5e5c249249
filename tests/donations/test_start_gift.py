"""start_gift: the pending record, the donor, the fee, and the Checkout Session it asks for."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from pytest_httpserver import HTTPServer

from accounts.roles import Role
from donations.models import (
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    GiftInterval,
    RecurringGift,
    RecurringStatus,
    TributeType,
)
from donations.money import Money
from donations.options import cover_fee_amount
from donations.stripe_integration.checkout import start_gift
from donations.stripe_integration.client import StripeUnavailable
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SESSIONS = "/v1/checkout/sessions"


def session_json(session_id: str = "cs_test_a1") -> dict[str, object]:
    return {
        "id": session_id,
        "object": "checkout.session",
        "livemode": False,
        "status": "open",
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
    }


def give(**overrides: Any):
    kwargs: dict[str, Any] = {
        "amount": Money.of("25", "USD"),
        "frequency": "once",
        "campaign": None,
        "name": "Grace Hopper",
        "email": "Grace@Example.org",
        "cover_fee": False,
        "tribute_type": TributeType.NONE,
        "tribute_name": "",
        "anonymous": False,
        "user": None,
        "success_url": "https://ngo.example.org/donate/thanks/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://ngo.example.org/donate/cancelled/",
    }
    kwargs.update(overrides)
    return start_gift(**kwargs)


# Offline test mode (no Stripe key): no request leaves the app.


def test_offline_one_time_gift_is_pending_with_an_offline_session(settings):
    settings.STRIPE_SECRET_KEY = ""
    started = give()

    donation = Donation.objects.get()
    assert donation.status == DonationStatus.PENDING
    assert (donation.amount_minor, donation.currency, donation.fee_covered_minor) == (
        2500,
        "USD",
        0,
    )
    assert donation.checkout_session_id.startswith("cs_test_offline_")
    assert len(donation.checkout_session_id) == len("cs_test_offline_") + 24
    assert started.checkout_session_id == donation.checkout_session_id
    assert started.redirect_url == f"/donate/test-checkout/{donation.checkout_session_id}/"
    assert started.donation == donation
    assert donation.paid_at is None
    assert donation.donor.email == "grace@example.org"
    assert donation.donor.name == "Grace Hopper"


def test_offline_monthly_gift_is_an_incomplete_recurring_gift_copying_the_choices(settings):
    settings.STRIPE_SECRET_KEY = ""
    campaign = Campaign.objects.create(name="Winter", slug="winter")
    started = give(
        frequency="monthly",
        amount=Money.of("50", "EUR"),
        cover_fee=True,
        tribute_type=TributeType.IN_MEMORY,
        tribute_name="  Ada   Lovelace ",
        anonymous=True,
        campaign=campaign,
    )

    gift = RecurringGift.objects.get()
    fee = cover_fee_amount(Money.of("50", "EUR")).minor
    assert fee == 176  # (5000 + 25) / 0.971 = 5175.08 -> 5176; 5176 - 5000
    assert (gift.amount_minor, gift.currency, gift.fee_covered_minor) == (5000 + fee, "EUR", fee)
    assert (gift.status, gift.interval) == (RecurringStatus.INCOMPLETE, GiftInterval.MONTH)
    assert (gift.tribute_type, gift.tribute_name, gift.anonymous) == (
        "memory",
        "Ada Lovelace",
        True,
    )
    assert gift.campaign == campaign
    assert gift.checkout_session_id == started.checkout_session_id
    assert started.recurring_gift == gift
    assert not Donation.objects.exists()


# Stripe configured: the real SDK against the local stub.


def test_checkout_session_carries_our_metadata_and_the_pending_records_key(
    stripe_stub: HTTPServer,
):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(session_json())
    started = give(amount=Money.of("3000", "JPY"), cover_fee=True)

    donation = Donation.objects.get()
    assert started.redirect_url == "https://checkout.stripe.com/c/pay/cs_test_a1"
    assert donation.checkout_session_id == "cs_test_a1"
    assert donation.status == DonationStatus.PENDING
    # JPY 3000 at 2.9% + 40: (3000 + 40) / 0.971 = 3130.8 -> 3131
    assert (donation.amount_minor, donation.fee_covered_minor) == (3131, 131)
    request = stripe_stub.log[0][0]
    assert request.headers["Idempotency-Key"] == f"checkout-donation-{donation.pk}"
    form = request.form
    assert form["metadata[donation_id]"] == str(donation.pk)
    assert form["payment_intent_data[metadata][donation_id]"] == str(donation.pk)
    assert form["line_items[0][price_data][unit_amount]"] == "3131"
    assert form["line_items[0][price_data][currency]"] == "jpy"
    assert form["customer_email"] == "grace@example.org"
    assert form["submit_type"] == "donate"
    assert form["line_items[0][price_data][product_data][name]"] == "Gift to Hope Line"


def test_monthly_checkout_names_the_recurring_gift(stripe_stub: HTTPServer):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(session_json("cs_m"))
    give(frequency="monthly", amount=Money.of("500000", "VND"))

    gift = RecurringGift.objects.get()
    form = stripe_stub.log[0][0].form
    assert stripe_stub.log[0][0].headers["Idempotency-Key"] == f"checkout-recurring-{gift.pk}"
    assert form["metadata[recurring_gift_id]"] == str(gift.pk)
    assert form["subscription_data[metadata][recurring_gift_id]"] == str(gift.pk)
    assert form["mode"] == "subscription"
    assert form["line_items[0][price_data][recurring][interval]"] == "month"
    assert form["line_items[0][price_data][unit_amount]"] == "500000"
    assert gift.checkout_session_id == "cs_m"


def test_a_stripe_failure_leaves_the_pending_row_without_a_session(stripe_stub: HTTPServer):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(
        {"error": {"type": "api_error", "message": "boom"}}, status=400
    )
    with pytest.raises(StripeUnavailable):
        give()

    donation = Donation.objects.get()
    assert (donation.status, donation.checkout_session_id) == (DonationStatus.PENDING, "")


# Donors


def test_gifts_with_the_same_email_in_any_case_land_on_one_donor(settings):
    settings.STRIPE_SECRET_KEY = ""
    give(email="grace@example.org")
    give(email=" GRACE@example.ORG ", name="G. Hopper")

    assert Donor.objects.count() == 1
    donor = Donor.objects.get()
    assert donor.name == "Grace Hopper"
    assert Donation.objects.filter(donor=donor).count() == 2


def test_a_logged_in_person_giving_with_their_email_is_linked(settings):
    settings.STRIPE_SECRET_KEY = ""
    person = make_user(roles=[Role.VOLUNTEER], email="ana@example.org")
    give(email="Ana@example.org", user=person)

    assert Donor.objects.get().user == person


def test_a_logged_in_person_giving_with_another_email_is_not_linked(settings):
    settings.STRIPE_SECRET_KEY = ""
    person = make_user(roles=[Role.VOLUNTEER], email="ana@example.org")
    give(email="someone.else@example.org", user=person)

    assert Donor.objects.get().user is None


def test_a_login_already_linked_to_a_donor_is_not_linked_twice(settings):
    settings.STRIPE_SECRET_KEY = ""
    person = make_user(roles=[Role.DONOR], email="ana@example.org")
    Donor.objects.create(name="Ana (old address)", email="ana.old@example.org", user=person)
    give(email="ana@example.org", user=person)

    assert Donor.objects.get(email="ana@example.org").user is None
    assert Donor.objects.get(email="ana.old@example.org").user == person


# Bad input: a ValidationError naming the field, and nothing stored


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"amount": Money.of("0.49", "USD")},
            "amount",
            "The smallest gift Stripe can take in USD is $0.50.",
        ),
        (
            {"amount": Money.of("10", "KWD")},
            "currency",
            "We take gifts in USD, EUR, GBP, PHP, THB, VND, JPY only, not KWD.",
        ),
        (
            {"email": "not-an-email"},
            "email",
            "Enter a valid e-mail address, e.g. name@example.org.",
        ),
        ({"name": "  "}, "name", "Enter your name."),
        (
            {"tribute_type": TributeType.IN_HONOUR, "tribute_name": " "},
            "tribute_name",
            "Enter the name of the person the gift honours.",
        ),
        ({"frequency": "weekly"}, "frequency", "Choose once or monthly."),
    ],
)
def test_bad_input_is_refused_before_anything_is_stored(settings, overrides, field, message):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ValidationError) as caught:
        give(**overrides)

    assert caught.value.message_dict == {field: [message]}
    assert not Donation.objects.exists()
    assert not Donor.objects.exists()


def test_a_closed_campaign_takes_no_gift(settings):
    settings.STRIPE_SECRET_KEY = ""
    campaign = Campaign.objects.create(name="Old", slug="old", active=False)
    with pytest.raises(ValidationError) as caught:
        give(campaign=campaign)
    assert caught.value.message_dict == {"campaign": ["This campaign no longer takes gifts."]}


def test_the_fee_never_pushes_a_gift_past_stripes_maximum(settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ValidationError) as caught:
        give(amount=Money.of("999999.00", "USD"), cover_fee=True)
    assert caught.value.message_dict == {
        "amount": ["The largest gift we can take online in USD is $999,999.99."]
    }


@pytest.mark.parametrize(
    ("amount", "currency", "fee"),
    [
        ("25", "USD", "1.06"),
        ("100", "USD", "3.30"),
        ("500000", "VND", "22143"),  # 507000 / 0.971 = 522142.1 -> 522143
        ("3000", "JPY", "131"),
    ],
)
def test_fee_estimate(amount, currency, fee):
    assert cover_fee_amount(Money.of(amount, currency)) == Money.of(Decimal(fee), currency)


def test_fee_rounds_up_to_a_chargeable_amount(settings):
    settings.DONATION_FEE_FIXED = {}
    settings.DONATION_FEE_PERCENT = "3"
    # KWD 10.000 * 100 / 97 = 10.3093 -> 10.310 (three-decimal amounts end in 0)
    assert cover_fee_amount(Money.of("10", "KWD")) == Money(310, "KWD")


def test_no_fee_configured_means_none(settings):
    settings.DONATION_FEE_FIXED = {}
    settings.DONATION_FEE_PERCENT = "0"
    assert cover_fee_amount(Money.of("25", "USD")) == Money(0, "USD")
