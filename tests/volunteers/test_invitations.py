"""Filling a gap in two clicks: who is asked, and what each person's link does."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from core.dates import org_today
from notifications.models import Message
from tests.outbox import Published
from tests.volunteers.factories import (
    make_location,
    make_record,
    make_role,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers.models import (
    AwayPeriod,
    ProfileStatus,
    Shift,
    ShiftInvitation,
    ShiftSignup,
    ShiftSignupStatus,
    VolunteerProfile,
)
from volunteers.services.invitations import invitation_token

pytestmark = pytest.mark.django_db

KIND = "shift.invitation"


@pytest.fixture(autouse=True)
def _broker(published: Published) -> None:
    """Nothing reaches a real broker."""


def place(shift: Shift, person: User, status: str = ShiftSignupStatus.CONFIRMED) -> None:
    ShiftSignup.objects.create(
        shift=shift, volunteer=person, status=status, joined_at=timezone.now()
    )


@pytest.fixture
def gap() -> dict[str, object]:
    """A shift in 20 days with one of two places taken, and people around it."""
    training = make_training("Safeguarding", validity_months=12)
    role = make_role("Outreach", trainings=[training])
    shift = make_shift(role, starts_at=timezone.now() + timedelta(days=20), capacity=2)
    today = org_today()

    def person(name: str, *, trained_until=None, status=ProfileStatus.ACTIVE) -> User:
        user = make_volunteer(email=f"{name}@x.example", first_name=name.title(), status=status)
        if trained_until is not None:
            make_record(
                user, training, completed_on=today - timedelta(days=30), expires_on=trained_until
            )
        return user

    far = today + timedelta(days=200)
    people = {
        "ana": person("ana", trained_until=far),
        "ben": person("ben", trained_until=far),
        "cy": person("cy", trained_until=far),
        "expiring": person("expiring", trained_until=today + timedelta(days=10)),  # not then
        "untrained": person("untrained"),
        "busy": person("busy", trained_until=far),
        "applicant": person("applicant", trained_until=far, status=ProfileStatus.APPLICANT),
        "on_shift": person("onshift", trained_until=far),
        "waiting": person("waiting", trained_until=far),
    }
    place(shift, people["on_shift"])
    place(shift, people["waiting"], ShiftSignupStatus.WAITLISTED)
    other = make_shift(
        role,
        location=make_location("Elsewhere"),
        starts_at=shift.starts_at + timedelta(hours=1),
        capacity=3,
    )
    place(other, people["busy"])
    return {"shift": shift, "people": people, "role": role, "training": training}


def asked(shift: Shift) -> list[str]:
    return sorted(
        Message.objects.filter(kind=KIND, context__shift_id=shift.pk).values_list(
            "recipient__email", flat=True
        )
    )


def test_only_the_eligible_free_and_not_yet_asked_are_asked(client: Client, coordinator, gap):
    shift = gap["shift"]
    client.force_login(coordinator)
    response = client.post(f"/coordinator/volunteering/shifts/{shift.pk}/invite/")
    assert response.status_code == 302
    assert asked(shift) == ["ana@x.example", "ben@x.example", "cy@x.example"]
    # A newcomer, then the button again: only the newcomer is asked.
    late = make_volunteer(email="dee@x.example", first_name="Dee")
    make_record(
        late,
        gap["training"],
        completed_on=org_today(),
        expires_on=org_today() + timedelta(days=300),
    )
    client.post(f"/coordinator/volunteering/shifts/{shift.pk}/invite/")
    assert asked(shift) == ["ana@x.example", "ben@x.example", "cy@x.example", "dee@x.example"]
    assert ShiftInvitation.objects.filter(shift=shift).count() == 4
    message = Message.objects.get(kind=KIND, recipient=late)
    assert message.context["accept_url"].startswith("http")
    assert "/volunteer/invitations/" in message.context["accept_url"]


def test_only_those_usually_available_and_not_away_then_are_asked(client: Client, coordinator, gap):
    """The same rule as the home's suggestions: days, hours (in the volunteer's zone) and
    time away; someone who said nothing about when they can help is asked."""
    shift, people = gap["shift"], gap["people"]
    london = zoneinfo.ZoneInfo("Europe/London")
    day = org_today() + timedelta(days=20)
    shift.starts_at = datetime.combine(day, time(18, 0), london)
    shift.ends_at = shift.starts_at + timedelta(hours=3)
    shift.save(update_fields=["starts_at", "ends_at"])
    Shift.objects.filter(location__name="Elsewhere").update(  # "busy" still overlaps it
        starts_at=shift.starts_at + timedelta(hours=1), ends_at=shift.ends_at
    )
    weekday = str(day.weekday())
    other_day = str((day.weekday() + 1) % 7)
    User.objects.filter(pk__in=[p.pk for p in people.values()]).update(time_zone="Europe/London")

    def hours(person: User, days: str, starts: time | None, ends: time | None) -> None:
        VolunteerProfile.objects.filter(user=person).update(
            available_days=days, available_from=starts, available_until=ends
        )

    hours(people["ana"], weekday, time(17), time(22))
    AwayPeriod.objects.create(
        volunteer=people["ana"], first_day=day - timedelta(days=1), last_day=day
    )
    hours(people["ben"], other_day, time(17), time(22))  # not that day
    hours(people["cy"], weekday + other_day, time(17), time(21))  # fits to the minute
    dee = make_volunteer(email="dee@x.example", first_name="Dee", time_zone="Europe/London")
    eve = make_volunteer(email="eve@x.example", first_name="Eve", time_zone="Europe/London")
    for person in (dee, eve):
        make_record(
            person,
            gap["training"],
            completed_on=org_today(),
            expires_on=org_today() + timedelta(days=300),
        )
    hours(dee, weekday, time(17), time(20))  # the shift ends at 21:00
    AwayPeriod.objects.create(  # away, but not then
        volunteer=eve, first_day=day + timedelta(days=1), last_day=day + timedelta(days=5)
    )
    client.force_login(coordinator)
    response = client.post(f"/coordinator/volunteering/shifts/{shift.pk}/invite/")
    assert response.status_code == 302
    assert asked(shift) == ["cy@x.example", "eve@x.example"]
    assert ShiftInvitation.objects.filter(shift=shift).count() == 2


def _link(shift: Shift, person: User) -> str:
    invitation = ShiftInvitation.objects.get(shift=shift, volunteer=person)
    return f"/volunteer/invitations/{invitation_token(invitation)}/"


def test_the_link_takes_the_place_then_the_waitlist(client: Client, coordinator, gap):
    shift, people = gap["shift"], gap["people"]
    client.force_login(coordinator)
    client.post(f"/coordinator/volunteering/shifts/{shift.pk}/invite/")
    ana, ben = people["ana"], people["ben"]
    client.force_login(ana)
    page = client.get(_link(shift, ana))
    assert page.status_code == 200 and "Take the place" in page.content.decode()
    assert not ShiftSignup.objects.filter(volunteer=ana).exists()  # opening it takes nothing
    assert client.post(_link(shift, ana)).status_code == 302
    client.force_login(ben)
    client.post(_link(shift, ben))
    statuses = dict(
        ShiftSignup.objects.filter(shift=shift, volunteer__in=[ana, ben]).values_list(
            "volunteer__first_name", "status"
        )
    )
    assert statuses == {"Ana": ShiftSignupStatus.CONFIRMED, "Ben": ShiftSignupStatus.WAITLISTED}
    client.force_login(coordinator)
    roster = client.get(f"/coordinator/volunteering/shifts/{shift.pk}/").content.decode()
    assert "took a place" in roster and "joined the waitlist" in roster
    assert roster.count("no answer yet") == 1  # Cy


def test_someone_elses_link_does_nothing(client: Client, coordinator, gap):
    shift, people = gap["shift"], gap["people"]
    client.force_login(coordinator)
    client.post(f"/coordinator/volunteering/shifts/{shift.pk}/invite/")
    client.force_login(people["cy"])
    response = client.post(_link(shift, people["ana"]), follow=True)
    assert "This link was sent to someone else." in response.content.decode()
    assert not ShiftSignup.objects.filter(shift=shift, volunteer=people["cy"]).exists()
    assert not ShiftSignup.objects.filter(shift=shift, volunteer=people["ana"]).exists()


def test_an_expired_or_forged_link_does_nothing(client: Client, coordinator, gap):
    shift, people = gap["shift"], gap["people"]
    client.force_login(coordinator)
    client.post(f"/coordinator/volunteering/shifts/{shift.pk}/invite/")
    link = _link(shift, people["ana"])
    client.force_login(people["ana"])
    forged = client.post(link[:-3] + "xx/", follow=True)
    assert "This link is not valid." in forged.content.decode()
    invitation = ShiftInvitation.objects.get(shift=shift, volunteer=people["ana"])
    with time_machine.travel(timezone.now() - timedelta(days=15)):
        old = f"/volunteer/invitations/{invitation_token(invitation)}/"  # signed 15 days ago
    expired = client.post(old, follow=True)
    assert "This link has expired." in expired.content.decode()
    assert not ShiftSignup.objects.filter(shift=shift, volunteer=people["ana"]).exists()
