"""Recurring shifts: a rolling window, local start times across DST, editing the future."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import User
from notifications.models import Message
from tests.volunteers.factories import make_location, make_role, make_volunteer
from volunteers import services
from volunteers.models import Shift, ShiftSeries, ShiftSignupStatus, ShiftStatus, VolunteerRole

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _october() -> Iterator[None]:
    # Thursday 1 October 2026, noon in New York; DST ends on Sunday 1 November 2026.
    with time_machine.travel(datetime(2026, 10, 1, 16, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def role() -> VolunteerRole:
    return make_role("Outreach")


def weekly_tuesdays(role: VolunteerRole, by: User, **fields: object) -> ShiftSeries:
    values: dict[str, object] = {
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
        "start_time": time(18, 0),
        "duration": timedelta(hours=3),
        "capacity": 4,
        "dtstart": date(2026, 10, 6),
        "until": date(2026, 11, 24),
    } | fields
    series, _ = services.create_series(
        role=role,
        location=make_location(time_zone="America/New_York"),
        by=by,
        **values,  # type: ignore[arg-type]
    )
    return series


def local_starts(series: ShiftSeries | None = None) -> list[str]:
    shifts = Shift.objects.order_by("starts_at")
    if series is not None:
        shifts = shifts.filter(series=series)
    return [f"{s.starts_at.astimezone(NEW_YORK):%Y-%m-%d %H:%M %Z}" for s in shifts]


def test_a_weekly_series_keeps_18_00_local_across_the_november_dst_change(
    role: VolunteerRole, coordinator: User
) -> None:
    series = weekly_tuesdays(role, coordinator, window_weeks=10)
    assert local_starts() == [
        "2026-10-06 18:00 EDT",
        "2026-10-13 18:00 EDT",
        "2026-10-20 18:00 EDT",
        "2026-10-27 18:00 EDT",
        "2026-11-03 18:00 EST",
        "2026-11-10 18:00 EST",
        "2026-11-17 18:00 EST",
        "2026-11-24 18:00 EST",
    ]
    utc = [s.starts_at.astimezone(UTC).hour for s in Shift.objects.order_by("starts_at")]
    assert utc == [22, 22, 22, 22, 23, 23, 23, 23]
    assert {s.ends_at - s.starts_at for s in Shift.objects.all()} == {timedelta(hours=3)}
    assert series.generated_until == date(2026, 11, 24)
    assert set(Shift.objects.values_list("occurrence_date", flat=True)) == {
        date(2026, 10, 6) + timedelta(weeks=n) for n in range(8)
    }


def test_the_window_rolls_forward_and_generating_again_adds_nothing(
    role: VolunteerRole, coordinator: User
) -> None:
    series = weekly_tuesdays(role, coordinator, window_weeks=2)
    assert local_starts() == ["2026-10-06 18:00 EDT", "2026-10-13 18:00 EDT"]
    assert services.generate_occurrences(series=series) == []
    with time_machine.travel(datetime(2026, 10, 15, 16, 0, tzinfo=UTC), tick=False):
        assert services.generate_all_series() == 2
        assert services.generate_all_series() == 0
    assert local_starts() == [
        "2026-10-06 18:00 EDT",
        "2026-10-13 18:00 EDT",
        "2026-10-20 18:00 EDT",
        "2026-10-27 18:00 EDT",
    ]


def test_edit_this_and_following_changes_only_those(role: VolunteerRole, coordinator: User) -> None:
    series = weekly_tuesdays(role, coordinator, window_weeks=10)
    person = make_volunteer()
    oct_27 = Shift.objects.get(occurrence_date=date(2026, 10, 27))
    nov_10 = Shift.objects.get(occurrence_date=date(2026, 11, 10))
    services.sign_up_for_shift(shift=nov_10, volunteer=person)
    services.sign_up_for_shift(
        shift=Shift.objects.get(occurrence_date=date(2026, 10, 20)), volunteer=person
    )

    later = services.update_series_from(
        shift=oct_27, by=coordinator, start_time=time(17, 30), capacity=6
    )

    assert later.pk != series.pk
    assert later.previous_id == series.pk
    series.refresh_from_db()
    assert series.until == date(2026, 10, 26)
    assert local_starts(series) == [
        "2026-10-06 18:00 EDT",
        "2026-10-13 18:00 EDT",
        "2026-10-20 18:00 EDT",
    ]
    assert local_starts(later) == [
        "2026-10-27 17:30 EDT",
        "2026-11-03 17:30 EST",
        "2026-11-10 17:30 EST",
        "2026-11-17 17:30 EST",
        "2026-11-24 17:30 EST",
    ]
    assert set(Shift.objects.filter(series=series).values_list("capacity", flat=True)) == {4}
    assert set(Shift.objects.filter(series=later).values_list("capacity", flat=True)) == {6}
    # The same shift rows moved (sign-ups kept), and only the later sign-up heard of it.
    nov_10.refresh_from_db()
    assert nov_10.series_id == later.pk
    assert nov_10.signups.get().status == ShiftSignupStatus.CONFIRMED
    [changed] = Message.objects.filter(kind="shift.changed")
    assert changed.context["shift_id"] == nov_10.pk
    assert Shift.objects.count() == 8


def test_a_new_rule_drops_dates_and_adds_others(role: VolunteerRole, coordinator: User) -> None:
    weekly_tuesdays(role, coordinator, window_weeks=10)
    nov_3 = Shift.objects.get(occurrence_date=date(2026, 11, 3))
    later = services.update_series_from(shift=nov_3, by=coordinator, rrule="FREQ=WEEKLY;BYDAY=TH")
    active = Shift.objects.filter(series=later).exclude(status=ShiftStatus.CANCELLED)
    assert sorted(d for d in active.values_list("occurrence_date", flat=True) if d) == [
        date(2026, 11, 5),
        date(2026, 11, 12),
        date(2026, 11, 19),
    ]
    dropped = Shift.objects.filter(status=ShiftStatus.CANCELLED)
    assert sorted(d for d in dropped.values_list("occurrence_date", flat=True) if d) == [
        date(2026, 11, 3),
        date(2026, 11, 10),
        date(2026, 11, 17),
        date(2026, 11, 24),
    ]
    assert Shift.objects.filter(occurrence_date__lt=date(2026, 11, 3)).count() == 4


def test_editing_from_the_first_date_changes_the_series_itself(
    role: VolunteerRole, coordinator: User
) -> None:
    series = weekly_tuesdays(role, coordinator, window_weeks=2)
    first = Shift.objects.get(occurrence_date=date(2026, 10, 6))
    same = services.update_series_from(shift=first, by=coordinator, notes="Bring ID")
    assert same.pk == series.pk
    assert set(Shift.objects.values_list("notes", flat=True)) == {"Bring ID"}


def test_this_and_following_refuses_a_capacity_below_places(
    role: VolunteerRole, coordinator: User
) -> None:
    weekly_tuesdays(role, coordinator, window_weeks=10)
    nov_10 = Shift.objects.get(occurrence_date=date(2026, 11, 10))
    services.sign_up_for_shift(shift=nov_10, volunteer=make_volunteer())
    services.sign_up_for_shift(shift=nov_10, volunteer=make_volunteer())
    with pytest.raises(ValidationError) as caught:
        services.update_series_from(
            shift=Shift.objects.get(occurrence_date=date(2026, 10, 27)), by=coordinator, capacity=1
        )
    assert caught.value.message_dict == {
        "capacity": [
            "10 Nov 2026: 2 people already have a place, so the shift needs at least 2 places. "
            "Cancel or move people on the roster first."
        ]
    }
    assert ShiftSeries.objects.count() == 1  # nothing was split


def test_editing_one_occurrence_leaves_the_others(role: VolunteerRole, coordinator: User) -> None:
    weekly_tuesdays(role, coordinator, window_weeks=3)
    oct_13 = Shift.objects.get(occurrence_date=date(2026, 10, 13))
    services.update_shift(shift=oct_13, by=coordinator, notes="Meet at the side door")
    assert list(Shift.objects.order_by("starts_at").values_list("notes", flat=True)) == [
        "",
        "Meet at the side door",
        "",
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "This rule gives no dates from 6 Oct 2026 to 24 Nov 2026. "
            "Check the days, the months and the end date.",
        ),
        (
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260101T000000",
            "This rule gives no dates from 6 Oct 2026 to 24 Nov 2026. "
            "Check the days, the months and the end date.",
        ),
        (
            "FREQ=MONTHLY;BYMONTH=12",
            "This rule gives no dates from 6 Oct 2026 to 24 Nov 2026. "
            "Check the days, the months and the end date.",
        ),
        ("FREQ=HOURLY", "A shift repeats daily, weekly, monthly or yearly (FREQ=WEEKLY...)."),
        ("", "Write one repeat rule, such as FREQ=WEEKLY;BYDAY=TU."),
        (
            "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
            "Write one repeat rule, such as FREQ=WEEKLY;BYDAY=TU.",
        ),
    ],
)
def test_a_rule_that_gives_no_shifts_is_a_form_error(
    role: VolunteerRole, coordinator: User, rule: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        weekly_tuesdays(role, coordinator, rrule=rule)
    assert caught.value.message_dict == {"rrule": [message]}
    assert ShiftSeries.objects.count() == 0


def test_an_unreadable_rule_is_a_form_error(role: VolunteerRole, coordinator: User) -> None:
    with pytest.raises(ValidationError) as caught:
        weekly_tuesdays(role, coordinator, rrule="FREQ=WEEKLY;BYDAY=XX")
    [message] = caught.value.message_dict["rrule"]
    assert message.startswith("This is not a repeat rule we can read")


@pytest.mark.parametrize("rule", ["FREQ=DAILY;BYHOUR=9,18", "FREQ=WEEKLY;BYDAY=TU;BYMINUTE=0,30"])
def test_a_rule_with_times_of_day_is_a_form_error(
    role: VolunteerRole, coordinator: User, rule: str
) -> None:
    """Times come from the series' start time; a rule with hours would make two shifts a day
    (or, with minutes and seconds, millions of moments to expand)."""
    with pytest.raises(ValidationError) as caught:
        weekly_tuesdays(role, coordinator, rrule=rule)
    [message] = caught.value.message_dict["rrule"]
    assert message.startswith("A repeat rule gives days only")
    assert ShiftSeries.objects.count() == 0


def test_series_field_errors(role: VolunteerRole, coordinator: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_series(
            role=role,
            location=make_location(),
            rrule="FREQ=DAILY",
            start_time=time(9, 0),
            duration=timedelta(0),
            capacity=-2,
            dtstart=date(2026, 10, 6),
            until=date(2026, 10, 1),
            by=coordinator,
        )
    assert caught.value.message_dict == {
        "duration": ["A shift must last some time."],
        "capacity": ["A shift needs at least one place. To stop a shift, cancel it."],
        "until": ["The last day cannot be before the first day."],
    }
