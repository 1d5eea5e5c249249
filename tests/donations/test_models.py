"""The database itself refuses rows that break the giving rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DataError, IntegrityError, transaction

from donations.models import (
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    RecurringGift,
    StripeEvent,
    TributeType,
)

pytestmark = pytest.mark.django_db


def make_donor(email: str = "grace@example.org", **kwargs) -> Donor:
    return Donor.objects.create(name="Grace Hopper", email=email, **kwargs)


def make_donation(donor: Donor | None = None, **kwargs) -> Donation:
    fields = {"amount_minor": 2500, "currency": "USD"} | kwargs
    return Donation.objects.create(donor=donor or make_donor(), **fields)


def refused(create, errors: type[Exception] | tuple[type[Exception], ...] = IntegrityError) -> None:
    with pytest.raises(errors), transaction.atomic():
        create()


def test_donor_email_is_stored_in_lower_case():
    donor = make_donor("  Grace.Hopper@Example.ORG ")
    donor.refresh_from_db()
    assert donor.email == "grace.hopper@example.org"


def test_one_donor_per_email_whatever_its_case():
    make_donor("grace@example.org")
    refused(lambda: make_donor("GRACE@example.org"))
    assert Donor.objects.count() == 1


def test_database_refuses_an_upper_case_email_that_bypasses_save():
    donor = make_donor()
    refused(lambda: Donor.objects.filter(pk=donor.pk).update(email="Grace@example.org"))


def test_donors_without_email_may_be_many():
    Donor.objects.create(name="Cash in the jar")
    Donor.objects.create(name="Cheque by post")
    assert Donor.objects.filter(email="").count() == 2


@pytest.mark.parametrize("amount", [0, -100])
def test_donation_amount_must_be_positive(amount):
    donor = make_donor()
    refused(lambda: make_donation(donor, amount_minor=amount))
    assert Donation.objects.count() == 0


def test_refund_may_not_exceed_the_amount():
    donor = make_donor()
    refused(lambda: make_donation(donor, amount_minor=2500, refunded_minor=2501))
    refused(lambda: make_donation(donor, amount_minor=2500, refunded_minor=-1))
    donation = make_donation(
        donor, amount_minor=2500, refunded_minor=2500, status=DonationStatus.REFUNDED
    )
    assert donation.refunded_minor == 2500


def test_refund_counter_cannot_pass_the_amount_by_update():
    donation = make_donation(amount_minor=2500, refunded_minor=1000)
    refused(lambda: Donation.objects.filter(pk=donation.pk).update(refunded_minor=3000))
    donation.refresh_from_db()
    assert donation.refunded_minor == 1000


def test_fee_covered_is_never_negative():
    refused(lambda: make_donation(fee_covered_minor=-1))


def test_duplicate_payment_intent_is_refused():
    donor = make_donor()
    make_donation(donor, payment_intent_id="pi_3Q1")
    refused(lambda: make_donation(donor, payment_intent_id="pi_3Q1"))
    assert Donation.objects.filter(payment_intent_id="pi_3Q1").count() == 1


@pytest.mark.parametrize("field", ["checkout_session_id", "charge_id", "invoice_id"])
def test_other_stripe_ids_are_unique_too(field):
    donor = make_donor()
    make_donation(donor, **{field: "x_1"})
    refused(lambda: make_donation(donor, **{field: "x_1"}))


def test_empty_stripe_ids_repeat_freely():
    donor = make_donor()
    make_donation(donor)
    make_donation(donor)
    assert Donation.objects.filter(payment_intent_id="", invoice_id="").count() == 2


@pytest.mark.parametrize("currency", ["usd", "US", "USDX", "", "U1D"])
def test_currency_must_be_three_upper_case_letters(currency):
    # PostgreSQL refuses a fourth letter as too long for the column (DataError); SQLite
    # does not check lengths, and the check constraint refuses it there.
    refused(lambda: make_donation(currency=currency), (IntegrityError, DataError))


def test_unknown_status_is_refused():
    refused(lambda: make_donation(status="paid-ish"))


def test_tribute_needs_a_name_and_no_tribute_has_none():
    donor = make_donor()
    refused(lambda: make_donation(donor, tribute_type=TributeType.IN_MEMORY))
    refused(lambda: make_donation(donor, tribute_name="Ada"))
    donation = make_donation(donor, tribute_type=TributeType.IN_MEMORY, tribute_name="Ada")
    assert donation.tribute_type == "memory"


def test_duplicate_stripe_event_id_is_refused():
    StripeEvent.objects.create(event_id="evt_1", type="charge.refunded", payload={})
    refused(lambda: StripeEvent.objects.create(event_id="evt_1", type="other", payload={}))
    assert StripeEvent.objects.count() == 1


def test_campaign_cannot_end_before_it_starts():
    refused(
        lambda: Campaign.objects.create(
            name="Winter",
            slug="winter",
            starts_on=dt.date(2025, 12, 1),
            ends_on=dt.date(2025, 11, 30),
        )
    )
    campaign = Campaign.objects.create(
        name="Winter", slug="winter", starts_on=dt.date(2025, 12, 1), ends_on=dt.date(2025, 12, 1)
    )
    assert campaign.ends_on == dt.date(2025, 12, 1)


def test_campaign_goal_is_an_amount_and_a_currency_or_neither():
    refused(lambda: Campaign.objects.create(name="A", slug="a", goal_minor=100000))
    refused(lambda: Campaign.objects.create(name="B", slug="b", goal_currency="USD"))
    refused(lambda: Campaign.objects.create(name="C", slug="c", goal_minor=0, goal_currency="USD"))
    Campaign.objects.create(name="D", slug="d", goal_minor=1_000_000, goal_currency="USD")
    Campaign.objects.create(name="E", slug="e")
    assert Campaign.objects.count() == 2


def test_recurring_gift_rules():
    donor = make_donor()
    refused(lambda: RecurringGift.objects.create(donor=donor, amount_minor=0, currency="USD"))
    RecurringGift.objects.create(
        donor=donor, amount_minor=1000, currency="USD", stripe_subscription_id="sub_1"
    )
    refused(
        lambda: RecurringGift.objects.create(
            donor=donor, amount_minor=1000, currency="USD", stripe_subscription_id="sub_1"
        )
    )
    refused(
        lambda: RecurringGift.objects.create(
            donor=donor, amount_minor=1000, currency="USD", interval="week"
        )
    )


def test_amounts_read_back_as_money():
    donation = make_donation(amount_minor=500000, currency="VND")
    assert str(donation.money) == "500000 VND"
    assert str(donation) == "500000 VND (Pending)"
