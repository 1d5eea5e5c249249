"""One rule for the date of a gift, a receipt or a statement: the day in the organisation's
zone, in one locale-aware format, on pages, in e-mails and in PDFs alike."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from accounts.roles import Role
from core.dates import format_day
from donations.models import Donation, DonationStatus, Donor, Receipt
from donations.services.receipts import receipt_pdf, sync_receipt
from donations.services.statements import statement_pdf
from notifications.models import Message
from notifications.services import deliver_message
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# 22:30 on 6 December in New York is already 7 December in UTC.
LATE_EVENING = datetime(2026, 12, 7, 3, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def org(settings):
    settings.ORG_TIME_ZONE = "America/New_York"
    settings.RECEIPT_TAX_TEXT = "Please keep this receipt for your tax records."
    settings.RECEIPT_NO_GOODS_TEXT = "No goods or services were provided."
    settings.STATEMENT_TAX_TEXT = "Please keep this statement for your tax records."
    settings.STATEMENT_NO_GOODS_TEXT = "No goods or services were provided for these gifts."


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def late_gift(language: str = "en") -> tuple[Donor, Donation, Receipt]:
    user = make_user(
        roles=[Role.DONOR],
        email=f"rosa.{language}@example.org",
        first_name="Rosa",
        preferred_language=language,
    )
    donor = Donor.objects.create(name="Rosa Diaz", email=user.email, user=user)
    with time_machine.travel(LATE_EVENING, tick=False):
        gift = Donation.objects.create(
            donor=donor,
            amount_minor=2500,
            currency="USD",
            status=DonationStatus.PAID,
            paid_at=LATE_EVENING,
        )
        receipt = sync_receipt(donation=gift)
    assert receipt is not None
    return donor, gift, receipt


def test_the_one_format_is_the_locales_own():
    day = date(2026, 12, 6)
    assert format_day(day, "en") == "Dec 6, 2026"
    assert format_day(day, "es") == "6 dic 2026"
    assert format_day(LATE_EVENING, "en") == "Dec 6, 2026"  # the organisation's day
    assert format_day("2026-12-07T03:30:00+00:00", "en") == "Dec 6, 2026"
    assert format_day("2026-12-06", "en") == "Dec 6, 2026"


def test_a_late_evening_gift_has_one_date_everywhere(client: Client, coordinator):
    donor, _gift, receipt = late_gift()
    assert donor.user is not None
    shown = "Dec 6, 2026"

    portal = client_for(client, donor.user).get("/donor/").content.decode()
    assert portal.count(shown) == 3  # the gift, its receipt and "give again"
    assert "Dec 7, 2026" not in portal and "7 Dec 2026" not in portal

    client.force_login(coordinator)
    for url in (
        "/coordinator/giving/donations/",
        "/coordinator/giving/receipts/",
        f"/coordinator/giving/donors/{donor.pk}/",
        f"/coordinator/people/{donor.user.pk}/",
    ):
        page = client.get(url).content.decode()
        assert shown in page, url
        assert "Dec 7, 2026" not in page and "7 Dec 2026" not in page, url

    text = pdf_text(receipt_pdf(receipt))
    assert "Issued on Dec 6, 2026" in text
    assert "Date received Dec 6, 2026" in text

    message = Message.objects.get(kind="donation.receipt")
    deliver_message(message_id=message.pk)
    assert f"received on {shown}." in mail.outbox[0].body

    with time_machine.travel(datetime(2027, 1, 5, 15, tzinfo=UTC), tick=False):
        statement = pdf_text(statement_pdf(donor=donor, year=2026))
    assert f"{shown} {receipt.display_number}" in statement
    assert "Made on Jan 5, 2027" in statement


def test_the_date_follows_the_recipients_language():
    _donor, _gift, receipt = late_gift("es")
    assert "6 dic 2026" in pdf_text(receipt_pdf(receipt))
    deliver_message(message_id=Message.objects.get(kind="donation.receipt").pk)
    assert "6 dic 2026" in mail.outbox[0].body


def test_the_statement_says_statement_not_receipt():
    donor, _gift, _receipt = late_gift()
    text = pdf_text(statement_pdf(donor=donor, year=2026))
    assert "Please keep this statement for your tax records." in text
    assert "No goods or services were provided for these gifts." in text
    assert "keep this receipt" not in text


def client_for(client: Client, user) -> Client:
    client.force_login(user)
    return client
