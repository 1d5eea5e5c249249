"""Calendars: constant queries at 2,000 shifts, times across a DST change, and a volunteer
sees only their own shifts and the open ones they may take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.volunteers.factories import (
    make_location,
    make_record,
    make_role,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers.models import Shift, ShiftSignup, ShiftSignupStatus, ShiftStatus, VolunteerRole

pytestmark = pytest.mark.django_db

URL = "/coordinator/volunteering/calendar/"


@pytest.fixture(autouse=True)
def _october() -> object:
    with time_machine.travel(datetime(2026, 10, 20, 15, 0, tzinfo=UTC), tick=False):
        yield


def _render(client: Client, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def _bulk(count: int) -> None:
    role = VolunteerRole.objects.get_or_create(name="Outreach")[0]
    location = make_location()
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    Shift.objects.bulk_create(
        Shift(
            role=role,
            location=location,
            starts_at=start + timedelta(minutes=20 * n),
            ends_at=start + timedelta(minutes=20 * n + 120),
            capacity=3,
        )
        for n in range(count)
    )


def test_month_view_queries_do_not_grow_at_2000_shifts(client: Client, coordinator):
    client.force_login(coordinator)
    _bulk(5)
    small, _ = _render(client, f"{URL}?date=2026-11-10")
    _bulk(1995)
    large, response = _render(client, f"{URL}?date=2026-11-10")
    shown = sum(len(day.entries) for day in response.context["days"])
    assert shown == 2000  # every shift starts in November (New York), none is left out
    assert small == large


def test_a_shift_across_the_dst_change_shows_its_local_times(client: Client, coordinator):
    # New York falls back at 02:00 on Sunday 1 November 2026: 01:00 EDT to 03:00 EST is
    # three hours, 05:00 to 08:00 UTC.
    shift = make_shift(
        make_role("Night line"),
        location=make_location(time_zone="America/New_York"),
        starts_at=datetime(2026, 11, 1, 5, 0, tzinfo=UTC),
        hours=3,
    )
    coordinator.time_zone = "America/New_York"
    coordinator.save()
    client.force_login(coordinator)
    _, response = _render(client, f"{URL}?view=day&date=2026-11-01")
    (day,) = response.context["days"]
    (entry,) = day.entries
    assert entry.shift == shift
    assert (entry.starts.strftime("%H:%M"), entry.ends.strftime("%H:%M")) == ("01:00", "03:00")
    assert "01:00\u201303:00" in response.content.decode()
    # Seen from Los Angeles, the shift's own zone is named, never its IANA name.
    coordinator.time_zone = "America/Los_Angeles"
    coordinator.save()
    _, response = _render(client, f"{URL}?view=day&date=2026-10-31")
    page = response.content.decode()
    assert "01:00 in New York, 22:00 your time" in page
    assert "America/New_York" not in page


def test_a_volunteer_sees_only_their_shifts_and_the_open_ones_they_may_take(client: Client):
    training = make_training("Safeguarding")
    gated = make_role("Crisis line", trainings=[training])
    open_role = make_role("Outreach")
    me = make_volunteer(email="me@x.example")
    other = make_volunteer(email="other@x.example")
    day = timezone.now() + timedelta(days=3)

    def shift(role, hours_later: int, capacity: int = 2, **fields) -> Shift:
        return make_shift(
            role, starts_at=day + timedelta(hours=hours_later), capacity=capacity, **fields
        )

    mine_full = shift(open_role, 0, capacity=1)
    ShiftSignup.objects.create(
        shift=mine_full, volunteer=me, status=ShiftSignupStatus.CONFIRMED, joined_at=day
    )
    open_one = shift(open_role, 4)
    full_other = shift(open_role, 8, capacity=1)
    ShiftSignup.objects.create(
        shift=full_other, volunteer=other, status=ShiftSignupStatus.CONFIRMED, joined_at=day
    )
    shift(open_role, 12, status=ShiftStatus.DRAFT)
    not_for_me = shift(gated, 16)
    client.force_login(me)
    _, response = _render(client, f"/volunteer/shifts/calendar/?view=week&date={day.date()}")
    shown = [e.shift for d in response.context["days"] for e in d.entries]
    assert shown == [mine_full, open_one]
    page = response.content.decode()
    assert "your place" in page
    # Once trained, the crisis line is one they may take.
    make_record(me, training, completed_on=timezone.localdate() - timedelta(days=1))
    _, response = _render(client, f"/volunteer/shifts/calendar/?view=week&date={day.date()}")
    assert [e.shift for d in response.context["days"] for e in d.entries] == [
        mine_full,
        open_one,
        not_for_me,
    ]
