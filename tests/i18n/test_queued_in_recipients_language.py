"""Text captured into a message when it is queued (a shift's title, a change put in words,
an amount) is in the recipient's language, not in the language of whoever queued it: a
coordinator working in English tells a Spanish and a Thai volunteer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from dashboard.digest import send_coordinator_digest
from donations.models import Donation, DonationStatus, Donor
from notifications.models import Message
from tests.factories import make_user
from tests.volunteers.factories import make_location, make_shift, make_volunteer
from volunteers import services
from volunteers.models import VolunteerRole
from volunteers.shift_text import time_range_text

pytestmark = pytest.mark.django_db

START = datetime(2099, 7, 14, 22, 0, tzinfo=UTC)  # 18:00 in New York
NBSP = "\u00a0"


def _role(name: str, es: str, th: str) -> VolunteerRole:
    return VolunteerRole.objects.create(
        name=name, translations={"es": {"name": es}, "th": {"name": th}}
    )


@pytest.fixture
def people() -> tuple[User, User, User]:
    coordinator = make_user(roles=[Role.VOLUNTEER_COORDINATOR], preferred_language="en")
    lucia = make_volunteer(email="lucia@example.org", preferred_language="es")
    ploy = make_volunteer(email="ploy@example.org", preferred_language="th")
    return coordinator, lucia, ploy


def test_confirmations_and_changes_are_queued_in_each_volunteers_language(
    people: tuple[User, User, User],
) -> None:
    coordinator, lucia, ploy = people
    line = _role("Crisis text line", "Línea de texto de crisis", "สายด่วนทางข้อความ")
    outreach = _role("School outreach", "Charlas en escuelas", "กิจกรรมในโรงเรียน")
    shift = make_shift(line, location=make_location("Office"), starts_at=START, capacity=2)
    with translation.override("en"):  # whoever queues works in English
        services.sign_up_for_shift(shift=shift, volunteer=lucia)
        services.sign_up_for_shift(shift=shift, volunteer=ploy)
    confirmed = {m.recipient_id: m for m in Message.objects.filter(kind="shift.signup_confirmed")}
    assert confirmed[lucia.pk].context["shift_title"] == "Línea de texto de crisis"
    assert confirmed[ploy.pk].context["shift_title"] == "สายด่วนทางข้อความ"
    # The calendar file's title too.
    assert "SUMMARY:Línea de texto de crisis" in confirmed[lucia.pk].attachments[0]["content"]
    assert "SUMMARY:สายด่วนทางข้อความ" in confirmed[ploy.pk].attachments[0]["content"]
    reminders = {m.recipient_id: m for m in Message.objects.filter(kind="shift.reminder")}
    assert reminders[lucia.pk].context["shift_title"] == "Línea de texto de crisis"
    assert reminders[ploy.pk].context["shift_title"] == "สายด่วนทางข้อความ"

    with translation.override("en"):
        services.update_shift(
            shift=shift,
            by=coordinator,
            role=outreach,
            starts_at=START + timedelta(hours=1),
            ends_at=START + timedelta(hours=4),
        )
    changed = {m.recipient_id: m for m in Message.objects.filter(kind="shift.changed")}
    assert changed[lucia.pk].context["shift_title"] == "Charlas en escuelas"
    assert changed[ploy.pk].context["shift_title"] == "กิจกรรมในโรงเรียน"
    for person, role_name in ((lucia, "Charlas en escuelas"), (ploy, "กิจกรรมในโรงเรียน")):
        with translation.override(person.preferred_language):
            before = time_range_text(START, START + timedelta(hours=3), "America/New_York")
            after = time_range_text(
                START + timedelta(hours=1), START + timedelta(hours=4), "America/New_York"
            )
            expected = " ".join(
                (
                    gettext("The role is now %(role)s.") % {"role": role_name},
                    gettext("The time changed from %(before)s to %(after)s.")
                    % {"before": before, "after": after},
                )
            )
        assert changed[person.pk].context["note"] == expected
    # The times and the zone in the reader's words, whatever the catalogue says of the rest.
    assert "(hora de Estados Unidos (Nueva York))" in changed[lucia.pk].context["note"]
    assert "mar 14 Jul 2099, 19:00" in changed[lucia.pk].context["note"]
    assert "(เวลาสหรัฐอเมริกา (นิวยอร์ก))" in changed[ploy.pk].context["note"]
    assert "United States" not in changed[ploy.pk].context["note"]


def test_the_digest_names_roles_and_amounts_in_each_coordinators_language(settings) -> None:
    settings.ORG_TIME_ZONE = "America/New_York"
    settings.DIGEST_HOUR = 7
    morning = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    spanish = make_user(roles=[Role.ADMINISTRATOR], preferred_language="es")
    thai = make_user(roles=[Role.ADMINISTRATOR], preferred_language="th")
    with time_machine.travel(morning - timedelta(days=1), tick=False):
        make_shift(
            _role("Outreach", "Acercamiento comunitario", "ลงพื้นที่ชุมชน"),
            location=make_location("Office"),
            starts_at=morning + timedelta(days=2),
            capacity=3,
        )
        donor = Donor.objects.create(name="Chris Osei", email="chris@example.org")
        Donation.objects.create(
            donor=donor,
            amount_minor=150000,
            currency="USD",
            status=DonationStatus.FAILED,
            failed_at=morning - timedelta(hours=5),
        )
    with time_machine.travel(morning, tick=False), translation.override("en"):
        assert send_coordinator_digest() == 2
    digests = {m.recipient_id: m.context for m in Message.objects.filter(kind="coordinator.digest")}
    assert [s["title"] for s in digests[spanish.pk]["understaffed_shifts"]] == [
        "Acercamiento comunitario"
    ]
    assert [s["title"] for s in digests[thai.pk]["understaffed_shifts"]] == ["ลงพื้นที่ชุมชน"]
    assert [p["amount"] for p in digests[spanish.pk]["failed_payments"]] == [f"USD{NBSP}1,500.00"]
    assert [p["amount"] for p in digests[thai.pk]["failed_payments"]] == ["US$1,500.00"]


def test_a_calendar_feed_names_shifts_in_its_owners_language(
    people: tuple[User, User, User],
) -> None:
    _coordinator, _lucia, ploy = people
    line = _role("Crisis text line", "Línea de texto de crisis", "สายด่วนทางข้อความ")
    services.sign_up_for_shift(
        shift=make_shift(line, location=make_location("Office"), starts_at=START), volunteer=ploy
    )
    token = services.calendar_feed_for(volunteer=ploy).token
    # A calendar app asks in its own language: the feed is in the volunteer's.
    body = Client().get(f"/calendar/{token}.ics", headers={"accept-language": "es"}).text
    assert "SUMMARY:สายด่วนทางข้อความ" in body
