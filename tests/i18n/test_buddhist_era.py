"""Issue 15: "the Thai calendar year is not used unless the organisation chooses it".

With settings.THAI_BUDDHIST_ERA on, a Thai reader reads every year in the Buddhist era
(2026 + 543 = 2569) on pages, in e-mails and in PDFs; off (the default), the Gregorian year.
Readers of the other languages never see it; machine values (ISO dates in links and
inputs, receipt numbers, file names) keep the Gregorian year."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from accounts.roles import Role
from core.dates import format_day
from core.locales import display_year, django_date, format_cldr, month_and_year
from donations.models import Donation, DonationStatus, Donor
from donations.services.receipts import receipt_pdf, sync_receipt
from donations.services.statements import statement_pdf
from notifications.models import Channel, Message, NotificationPreference
from notifications.services.rendering import Renderer
from tests.factories import give_second_factor, make_user
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.volunteers.factories import make_record, make_training, make_volunteer

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 7)
TEMPLATE = Template(
    '{{ day|date:"j M Y" }}|{{ day|date:"F Y" }}|{{ day|date:"y" }}|{{ day|date:"Y-m-d" }}'
    '|{{ day|date:"c" }}|{{ 2026|era_year }}'
)


@pytest.fixture
def buddhist_era(settings) -> None:
    settings.THAI_BUDDHIST_ERA = True


def _helpers(language: str) -> tuple[str, ...]:
    with translation.override(language):
        return (
            format_day(DAY),
            month_and_year(DAY),
            format_cldr(datetime(2026, 12, 7, 18, 30, tzinfo=UTC), "EEE d MMM y, HH:mm"),
            django_date(DAY, "D j M Y"),
            str(display_year(2026)),
            TEMPLATE.render(Context({"day": DAY})),
        )


GREGORIAN = {
    "en": (
        "Dec 7, 2026",
        "December 2026",
        "Mon 7 Dec 2026, 18:30",
        "Mon 7 Dec 2026",
        "2026",
        "7 Dec 2026|December 2026|26|2026-12-07|2026-12-07|2026",
    ),
    "es": (
        "7 dic 2026",
        "diciembre de 2026",
        "lun 7 dic 2026, 18:30",
        "lun 7 Dic 2026",
        "2026",
        "7 Dic 2026|diciembre 2026|26|2026-12-07|2026-12-07|2026",
    ),
    "vi": (
        "7 thg 12, 2026",
        "tháng 12 năm 2026",
        "Thứ 2 7 thg 12 2026, 18:30",
        "Thứ 2 7 Tháng 12 2026",
        "2026",
        "7 Tháng 12 2026|Tháng 12 2026|26|2026-12-07|2026-12-07|2026",
    ),
    "fil": (
        "Dis 7, 2026",
        "Disyembre 2026",
        "Lun 7 Dis 2026, 18:30",
        "Lun 7 Dis 2026",
        "2026",
        "7 Dis 2026|Disyembre 2026|26|2026-12-07|2026-12-07|2026",
    ),
    "th": (
        "7 ธ.ค. 2026",
        "ธันวาคม 2026",
        "จันทร์ 7 ธ.ค. 2026, 18:30",
        "จ. 7 ธ.ค. 2026",
        "2026",
        "7 ธ.ค. 2026|ธันวาคม 2026|26|2026-12-07|2026-12-07|2026",
    ),
}


@pytest.mark.parametrize("language", ["en", "es", "vi", "fil", "th"])
def test_every_reader_reads_the_gregorian_year_by_default(language: str) -> None:
    assert _helpers(language) == GREGORIAN[language]


@pytest.mark.parametrize("language", ["en", "es", "vi", "fil"])
def test_the_buddhist_era_leaves_the_other_languages_alone(buddhist_era, language: str) -> None:
    assert _helpers(language) == GREGORIAN[language]


def test_a_thai_reader_reads_the_buddhist_era_when_the_organisation_chooses_it(
    buddhist_era,
) -> None:
    assert _helpers("th") == (
        "7 ธ.ค. 2569",
        "ธันวาคม 2569",
        "จันทร์ 7 ธ.ค. 2569, 18:30",
        "จ. 7 ธ.ค. 2569",
        "2569",
        # Pages' |date: the year people read shifts, ISO (links, inputs) does not.
        "7 ธ.ค. 2569|ธันวาคม 2569|69|2026-12-07|2026-12-07|2569",
    )
    # A regional Thai code is Thai too; the language passed wins over the active one.
    assert format_day(DAY, "th-TH") == "7 ธ.ค. 2569"
    with translation.override("th"):
        assert format_day(DAY, "en") == "Dec 7, 2026"


@pytest.fixture
def ploy(client: Client):
    user = make_volunteer(email="ploy@example.org", first_name="Ploy", preferred_language="th")
    client.force_login(user)
    return user


@pytest.mark.parametrize(("era", "completed"), [(False, "3 พ.ย. 2025"), (True, "3 พ.ย. 2568")])
def test_a_thai_volunteers_pages(settings, client: Client, ploy, era: bool, completed: str) -> None:
    settings.THAI_BUDDHIST_ERA = era
    make_record(
        ploy, make_training("Protocol", validity_months=None), completed_on=date(2025, 11, 3)
    )
    with time_machine.travel(datetime(2026, 12, 7, 15, tzinfo=UTC), tick=False):
        trainings = client.get("/volunteer/trainings/").content.decode()
        calendar = client.get("/volunteer/shifts/calendar/?view=month&date=2026-12-07")
    assert f"<p>สำเร็จการอบรมเมื่อ {completed} ไม่มีวันหมดอายุ</p>" in trainings
    html = calendar.content.decode()
    # The calendar's title is the month people read; its links keep ISO dates.
    assert f"<h2>ธันวาคม {2569 if era else 2026}</h2>" in html
    assert "date=2026-12-07" in html
    assert "date=2569" not in html


def _email(kind: str, language: str, **context: object) -> tuple[str, str]:
    user = make_user(first_name="Ploy", preferred_language=language)
    message = Message(
        recipient=user,
        kind=kind,
        channel=Channel.EMAIL,
        dedupe_key=f"t:{kind}",
        context={**SAMPLE_CONTEXTS[kind], **context},
    )
    rendered = Renderer().render(message, NotificationPreference(user=user, unsubscribe_token="t"))
    return rendered.subject, rendered.text


@pytest.mark.parametrize(("era", "year"), [(False, "2031"), (True, "2574")])
def test_a_thai_readers_e_mails(settings, era: bool, year: str) -> None:
    settings.THAI_BUDDHIST_ERA = era
    subject, _ = _email("shift.reminder", "th")
    assert subject == (
        f"แจ้งเตือน: Crisis text line, evening, อังคาร 15 ก.ค. {year}, 18:00 (เวลาสหรัฐอเมริกา (นิวยอร์ก))"
    )
    subject, text = _email("donation.statement", "th")
    assert subject == f"สรุปยอดบริจาคปี {year} ของคุณ"
    assert f"ขอบคุณสำหรับการสนับสนุนของคุณในปี {year}" in text
    _, text = _email("donation.receipt", "th")
    assert f"เมื่อวันที่ 1 ก.ค. {year}" in text
    assert "2031-000042" in text  # the receipt's number is a legal serial: Gregorian


def test_the_buddhist_era_leaves_other_readers_e_mails_alone(buddhist_era) -> None:
    assert _email("donation.statement", "en")[0] == "Your giving statement for 2031"
    assert _email("donation.statement", "vi")[0] == "Bảng kê ủng hộ năm 2031 của bạn"
    assert _email("shift.reminder", "es")[0] == (
        "Recordatorio: Crisis text line, evening, mar 15 jul 2031, 18:00"
        " (hora de Estados Unidos (Nueva York))"
    )


def _pdf_lines(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


def _thai_gift() -> Donation:
    user = make_user(first_name="Ploy", last_name="S", preferred_language="th")
    donor = Donor.objects.create(email="ploy@example.org", name="Ploy S", user=user)
    return Donation.objects.create(
        donor=donor,
        amount_minor=50000,
        currency="THB",
        status=DonationStatus.PAID,
        paid_at=datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(("era", "year"), [(False, "2026"), (True, "2569")])
def test_a_thai_receipt_and_statement(settings, era: bool, year: str) -> None:
    settings.THAI_BUDDHIST_ERA = era
    settings.ORG_TIME_ZONE = "America/New_York"
    gift = _thai_gift()
    with time_machine.travel(datetime(2026, 3, 4, 16, 0, tzinfo=UTC), tick=False):
        receipt = sync_receipt(donation=gift)
        statement = _pdf_lines(statement_pdf(donor=gift.donor, year=2026))
    assert receipt is not None and receipt.language == "th"
    lines = _pdf_lines(receipt_pdf(receipt))
    # The receipt number is a legal serial: the Gregorian year, always.
    assert "เลขที่ใบเสร็จ R2026-000001" in lines
    # (pypdf reads a digit right after "เมื่อ" as another character: the year is what counts)
    assert any(line.startswith("ออกเมื่อ ") and line.endswith(f" มี.ค. {year}") for line in lines)
    assert f"วันที่ได้รับ 4 มี.ค. {year}" in lines
    assert "จำนวนเงิน (ตัวอักษร) ห้าร้อย บาทไทย" in lines  # no year in the words
    assert f"สรุปยอดบริจาคประจำปี {year}" in statement
    assert any(line.startswith("จัดทำเมื่อ ") and line.endswith(f" มี.ค. {year}") for line in statement)
    assert f"4 มี.ค. {year} R2026-000001 กองทุนทั่วไป บัตร ฿500.00 — — —" in statement


def test_the_buddhist_era_leaves_a_vietnamese_receipt_alone(buddhist_era, settings) -> None:
    settings.ORG_TIME_ZONE = "America/New_York"
    user = make_user(first_name="Sam", preferred_language="vi")
    donor = Donor.objects.create(email="sam@example.org", name="Sam", user=user)
    gift = Donation.objects.create(
        donor=donor,
        amount_minor=200000,
        currency="VND",
        status=DonationStatus.PAID,
        paid_at=datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )
    receipt = sync_receipt(donation=gift)
    assert receipt is not None
    assert "Ngày nhận 4 thg 3, 2026" in _pdf_lines(receipt_pdf(receipt))


def test_a_thai_coordinators_reports_page(buddhist_era, client: Client) -> None:
    coordinator = make_user(preferred_language="th", roles=[Role.ADMINISTRATOR])
    client.force_login(coordinator)
    give_second_factor(client, coordinator)
    html = client.get("/coordinator/giving/reports/?year=2026").content.decode()
    assert "<h1>รายงานการบริจาคปี 2569</h1>" in html
    assert "LYBUNT: บริจาคในปี 2568 แต่ไม่ได้บริจาคในปี 2569" in html
    # The year typed in the form and the CSV links' ?year= stay Gregorian.
    assert 'value="2026"' in html
    assert "lybunt.csv?year=2026" in html


APPS = ("accounts", "core", "dashboard", "demo", "donations", "notifications", "volunteers")
# Formatting a date for people anywhere but core.locales would miss the reader's era (and
# strftime's %a/%b names are English whatever the language).
BYPASS = re.compile(
    r"\b(format_date|format_datetime|format_skeleton|format_time|date_format)\("
    r"|\bdateformat\.format\(|strftime\([^)]*%[aAbB]|:%[^}]*%[aAbB]"
)


def test_dates_for_people_are_written_only_through_core_locales() -> None:
    root = Path(__file__).resolve().parents[2]
    allowed = {root / "core" / "locales.py", root / "core" / "templatetags" / "era_dates.py"}
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for app in APPS
        for path in sorted((root / app).rglob("*.py"))
        if path not in allowed and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if BYPASS.search(line)
    ]
    assert found == []
