"""Acceptance 3 and 4: exact outcomes per language.

A Vietnamese receipt read back with pypdf; a Thai reminder SMS and its segments; a Spanish
eligibility reason with Spanish dates; the Filipino donate page's amounts; a Thai volunteer's
pages after logging in; a Spanish browser's donate page."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.utils import dateformat, translation
from pypdf import PdfReader

from accounts.roles import Role
from donations.models import Donation, DonationStatus, Donor
from donations.services.receipts import receipt_pdf, sync_receipt
from notifications.models import Channel, Message, NotificationPreference
from notifications.services.rendering import Renderer
from notifications.services.sms import sms_segments
from tests.factories import make_user
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.volunteers.factories import make_record, make_role, make_training, make_volunteer
from volunteers.selectors.eligibility import eligibility_for

pytestmark = pytest.mark.django_db


def test_a_vietnamese_receipt_has_vietnamese_labels(settings) -> None:
    settings.ORG_TIME_ZONE = "America/New_York"
    user = make_user(first_name="Sam", last_name="Nguyen", preferred_language="vi")
    donor = Donor.objects.create(email="sam@example.org", name="Sam Nguyen", user=user)
    gift = Donation.objects.create(
        donor=donor,
        amount_minor=200000,
        currency="VND",
        status=DonationStatus.PAID,
        paid_at=datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )
    receipt = sync_receipt(donation=gift)
    assert receipt is not None and receipt.language == "vi"
    reader = PdfReader(io.BytesIO(receipt_pdf(receipt)))
    lines = [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]
    assert "Biên nhận ủng hộ chính thức" in lines
    for label in ("Số biên nhận", "Ngày cấp", "Nhận từ", "Số tiền", "Bằng chữ", "Ngày nhận"):
        assert any(line.startswith(label + " ") for line in lines), (label, lines)
    assert "Ngày nhận 4 thg 3, 2026" in lines  # CLDR medium (core.dates.format_day)
    assert "Bằng chữ hai trăm nghìn đồng Việt Nam" in lines
    assert "Vui lòng giữ biên nhận này để phục vụ việc kê khai thuế." in lines
    text = "\n".join(lines)
    for english in ("Receipt number", "Amount", "In words", "Date received", "Please keep"):
        assert english not in text


def _reminder_sms(language: str, **context: str) -> str:
    user = make_user(first_name="Ploy", preferred_language=language)
    message = Message(
        recipient=user,
        kind="shift.reminder",
        channel=Channel.SMS,
        dedupe_key="t:reminder",
        context={**SAMPLE_CONTEXTS["shift.reminder"], **context},
    )
    preference = NotificationPreference(user=user, unsubscribe_token="tok")
    return Renderer().render(message, preference).sms


def test_a_thai_reminder_sms_fits_two_segments() -> None:
    sms = _reminder_sms("th")
    # Ploy is in the shift's zone (New York, the organisation's): no zone named
    # (tests/i18n/test_sms_zones.py has the others).
    assert sms == (
        "Hope Line: Crisis text line, evening อังคาร 15 ก.ค. 18:00, Harbour Street of..."
        " ตอบ YES เพื่อยืนยัน NO เพื่อยกเลิก"
    )
    # Thai is sent as UCS-2: 70 characters in one segment, 67 a segment when longer.
    assert len(sms) == 114
    assert sms_segments(sms) == 2
    # Names as long as the template lets through still fit two segments.
    long_names = _reminder_sms("th", shift_title="ก" * 80, location="ข" * 80)
    assert sms_segments(long_names) == 2
    # The English one is one GSM-7 segment.
    assert sms_segments(_reminder_sms("en")) == 1


def test_a_spanish_eligibility_reason_has_spanish_dates() -> None:
    hotline = make_training("Protocolo de la línea", validity_months=12)
    role = make_role("Línea de texto", trainings=[hotline])
    volunteer = make_volunteer()
    make_record(volunteer, hotline, completed_on=date(2025, 11, 3))
    record = hotline.records.get()
    assert record.expires_on == date(2026, 11, 3)
    start = datetime(2026, 12, 12, 23, 0, tzinfo=UTC)
    with translation.override("es"):
        result = eligibility_for(
            volunteer=volunteer,
            role=role,
            starts_at=start,
            ends_at=start.replace(hour=23, minute=59),
            time_zone="America/New_York",
        )
    assert result.reasons == (
        "Protocolo de la línea venció el 3 nov 2026, antes de este turno del 12 dic 2026.",
    )


def test_the_filipino_donate_page_shows_amounts_in_the_currencys_format(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fil"
    response = client.get("/donate/?currency=PHP")
    assert response.headers["Content-Language"] == "fil"
    html = response.content.decode()
    for amount in ("₱500.00", "₱1,000.00", "₱2,500.00", "₱5,000.00"):
        assert amount in html
    assert "Mag-donate" in html
    dollars = client.get("/donate/?currency=USD").content.decode()
    for amount in ("$25.00", "$50.00", "$100.00", "$250.00"):
        assert amount in dollars


def test_a_thai_volunteer_gets_thai_pages_after_logging_in(client: Client) -> None:
    make_user(
        email="ploy@example.org",
        password="a long pass phrase",
        preferred_language="th",
        roles=[Role.VOLUNTEER],
    )
    response = client.post(
        "/accounts/login/",
        {"username": "ploy@example.org", "password": "a long pass phrase"},
        headers={"accept-language": "es"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "th"
    assert "ออกจากระบบ" in response.content.decode()  # "Log out"


def test_a_spanish_browser_gets_the_spanish_donate_page(client: Client) -> None:
    response = client.get("/donate/", headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"})
    assert response.headers["Content-Language"] == "es"
    html = response.content.decode()
    assert "Done hoy" in html or "Donar" in html
    assert "Donate" not in html


def test_djangos_own_words_are_in_filipino_too() -> None:
    """Django ships no Filipino catalogue: ours has the words of its date formats and forms."""
    with translation.override("fil"):
        assert dateformat.format(date(2026, 11, 27), "D j M Y") == "Biy 27 Nob 2026"
        assert dateformat.format(date(2026, 5, 4), "l, F Y") == "Lunes, Mayo 2026"
        field = forms.CharField()
        with pytest.raises(forms.ValidationError) as error:
            field.clean("")
        assert error.value.messages == ["Kailangan ang field na ito."]
    with translation.override("es"):
        assert dateformat.format(date(2026, 11, 27), "D j M Y") == "vie 27 Nov 2026"


@pytest.mark.parametrize(
    ("language", "amounts"),
    [
        ("en", ("$25.00", "$50.00", "$100.00", "$250.00")),
        # Latin America's conventions (es_419): the decimal point the amount field reads.
        ("es", ("USD\u00a025.00", "USD\u00a050.00", "USD\u00a0100.00", "USD\u00a0250.00")),
        ("vi", ("25,00\u00a0US$", "50,00\u00a0US$", "100,00\u00a0US$", "250,00\u00a0US$")),
        ("th", ("US$25.00", "US$50.00", "US$100.00", "US$250.00")),
        ("fil", ("$25.00", "$50.00", "$100.00", "$250.00")),
    ],
)
def test_the_donate_pages_amounts_per_language(
    client: Client, language: str, amounts: tuple[str, ...]
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/donate/?currency=USD").content.decode()
    for amount in amounts:
        assert amount in html, amount
