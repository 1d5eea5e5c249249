"""The volunteer directory's sortable columns (computed in the query) and its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core.dates import org_today
from tests.factories import make_user
from tests.volunteers.factories import (
    make_clearance,
    make_clearance_type,
    make_record,
    make_role,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers.models import (
    HoursEntry,
    HoursSource,
    HoursStatus,
    ProfileStatus,
    ShiftSignup,
    ShiftSignupStatus,
)

pytestmark = pytest.mark.django_db

URL = "/coordinator/volunteering/volunteers/"
CSV_URL = "/coordinator/volunteering/volunteers/export/"


def _hours(person: User, minutes: int, day: date, status: str = HoursStatus.APPROVED) -> None:
    role = make_role("Outreach hours") if not _ROLE else _ROLE[0]
    _ROLE[:] = [role]
    start = timezone.now() - timedelta(days=1)
    HoursEntry.objects.create(
        volunteer=person,
        role=role,
        date=day,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        minutes=minutes,
        source=HoursSource.MANUAL,
        status=status,
    )


_ROLE: list[Any] = []


@pytest.fixture(autouse=True)
def _fresh_role() -> None:
    _ROLE.clear()


def _signup(person: User, days_ago: int, status: str = ShiftSignupStatus.ATTENDED) -> None:
    shift = make_shift(starts_at=timezone.now() - timedelta(days=days_ago))
    ShiftSignup.objects.create(
        shift=shift, volunteer=person, status=status, joined_at=timezone.now()
    )


@pytest.fixture
def three(db: None) -> dict[str, User]:
    """Ana: worked 2 days ago, 90 min this year, training expires in 10 days.
    Ben (paused): worked 20 days ago, 300 min this year (+ pending and last-year minutes that
    do not count), clearance expires in 5 days, a later training in 40.
    Cleo: a cancelled and a future shift only, no hours, nothing expiring."""
    today = org_today()
    ana = make_volunteer(first_name="Ana", last_name="Silva", email="ana@example.org")
    ben = make_volunteer(
        first_name="Ben", last_name="Okafor", email="ben@example.org", status=ProfileStatus.PAUSED
    )
    cleo = make_volunteer(first_name="Cleo", last_name="Zhang", email="=cleo@example.org")
    _signup(ana, 2)
    _signup(ana, 30)
    _signup(ben, 20, ShiftSignupStatus.NO_SHOW)
    _signup(cleo, 1, ShiftSignupStatus.CANCELLED)
    _signup(cleo, -3, ShiftSignupStatus.CONFIRMED)
    _hours(ana, 90, today)
    _hours(ben, 300, today)
    _hours(ben, 45, today, HoursStatus.PENDING)
    _hours(ben, 600, date(today.year - 1, 12, 31))
    training = make_training(validity_months=None)
    make_record(
        ana,
        training,
        completed_on=today - timedelta(days=100),
        expires_on=today + timedelta(days=10),
    )
    make_record(
        ben,
        training,
        completed_on=today - timedelta(days=100),
        expires_on=today + timedelta(days=40),
    )
    make_record(
        cleo,
        training,
        completed_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )
    make_clearance(ben, make_clearance_type(), expires_on=today + timedelta(days=5))
    return {"ana": ana, "ben": ben, "cleo": cleo}


def _order(client: Client, sort: str) -> list[str]:
    page = client.get(URL, {"sort": sort}).context["page"]
    return [p.user.first_name for p in page.object_list]


def test_the_columns_are_computed_in_the_query(client: Client, coordinator: User, three) -> None:
    client.force_login(coordinator)
    rows = {p.user.first_name: p for p in client.get(URL).context["page"].object_list}
    today = org_today()
    assert rows["Ana"].minutes_this_year == 90
    assert rows["Ben"].minutes_this_year == 300
    assert rows["Cleo"].minutes_this_year == 0
    assert rows["Ana"].next_expiry == today + timedelta(days=10)
    assert rows["Ben"].next_expiry == today + timedelta(days=5)
    assert rows["Cleo"].next_expiry is None
    assert rows["Cleo"].last_shift_at is None
    assert (timezone.now() - rows["Ana"].last_shift_at).days == 2
    assert (timezone.now() - rows["Ben"].last_shift_at).days == 20


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ben", "Ana", "Cleo"]),
        ("-name", ["Cleo", "Ana", "Ben"]),
        ("last_shift", ["Ben", "Ana", "Cleo"]),
        ("-last_shift", ["Ana", "Ben", "Cleo"]),
        ("hours", ["Cleo", "Ana", "Ben"]),
        ("-hours", ["Ben", "Ana", "Cleo"]),
        ("expiry", ["Ben", "Ana", "Cleo"]),
        ("-expiry", ["Ana", "Ben", "Cleo"]),
        ("status", ["Ana", "Cleo", "Ben"]),
        ("-status", ["Ben", "Ana", "Cleo"]),
        ("nonsense", ["Ben", "Ana", "Cleo"]),
    ],
)
def test_every_column_sorts_both_ways(
    client: Client, coordinator: User, three, sort: str, expected: list[str]
) -> None:
    client.force_login(coordinator)
    assert _order(client, sort) == expected


def test_the_headers_link_to_the_other_direction_keeping_the_filter(
    client: Client, coordinator: User, three
) -> None:
    client.force_login(coordinator)
    html = client.get(URL, {"sort": "hours", "status": "active"}).content.decode()
    assert 'aria-sort="ascending"><a href="?status=active&amp;sort=-hours">' in html
    assert 'href="?status=active&amp;sort=expiry"' in html
    assert "<td>1.50</td>" in html and "<td>0</td>" in html and "Okafor" not in html


def test_the_csv_has_the_filtered_sorted_list_with_safe_cells(
    client: Client, coordinator: User, three
) -> None:
    client.force_login(coordinator)
    response = client.get(CSV_URL, {"status": "active", "sort": "-hours"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    today = org_today()
    assert rows[0][:7] == [
        "Name",
        "E-mail",
        "Phone",
        "Status",
        "Last shift",
        "Hours this year",
        "Next expiry",
    ]
    assert [r[0] for r in rows[1:]] == ["Ana Silva", "Cleo Zhang"]
    assert rows[1][5] == "1.50"
    assert rows[1][6] == (today + timedelta(days=10)).isoformat()
    assert rows[2][1] == "'=cleo@example.org"
    assert rows[2][4:7] == ["", "0.00", ""]


def test_the_csv_is_refused_to_a_safeguarding_lead(client: Client, three) -> None:
    client.force_login(make_user(roles=[Role.SAFEGUARDING_LEAD]))
    assert client.get(CSV_URL).status_code == 403


def _bulk(count: int, start: int) -> None:
    today = org_today()
    training = make_training(f"T{start}", validity_months=None)
    for i in range(count):
        person = make_volunteer(email=f"p{start + i}@example.org", last_name=f"P{start + i}")
        _signup(person, 3)
        _hours(person, 60, today)
        make_record(person, training, completed_on=today, expires_on=today + timedelta(days=9))


def _count(client: Client, url: str, params: dict[str, str]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_the_query_count_is_flat(client: Client, coordinator: User, url: str) -> None:
    client.force_login(coordinator)
    _bulk(3, 0)
    small, _ = _count(client, url, {"sort": "-hours"})
    _bulk(30, 100)
    large, response = _count(client, url, {"sort": "-hours"})
    assert small == large
    if url == CSV_URL:
        assert len(response.content.decode().splitlines()) == 34
