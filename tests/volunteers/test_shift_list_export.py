"""The coordinator's shift list as CSV: the page's filters, every page, local times."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from core.dates import org_today
from tests.factories import make_user
from tests.volunteers.factories import make_location, make_role, make_shift, make_volunteer
from volunteers.models import ShiftSignup, ShiftSignupStatus, ShiftStatus

pytestmark = pytest.mark.django_db

URL = "/coordinator/volunteering/shifts/export/"


def _rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def _at(days: int, hour: int) -> datetime:
    day = org_today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("America/New_York"))


def test_the_csv_has_the_filtered_shifts_with_counts(client: Client, coordinator: User) -> None:
    outreach = make_role("Outreach")
    kitchen = make_role("=Kitchen")
    hall = make_location("Community hall")
    first = make_shift(outreach, location=hall, starts_at=_at(2, 9), capacity=2)
    make_shift(kitchen, location=hall, starts_at=_at(3, 9))
    make_shift(outreach, location=hall, starts_at=_at(4, 9), status=ShiftStatus.CANCELLED)
    make_shift(outreach, location=hall, starts_at=_at(40, 9))  # after the default 28 days
    for n, status in enumerate(
        [ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.WAITLISTED]
    ):
        ShiftSignup.objects.create(
            shift=first,
            volunteer=make_volunteer(email=f"v{n}@example.org"),
            status=status,
            joined_at=first.starts_at - timedelta(days=5),
        )
    client.force_login(coordinator)
    rows = _rows(client.get(URL, {"role": str(outreach.pk), "status": "published"}))
    assert rows[0] == [
        "Starts", "Ends", "Time zone", "Role", "Location", "Places taken", "Capacity",
        "Waitlist", "Status", "Repeating",
    ]  # fmt: skip
    day = (org_today() + timedelta(days=2)).isoformat()
    assert rows[1:] == [
        [f"{day} 09:00", f"{day} 12:00", "America/New_York", "Outreach", "Community hall",
         "2", "2", "1", "Published", "no"],
    ]  # fmt: skip
    everything = _rows(client.get(URL))
    assert [r[3] for r in everything[1:]] == ["Outreach", "'=Kitchen", "Outreach"]


def test_the_csv_is_refused_to_a_safeguarding_lead(client: Client) -> None:
    client.force_login(make_user(roles=[Role.SAFEGUARDING_LEAD]))
    assert client.get(URL).status_code == 403


def test_the_query_count_is_flat(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    role = make_role("Outreach")
    for n in range(3):
        make_shift(role, starts_at=_at(1 + n % 20, 9))
    with CaptureQueriesContext(connection) as small:
        assert len(_rows(client.get(URL))) == 4
    for n in range(60):
        make_shift(role, starts_at=_at(1 + n % 20, 13))
    with CaptureQueriesContext(connection) as large:
        assert len(_rows(client.get(URL))) == 64
    assert len(small) == len(large)
