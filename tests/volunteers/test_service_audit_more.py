"""More services that change volunteering write the exact audit row: training sessions
changed and cancelled, shifts created, repeating shifts created and changed, invitations
sent and accepted, hours made from attendance."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEntry, User
from tests.outbox import Published
from tests.volunteers.factories import (
    make_location,
    make_role,
    make_session,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import (
    HoursEntry,
    SessionSignup,
    Shift,
    ShiftInvitation,
    ShiftSignup,
    ShiftSignupStatus,
    SignupStatus,
)
from volunteers.services.attendance import record_derived_hours
from volunteers.services.invitations import (
    accept_invitation,
    invitation_token,
    invite_eligible_volunteers,
)

pytestmark = pytest.mark.django_db

Row = tuple[str, int | None, int | None, str, str, dict[str, list[object]], dict[str, object]]


@pytest.fixture(autouse=True)
def _broker(published: Published) -> None:
    """Nothing reaches a real broker."""


def _rows(action_prefix: str = "", *, after: int = 0) -> list[Row]:
    return [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.filter(action__startswith=action_prefix, pk__gt=after).order_by(
            "pk"
        )
    ]


def _last() -> int:
    """The newest entry so far (entries cannot be deleted: later rows are read after it)."""
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_changing_and_cancelling_a_training_session_is_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.ts@example.org")
    ben = make_volunteer(first_name="Ben", email="ben.ts@example.org")
    session = make_session(make_training("First aid"), capacity=1)
    first = SessionSignup.objects.create(
        session=session, volunteer=ana, status=SignupStatus.CONFIRMED
    )
    waiting = SessionSignup.objects.create(
        session=session, volunteer=ben, status=SignupStatus.WAITLISTED
    )

    promoted = services.update_training_session(
        session=session, by=coordinator, capacity=2, place="Room 5", notes=""
    )
    assert [signup.pk for signup in promoted] == [waiting.pk]
    services.cancel_training_session(session=session, by=coordinator, reason=" Trainer ill ")
    session.refresh_from_db()

    assert _rows() == [
        (
            "volunteers.session.changed",
            coordinator.pk,
            None,
            "volunteers.trainingsession",
            str(session.pk),
            {"capacity": [1, 2], "place": ["Community hall, room 2", "Room 5"]},
            {},
        ),
        (
            "volunteers.session_signup.promoted",
            coordinator.pk,
            ben.pk,
            "volunteers.sessionsignup",
            str(waiting.pk),
            {"status": ["waitlisted", "confirmed"]},
            {"session": session.pk},
        ),
        (
            "volunteers.session.cancelled",
            coordinator.pk,
            None,
            "volunteers.trainingsession",
            str(session.pk),
            {
                "cancellation_reason": ["", "Trainer ill"],
                "cancelled": [False, True],
                "cancelled_at": [None, str(session.cancelled_at)],
                "cancelled_by": [None, coordinator.pk],
            },
            {"signups_cancelled": 2},
        ),
        (
            "volunteers.session_signup.cancelled_with_session",
            coordinator.pk,
            ana.pk,
            "volunteers.sessionsignup",
            str(first.pk),
            {"status": ["confirmed", "cancelled"]},
            {"session": session.pk},
        ),
        (
            "volunteers.session_signup.cancelled_with_session",
            coordinator.pk,
            ben.pk,
            "volunteers.sessionsignup",
            str(waiting.pk),
            {"status": ["confirmed", "cancelled"]},
            {"session": session.pk},
        ),
    ]


def test_an_unchanged_session_saved_again_writes_no_entry(coordinator: User) -> None:
    session = make_session(make_training("First aid"), capacity=3)
    services.update_training_session(session=session, by=coordinator, capacity=3)
    assert _rows() == []


def test_creating_a_shift_is_audited(coordinator: User) -> None:
    role = make_role("Outreach")
    location = make_location(time_zone="UTC")
    starts_at = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)
    shift = services.create_shift(
        role=role,
        location=location,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=3,
        by=coordinator,
        notes=" Bring ID ",
        status="draft",
    )
    assert _rows() == [
        (
            "volunteers.shift.created",
            coordinator.pk,
            None,
            "volunteers.shift",
            str(shift.pk),
            {
                "capacity": [None, 3],
                "ends_at": [None, "2030-03-05 17:00:00+00:00"],
                "location": [None, location.pk],
                "notes": [None, "Bring ID"],
                "online_link": [None, ""],
                "role": [None, role.pk],
                "starts_at": [None, "2030-03-05 15:00:00+00:00"],
                "status": [None, "draft"],
            },
            {},
        )
    ]


@pytest.fixture
def _october() -> Iterator[None]:
    # Thursday 1 October 2026, noon in New York.
    with time_machine.travel(datetime(2026, 10, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


@pytest.mark.usefixtures("_october")
def test_a_series_created_and_changed_from_a_date_is_audited(coordinator: User) -> None:
    role = make_role("Outreach")
    location = make_location(time_zone="America/New_York")
    series, shifts = services.create_series(
        role=role,
        location=location,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        start_time=time(18, 0),
        duration=timedelta(hours=3),
        capacity=4,
        dtstart=date(2026, 10, 6),
        until=date(2026, 10, 27),
        window_weeks=10,
        by=coordinator,
    )
    assert _rows() == [
        (
            "volunteers.series.created",
            coordinator.pk,
            None,
            "volunteers.shiftseries",
            str(series.pk),
            {
                "capacity": [None, 4],
                "dtstart": [None, "2026-10-06"],
                "duration": [None, "3:00:00"],
                "location": [None, location.pk],
                "notes": [None, ""],
                "online_link": [None, ""],
                "role": [None, role.pk],
                "rrule": [None, "FREQ=WEEKLY;BYDAY=TU"],
                "shift_status": [None, "published"],
                "start_time": [None, "18:00:00"],
                "until": [None, "2026-10-27"],
                "window_weeks": [None, 10],
            },
            {},
        ),
        (
            "volunteers.series.shifts_generated",
            coordinator.pk,
            None,
            "volunteers.shiftseries",
            str(series.pk),
            {},
            {
                "shifts": [shift.pk for shift in shifts],
                "dates": ["2026-10-06", "2026-10-13", "2026-10-20", "2026-10-27"],
            },
        ),
    ]
    mark = _last()

    oct_20 = Shift.objects.get(occurrence_date=date(2026, 10, 20))
    oct_27 = Shift.objects.get(occurrence_date=date(2026, 10, 27))
    later = services.update_series_from(shift=oct_20, by=coordinator, capacity=6)

    assert _rows(after=mark) == [
        (
            "volunteers.series.ended",
            coordinator.pk,
            None,
            "volunteers.shiftseries",
            str(series.pk),
            {"until": ["2026-10-27", "2026-10-19"]},
            {"continued_by": later.pk},
        ),
        (
            "volunteers.series.changed",
            coordinator.pk,
            None,
            "volunteers.shiftseries",
            str(later.pk),
            {"capacity": [4, 6], "dtstart": ["2026-10-06", "2026-10-20"]},
            {"from": "2026-10-20", "previous": series.pk},
        ),
        (
            "volunteers.shift.changed",
            coordinator.pk,
            None,
            "volunteers.shift",
            str(oct_20.pk),
            {"capacity": [4, 6], "series": [series.pk, later.pk]},
            {},
        ),
        (
            "volunteers.shift.changed",
            coordinator.pk,
            None,
            "volunteers.shift",
            str(oct_27.pk),
            {"capacity": [4, 6], "series": [series.pk, later.pk]},
            {},
        ),
    ]


@pytest.mark.usefixtures("_october")
def test_a_series_changed_from_its_first_date_is_audited_on_itself(coordinator: User) -> None:
    series, [first] = services.create_series(
        role=make_role("Outreach"),
        location=make_location(time_zone="America/New_York"),
        rrule="FREQ=WEEKLY;BYDAY=TU",
        start_time=time(18, 0),
        duration=timedelta(hours=3),
        capacity=4,
        dtstart=date(2026, 10, 6),
        until=date(2026, 10, 6),
        by=coordinator,
    )
    mark = _last()
    same = services.update_series_from(shift=first, by=coordinator, notes="Bring ID")
    assert same.pk == series.pk
    assert _rows(after=mark) == [
        (
            "volunteers.series.changed",
            coordinator.pk,
            None,
            "volunteers.shiftseries",
            str(series.pk),
            {"notes": ["", "Bring ID"]},
            {"from": "2026-10-06"},
        ),
        (
            "volunteers.shift.changed",
            coordinator.pk,
            None,
            "volunteers.shift",
            str(first.pk),
            {"notes": ["", "Bring ID"]},
            {},
        ),
    ]


def test_the_daily_job_audits_the_shifts_it_generates_as_the_system(coordinator: User) -> None:
    with time_machine.travel(datetime(2026, 10, 1, 16, 0, tzinfo=UTC), tick=False):
        series, _ = services.create_series(
            role=make_role("Outreach"),
            location=make_location(time_zone="America/New_York"),
            rrule="FREQ=WEEKLY;BYDAY=TU",
            start_time=time(18, 0),
            duration=timedelta(hours=3),
            capacity=4,
            dtstart=date(2026, 10, 6),
            window_weeks=1,
            by=coordinator,
        )
    mark = _last()
    with time_machine.travel(datetime(2026, 10, 8, 16, 0, tzinfo=UTC), tick=False):
        assert services.generate_all_series() == 1
    shift = Shift.objects.get(occurrence_date=date(2026, 10, 13))
    assert _rows(after=mark) == [
        (
            "volunteers.series.shifts_generated",
            None,
            None,
            "volunteers.shiftseries",
            str(series.pk),
            {},
            {"shifts": [shift.pk], "dates": ["2026-10-13"]},
        )
    ]


def test_inviting_volunteers_and_accepting_are_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.inv@example.org")
    shift = make_shift(make_role("Outreach"), starts_at=timezone.now() + timedelta(days=20))
    [invitation] = invite_eligible_volunteers(shift=shift, by=coordinator)
    assert invitation.volunteer_id == ana.pk
    signup = accept_invitation(token=invitation_token(invitation), user=ana)
    invitation = ShiftInvitation.objects.get()
    assert invitation.asked_at is not None and invitation.answered_at is not None
    assert _rows() == [
        (
            "volunteers.invitation.sent",
            coordinator.pk,
            ana.pk,
            "volunteers.shiftinvitation",
            str(invitation.pk),
            {
                "asked_at": [None, str(invitation.asked_at)],
                "asked_by": [None, coordinator.pk],
                "shift": [None, shift.pk],
            },
            {},
        ),
        (  # accepting signs them up, as the volunteer
            "volunteers.signup.created",
            ana.pk,
            ana.pk,
            "volunteers.shiftsignup",
            str(signup.pk),
            {"status": [None, "confirmed"]},
            {"shift": shift.pk},
        ),
        (
            "volunteers.invitation.accepted",
            ana.pk,
            ana.pk,
            "volunteers.shiftinvitation",
            str(invitation.pk),
            {"answered_at": [None, str(invitation.answered_at)], "signup": [None, signup.pk]},
            {"signup_status": "confirmed"},
        ),
    ]


def test_hours_made_changed_and_removed_from_attendance_are_audited(coordinator: User) -> None:
    ben = make_volunteer(first_name="Ben", email="ben.dh@example.org")
    now = timezone.now().replace(microsecond=0)
    role = make_role("Outreach")
    shift = make_shift(
        role, location=make_location("Hall", time_zone="UTC"), starts_at=now - timedelta(hours=3)
    )
    signup = ShiftSignup.objects.create(
        shift=shift, volunteer=ben, status=ShiftSignupStatus.CONFIRMED, joined_at=now
    )
    check_in, check_out = now - timedelta(hours=3), now - timedelta(hours=1)
    services.record_attendance(
        signup=signup, by=coordinator, check_in_at=check_in, check_out_at=check_out
    )
    entry = HoursEntry.objects.get()
    day = str(check_in.date())
    assert _rows("volunteers.hours.") == [
        (
            "volunteers.hours.derived",
            coordinator.pk,
            ben.pk,
            "volunteers.hoursentry",
            str(entry.pk),
            {
                "date": [None, day],
                "ends_at": [None, str(check_out)],
                "minutes": [None, 120],
                "note": [None, ""],
                "role": [None, role.pk],
                "source": [None, "derived"],
                "starts_at": [None, str(check_in)],
                "status": [None, "approved"],
                "decision_note": [None, ""],
            },
            {"shift": shift.pk, "signup": signup.pk},
        )
    ]
    mark = _last()

    signup.refresh_from_db()
    signup.check_out_at = check_out + timedelta(minutes=30)
    with transaction.atomic():
        record_derived_hours(signup=signup, shift=shift, by=coordinator)
    signup.check_out_at = check_in
    with transaction.atomic():
        assert record_derived_hours(signup=signup, shift=shift, by=coordinator) is None
    assert HoursEntry.objects.count() == 0
    assert _rows(after=mark) == [
        (
            "volunteers.hours.derived_changed",
            coordinator.pk,
            ben.pk,
            "volunteers.hoursentry",
            str(entry.pk),
            {
                "ends_at": [str(check_out), str(check_out + timedelta(minutes=30))],
                "minutes": [120, 150],
            },
            {"shift": shift.pk, "signup": signup.pk},
        ),
        (
            "volunteers.hours.derived_removed",
            coordinator.pk,
            ben.pk,
            "volunteers.hoursentry",
            str(entry.pk),
            {
                "date": [day, None],
                "decision_note": ["", None],
                "ends_at": [str(check_out + timedelta(minutes=30)), None],
                "minutes": [150, None],
                "note": ["", None],
                "role": [role.pk, None],
                "source": ["derived", None],
                "starts_at": [str(check_in), None],
                "status": ["approved", None],
            },
            {"shift": shift.pk, "signup": signup.pk},
        ),
    ]


def test_a_place_freed_by_a_coordinator_and_filled_from_the_waitlist_is_audited(
    coordinator: User,
) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.wl@example.org")
    ben = make_volunteer(first_name="Ben", email="ben.wl@example.org")
    shift = make_shift(make_role("Outreach"), capacity=1)
    now = timezone.now()
    place = ShiftSignup.objects.create(
        shift=shift, volunteer=ana, status=ShiftSignupStatus.CONFIRMED, joined_at=now
    )
    waiting = ShiftSignup.objects.create(
        shift=shift, volunteer=ben, status=ShiftSignupStatus.WAITLISTED, joined_at=now
    )
    promoted = services.cancel_signup(signup=place, by=coordinator, reason="Ill")
    assert [signup.pk for signup in promoted] == [waiting.pk]
    assert [row[0] for row in _rows()] == [
        "volunteers.signup.cancelled",
        "volunteers.signup.promoted",
    ]
    assert _rows("volunteers.signup.promoted") == [
        (
            "volunteers.signup.promoted",
            coordinator.pk,
            ben.pk,
            "volunteers.shiftsignup",
            str(waiting.pk),
            {"status": ["waitlisted", "confirmed"]},
            {"shift": shift.pk},
        )
    ]
