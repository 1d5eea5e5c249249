"""Hours entered by hand or edited wait for approval; totals per volunteer, role and month."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import User
from tests.volunteers.factories import make_role, make_volunteer
from volunteers import services
from volunteers.models import HoursEntry, HoursSource, HoursStatus, VolunteerRole
from volunteers.selectors.shifts import HoursTotal, hours_totals, pending_hours
from volunteers.services import VolunteeringError

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
MORNING = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)  # 09:00 in New York


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def role() -> VolunteerRole:
    return make_role("Outreach")


def add(
    person: User, role: VolunteerRole, start: datetime, hours: float, by: User | None = None
) -> HoursEntry:
    return services.add_manual_hours(
        volunteer=person,
        role=role,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        by=by or person,
        note="Leaflets at the station",
        time_zone="America/New_York",
    )


def test_manual_hours_wait_for_approval(role: VolunteerRole, coordinator: User) -> None:
    person = make_volunteer()
    entry = add(person, role, MORNING, 2.5)
    assert (entry.minutes, entry.source, entry.status) == (150, "manual", "pending")
    assert entry.date == date(2026, 11, 18)
    assert list(pending_hours()) == [entry]
    services.approve_hours(entry=entry, by=coordinator)
    assert entry.status == HoursStatus.APPROVED
    assert entry.decided_by_id == coordinator.pk
    assert list(pending_hours()) == []
    with pytest.raises(VolunteeringError, match="already decided"):
        services.reject_hours(entry=entry, by=coordinator, reason="No")


@pytest.mark.parametrize("hours", [-1, 0])
def test_negative_or_zero_hours_are_a_form_error(role: VolunteerRole, hours: float) -> None:
    with pytest.raises(ValidationError) as caught:
        add(make_volunteer(), role, MORNING, hours)
    assert caught.value.message_dict == {"ends_at": ["The end must be after the start."]}
    assert HoursEntry.objects.count() == 0


def test_overlapping_hours_are_a_form_error(role: VolunteerRole) -> None:
    person = make_volunteer()
    add(person, role, MORNING, 2)
    with pytest.raises(ValidationError) as caught:
        add(person, role, MORNING + timedelta(hours=1), 2)
    assert caught.value.message_dict == {
        "starts_at": [
            "These hours overlap hours already recorded: Outreach, "
            "Wed 18 Nov 2026, 09:00\u201311:00 (United States (New York) Time)."
        ]
    }
    add(person, role, MORNING + timedelta(hours=2), 1)  # right after is fine
    add(make_volunteer(), role, MORNING, 2)  # someone else at the same time is fine
    assert HoursEntry.objects.count() == 3


def test_future_and_overlong_hours_are_refused(role: VolunteerRole) -> None:
    person = make_volunteer()
    with pytest.raises(ValidationError) as caught:
        add(person, role, NOW - timedelta(hours=1), 2)
    assert caught.value.message_dict == {
        "ends_at": ["Hours can only be entered once they are worked."]
    }
    with pytest.raises(ValidationError):
        add(person, role, MORNING - timedelta(days=2), 25)


def test_rejected_hours_no_longer_block_the_time(role: VolunteerRole, coordinator: User) -> None:
    person = make_volunteer()
    entry = add(person, role, MORNING, 2)
    with pytest.raises(ValidationError):
        services.reject_hours(entry=entry, by=coordinator, reason=" ")
    services.reject_hours(entry=entry, by=coordinator, reason="You were at training then")
    assert entry.decision_note == "You were at training then"
    assert add(person, role, MORNING, 1).status == HoursStatus.PENDING


def test_hours_a_coordinator_enters_count_at_once(role: VolunteerRole, coordinator: User) -> None:
    entry = add(make_volunteer(), role, MORNING, 1, by=coordinator)
    assert entry.status == HoursStatus.APPROVED
    assert entry.decided_by_id == coordinator.pk


def test_volunteers_cannot_enter_or_approve_for_others(
    role: VolunteerRole, coordinator: User
) -> None:
    person, other = make_volunteer(), make_volunteer()
    with pytest.raises(VolunteeringError, match="own hours"):
        add(person, role, MORNING, 1, by=other)
    entry = add(person, role, MORNING, 1)
    with pytest.raises(VolunteeringError, match="Only a coordinator"):
        services.approve_hours(entry=entry, by=other)
    own = add(coordinator, role, MORNING, 1)
    with pytest.raises(VolunteeringError, match="Another coordinator"):
        services.approve_hours(entry=own, by=coordinator)


def test_edited_hours_go_back_to_the_queue(role: VolunteerRole, coordinator: User) -> None:
    person = make_volunteer()
    entry = add(person, role, MORNING, 2, by=coordinator)
    entry.source = HoursSource.DERIVED
    entry.save()
    services.edit_hours(
        entry=entry, by=person, starts_at=MORNING, ends_at=MORNING + timedelta(hours=3)
    )
    assert (entry.minutes, entry.source, entry.status) == (180, "edited", "pending")
    assert entry.decided_by_id is None


def test_totals_per_volunteer_role_and_month(role: VolunteerRole, coordinator: User) -> None:
    person = make_volunteer()
    hotline = make_role("Hotline")
    services.approve_hours(entry=add(person, role, MORNING, 2), by=coordinator)
    add(person, role, MORNING + timedelta(hours=3), 1)  # pending
    services.approve_hours(
        entry=add(person, hotline, MORNING - timedelta(days=30), 1.5), by=coordinator
    )
    rejected = add(person, role, MORNING - timedelta(days=1), 4)
    services.reject_hours(entry=rejected, by=coordinator, reason="Duplicate")
    assert hours_totals(volunteer=person) == [
        HoursTotal(person.pk, role.pk, "Outreach", date(2026, 11, 1), 120, 60),
        HoursTotal(person.pk, hotline.pk, "Hotline", date(2026, 10, 1), 90, 0),
    ]
    assert hours_totals(role_id=hotline.pk, start=date(2026, 11, 1)) == []
