"""Check-in and check-out by code or by a coordinator, no-shows, hours from attendance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import User
from tests.volunteers.factories import make_role, make_shift, make_training, make_volunteer
from volunteers import services
from volunteers.models import HoursEntry, HoursSource, HoursStatus, Shift, ShiftSignupStatus
from volunteers.services import NotEligible, VolunteeringError

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 18:00 in New York


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def shift() -> Shift:
    with at(START - timedelta(days=3)):
        return make_shift(starts_at=START, hours=3)


@pytest.fixture
def person(shift: Shift) -> User:
    volunteer = make_volunteer()
    with at(START - timedelta(days=2)):
        services.sign_up_for_shift(shift=shift, volunteer=volunteer)
    return volunteer


def test_check_in_and_out_by_code_records_approved_hours(shift: Shift, person: User) -> None:
    with at(START - timedelta(minutes=10)):
        signup = services.check_in_with_code(
            shift=shift, volunteer=person, code=shift.check_in_code
        )
    assert signup.status == ShiftSignupStatus.ATTENDED
    assert signup.check_in_at == START - timedelta(minutes=10)
    with at(START + timedelta(minutes=20)):  # scanning again keeps the first time
        again = services.check_in_with_code(shift=shift, volunteer=person, code=shift.check_in_code)
    assert again.check_in_at == START - timedelta(minutes=10)
    with at(START + timedelta(hours=3, minutes=5)):
        services.check_out_with_code(shift=shift, volunteer=person, code=shift.check_in_code)
    entry = HoursEntry.objects.get()
    assert (entry.minutes, entry.source, entry.status) == (
        195,
        HoursSource.DERIVED,
        HoursStatus.APPROVED,
    )
    assert entry.date.isoformat() == "2026-12-01"  # the local day in New York, not UTC's
    assert entry.role_id == shift.role_id


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (
            START - timedelta(minutes=31),
            r"Check-in opens at 17:30 \(United States \(New York\) Time\)",
        ),
        (START + timedelta(hours=4, minutes=1), "Check-in for this shift has closed"),
    ],
)
def test_a_code_outside_its_window_is_refused(
    shift: Shift, person: User, moment: datetime, message: str
) -> None:
    with at(moment), pytest.raises(VolunteeringError, match=message):
        services.check_in_with_code(shift=shift, volunteer=person, code=shift.check_in_code)


def test_the_window_edges_are_open(shift: Shift, person: User) -> None:
    with at(START - timedelta(minutes=30)):
        services.check_in_with_code(shift=shift, volunteer=person, code=shift.check_in_code)
    with at(START + timedelta(hours=4)):
        services.check_out_with_code(shift=shift, volunteer=person, code=shift.check_in_code)
    assert HoursEntry.objects.get().minutes == 270


def test_the_code_of_another_shift_is_refused(shift: Shift, person: User) -> None:
    with at(START - timedelta(days=3)):
        other = make_shift(starts_at=START + timedelta(days=1))
    with at(START), pytest.raises(VolunteeringError, match="not for this shift"):
        services.check_in_with_code(shift=shift, volunteer=person, code=other.check_in_code)
    with at(START), pytest.raises(VolunteeringError, match="not for this shift"):
        services.check_in_with_code(shift=shift, volunteer=person, code="")


def test_someone_without_a_place_cannot_check_in(shift: Shift) -> None:
    with at(START), pytest.raises(VolunteeringError, match="do not have a place"):
        services.check_in_with_code(
            shift=shift, volunteer=make_volunteer(), code=shift.check_in_code
        )


def test_eligibility_is_checked_again_at_check_in() -> None:
    training = make_training("Hotline protocol", validity_months=None)
    role = make_role("Hotline", trainings=[training])
    with at(START - timedelta(days=3)):
        shift = make_shift(role, starts_at=START)
    volunteer = make_volunteer()
    from tests.volunteers.factories import make_record

    record = make_record(volunteer, training, completed_on=START.date() - timedelta(days=30))
    with at(START - timedelta(days=2)):
        services.sign_up_for_shift(shift=shift, volunteer=volunteer)
    record.delete()
    with at(START), pytest.raises(NotEligible) as caught:
        services.check_in_with_code(shift=shift, volunteer=volunteer, code=shift.check_in_code)
    assert caught.value.reasons == ("You have not completed Hotline protocol.",)


def test_a_coordinator_records_attendance_and_no_shows(
    shift: Shift, person: User, coordinator: User
) -> None:
    absent = make_volunteer()
    with at(START - timedelta(days=2)):
        absent_signup = services.sign_up_for_shift(shift=shift, volunteer=absent)
    signup = shift.signups.get(volunteer=person)
    with at(START - timedelta(hours=1)), pytest.raises(VolunteeringError, match="has started"):
        services.mark_no_show(signup=absent_signup, by=coordinator)
    with at(START + timedelta(hours=5)):
        services.record_attendance(
            signup=signup,
            by=coordinator,
            check_in_at=START,
            check_out_at=START + timedelta(hours=2, minutes=30),
        )
        services.mark_no_show(signup=absent_signup, by=coordinator)
        with pytest.raises(VolunteeringError, match="checked in"):
            services.mark_no_show(signup=signup, by=coordinator)
        with pytest.raises(VolunteeringError, match="Only a coordinator"):
            services.mark_no_show(signup=signup, by=person)
    signup.refresh_from_db()
    assert signup.status == ShiftSignupStatus.ATTENDED
    assert absent_signup.status == ShiftSignupStatus.NO_SHOW
    assert HoursEntry.objects.get().minutes == 150
    # Correcting the times corrects the derived hours.
    with at(START + timedelta(hours=6)):
        services.record_attendance(
            signup=signup,
            by=coordinator,
            check_in_at=START,
            check_out_at=START + timedelta(hours=3),
        )
    assert list(HoursEntry.objects.values_list("minutes", "source")) == [(180, "derived")]


def test_a_coordinator_cannot_record_their_own_attendance_or_far_off_times(
    shift: Shift, person: User
) -> None:
    from accounts.roles import Role
    from accounts.services import grant_role

    coordinator = make_volunteer(email="lead@example.org")
    grant_role(user=coordinator, role=Role.ADMINISTRATOR)
    with at(START - timedelta(days=1)):
        own = services.sign_up_for_shift(shift=shift, volunteer=coordinator)
    signup = person.shift_signups.get(shift=shift)
    with at(START + timedelta(hours=4)):
        with pytest.raises(VolunteeringError, match="Another coordinator must record"):
            services.record_attendance(signup=own, by=coordinator, check_in_at=START)
        with pytest.raises(ValidationError) as caught:
            services.record_attendance(
                signup=signup, by=coordinator, check_in_at=START - timedelta(days=7)
            )
        assert caught.value.message_dict == {
            "check_in_at": ["The check-in must be on the day of the shift, before it ends."]
        }
    assert not HoursEntry.objects.exists()
