"""Dedications ("In memory of Rosa Alvarez"): entered with the gift, shown and exported
wherever a coordinator looks, and an acknowledgement letter to the family when the donor
gave an address for it."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from accounts.models import User
from donations.models import Donation, DonationStatus, RecurringGift, TributeType
from donations.stripe_integration import offline_events as se
from tests.donations import ledger_stream as ls
from tests.donations.portal_data import donor_with_login, monthly
from tests.utils import read_download

pytestmark = pytest.mark.django_db

G = "/coordinator/giving"
FAMILY = "The Alvarez family\n4 Elm Street\nSpringfield, IL 62704"


@pytest.fixture(autouse=True)
def offline(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ls.SECRET
    settings.ORG_NAME = "Hope Line"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def give_in_memory(client: Client, *, notify: str = FAMILY, anonymous: bool = False) -> Donation:
    """The public donation page, then the payment's webhook: a paid, dedicated gift."""
    data = {
        "currency": "USD",
        "amount": "USD:50.00",
        "frequency": "once",
        "tribute_type": "memory",
        "tribute_name": "Rosa  Alvarez",
        "tribute_notify": notify,
        "name": "Grace Hopper",
        "email": "grace.d@example.org",
    }
    if anonymous:
        data["anonymous"] = "on"
    response = client.post("/donate/", data)
    assert response.status_code == 302, response.context["form"].errors
    donation = Donation.objects.get()
    session = se.checkout_session(
        session_id=donation.checkout_session_id,
        mode="payment",
        amount_minor=donation.amount_minor,
        currency="USD",
        email=donation.donor.email,
        name=donation.donor.name,
        metadata={"donation_id": str(donation.pk)},
        payment_status="paid",
        payment_intent=f"pi_dedication_{donation.pk}",
    )
    ls.deliver(se.build_event("checkout.session.completed", session, created=ls.T0))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID
    return donation


def test_the_dedication_and_the_familys_address_are_kept_with_the_gift(client: Client):
    donation = give_in_memory(client)
    assert (donation.tribute_type, donation.tribute_name) == (TributeType.IN_MEMORY, "Rosa Alvarez")
    assert donation.tribute_notify == FAMILY
    assert donation.dedication == "In memory of Rosa Alvarez"


def test_coordinators_see_the_dedication_everywhere(client: Client, coordinator: User):
    donation = give_in_memory(client)
    client.force_login(coordinator)
    dedication = "In memory of Rosa Alvarez"
    letter = f"{G}/donations/{donation.pk}/dedication-letter.pdf"
    listing = client.get(f"{G}/donations/").content.decode()
    assert dedication in listing and letter in listing
    # Searching the honoree's name finds the gift.
    found = client.get(f"{G}/donations/", {"q": "alvarez"}).context["page"].object_list
    assert [d.pk for d in found] == [donation.pk]
    profile = client.get(f"{G}/donors/{donation.donor_id}/").content.decode()
    assert dedication in profile and letter in profile
    assert donation.donor.user is not None
    record = client.get(f"/coordinator/people/{donation.donor.user.pk}/").content.decode()
    assert dedication in record
    rows = list(
        csv.DictReader(io.StringIO(read_download(client.get(f"{G}/gifts/export.csv")).decode()))
    )
    assert [(r["dedication"], r["dedication_notify"]) for r in rows] == [(dedication, FAMILY)]


def test_a_monthly_gifts_dedication_is_shown_and_copied_to_each_instalment(
    client: Client, coordinator: User
):
    donor = donor_with_login("Ana Lima", "ana.d@example.org")
    gift = monthly(
        donor,
        tribute_type=TributeType.IN_HONOUR,
        tribute_name="Mateo Lima",
        tribute_notify="Mateo Lima\n9 Oak Road",
    )
    invoice = se.invoice(
        invoice_id="in_dedication_1",
        subscription=gift.stripe_subscription_id,
        customer="cus_d",
        amount_minor=1500,
        currency="USD",
        metadata={"recurring_gift_id": str(gift.pk)},
        paid=True,
        payment_intent="pi_dedication_m1",
        created=ls.T0,
    )
    ls.deliver(se.build_event("invoice.paid", invoice, created=ls.T0))
    instalment = Donation.objects.get(recurring_gift=gift)
    assert (instalment.dedication, instalment.tribute_notify) == (
        "In honour of Mateo Lima",
        "Mateo Lima\n9 Oak Road",
    )
    client.force_login(coordinator)
    assert "In honour of Mateo Lima" in client.get(f"{G}/recurring/").content.decode()
    assert donor.user is not None
    client.force_login(donor.user)
    assert "In honour of Mateo Lima" in client.get("/donor/").content.decode()
    assert RecurringGift.objects.get().dedication == "In honour of Mateo Lima"


def test_the_letter_to_the_family_names_the_donor_but_never_the_amount(
    client: Client, coordinator: User
):
    donation = give_in_memory(client)
    client.force_login(coordinator)
    response = client.get(f"{G}/donations/{donation.pk}/dedication-letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for line in FAMILY.splitlines():
        assert line in text
    assert "Grace Hopper has made a gift to Hope Line in memory of Rosa Alvarez." in text
    assert "$50" not in text and "50.00" not in text


def test_an_anonymous_donor_is_not_named_in_the_letter(client: Client, coordinator: User):
    donation = give_in_memory(client, anonymous=True)
    client.force_login(coordinator)
    text = pdf_text(client.get(f"{G}/donations/{donation.pk}/dedication-letter.pdf").content)
    assert "A gift has been made to Hope Line in memory of Rosa Alvarez." in text
    assert "Grace Hopper" not in text


def test_no_address_no_letter(client: Client, coordinator: User):
    donation = give_in_memory(client, notify="")
    client.force_login(coordinator)
    listing = client.get(f"{G}/donations/").content.decode()
    assert "In memory of Rosa Alvarez" in listing
    assert "dedication-letter.pdf" not in listing
    assert client.get(f"{G}/donations/{donation.pk}/dedication-letter.pdf").status_code == 404


@pytest.mark.parametrize("who", ["volunteer", "donor"])
def test_only_coordinators_print_letters(client: Client, request, who):
    donation = give_in_memory(client)
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"{G}/donations/{donation.pk}/dedication-letter.pdf").status_code == 403


def test_an_address_too_long_is_a_form_error(client: Client):
    response = client.post(
        "/donate/",
        {
            "currency": "USD",
            "amount": "USD:50.00",
            "frequency": "once",
            "tribute_type": "memory",
            "tribute_name": "Rosa Alvarez",
            "tribute_notify": "x" * 501,
            "name": "Grace Hopper",
            "email": "grace.d@example.org",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["tribute_notify"] == [
        "Ensure this value has at most 500 characters (it has 501)."
    ]
    assert Donation.objects.count() == 0
