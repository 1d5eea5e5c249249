"""A repeating shift in words before it is saved, and the online link a series carries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from accounts.models import User
from tests.volunteers.factories import make_location, make_role, make_shift
from volunteers import services
from volunteers.models import Shift, ShiftSeries
from volunteers.services.series_words import describe_rule

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"
LINK = "https://meet.example.org/line-42"


@pytest.fixture(autouse=True)
def _fixed_now() -> Any:
    # Fri 20 Nov 2026, 10:00 in New York.
    with time_machine.travel(datetime(2026, 11, 20, 15, 0, tzinfo=UTC), tick=False):
        yield


def words(rule: str, until: date | None = None, **kw: Any) -> Any:
    values: dict[str, Any] = {
        "dtstart": date(2027, 1, 5),
        "start_time": time(18, 0),
        "duration": timedelta(hours=3),
        "until": until,
    } | kw
    with translation.override("en"):
        return describe_rule(rule, **values)


def test_weekly_on_two_days_with_an_end_date() -> None:
    preview = words("FREQ=WEEKLY;BYDAY=TU,TH", until=date(2027, 3, 30))
    assert preview.words == (
        "Every Tuesday and Thursday, 18:00\u201321:00, from 5 Jan to 30 Mar 2027: 25 shifts"
    )
    assert preview.total == 25
    assert preview.dates == [
        date(2027, 1, 5),
        date(2027, 1, 7),
        date(2027, 1, 12),
        date(2027, 1, 14),
        date(2027, 1, 19),
    ]


def test_every_other_week_on_three_days_with_a_count() -> None:
    preview = words("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;COUNT=6")
    assert preview.words == (
        "Every 2 weeks on Monday, Wednesday and Friday, 18:00\u201321:00, "
        "from 6 Jan to 1 Feb 2027: 6 shifts"
    )
    assert preview.dates[:3] == [date(2027, 1, 6), date(2027, 1, 8), date(2027, 1, 18)]
    assert preview.total == 6


def test_monthly_by_weekday_and_by_day_and_one_shift() -> None:
    first_saturday = words("FREQ=MONTHLY;BYDAY=1SA", until=date(2027, 12, 31))
    assert first_saturday.words == (
        "The first Saturday of every month, 18:00\u201321:00, from 6 Feb to 4 Dec 2027: 11 shifts"
    )
    last_friday = words("FREQ=MONTHLY;BYDAY=-1FR;COUNT=1")
    assert last_friday.words == (
        "The last Friday of every month, 18:00\u201321:00, from 29 Jan to 29 Jan 2027: 1 shift"
    )
    day_five = words("FREQ=MONTHLY;INTERVAL=3")
    assert day_five.words == (
        "On day 5 of every 3 months, 18:00\u201321:00, from 5 Jan 2027, with no end date"
    )
    assert day_five.total is None
    assert day_five.dates == [
        date(2027, 1, 5),
        date(2027, 4, 5),
        date(2027, 7, 5),
        date(2027, 10, 5),
        date(2028, 1, 5),
    ]


def test_overnight_daily_yearly_and_an_unusual_rule() -> None:
    night = words("FREQ=DAILY;COUNT=3", start_time=time(22, 0), duration=timedelta(hours=8))
    assert night.words == (
        "Every day, 22:00\u201306:00 (ends the next day), from 5 Jan to 7 Jan 2027: 3 shifts"
    )
    assert words("FREQ=YEARLY;COUNT=2").words == (
        "Every year on 5 January, 18:00\u201321:00, from 5 Jan 2027 to 5 Jan 2028: 2 shifts"
    )
    assert words("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1;COUNT=2").words == (
        "Repeats by a custom rule, 18:00\u201321:00, from 1 Feb to 1 Mar 2027: 2 shifts"
    )
    assert words("FREQ=WEEKLY;BYDAY=MO", until=date(2027, 1, 10)).words == (
        "Every Monday, 18:00\u201321:00: no dates"
    )
    with pytest.raises(ValidationError):
        words("FREQ=HOURLY")


def test_the_words_are_translated() -> None:
    with translation.override("es"):
        preview = describe_rule(
            "FREQ=WEEKLY;BYDAY=TU;COUNT=2",
            dtstart=date(2027, 1, 5),
            start_time=time(18, 0),
            duration=timedelta(hours=3),
        )
    assert "martes" in preview.words.lower()


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    return {
        "role": make_role("Crisis line"),
        "location": make_location("Online", time_zone="America/New_York"),
    }


def _post(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": str(world["role"].pk),
        "location": str(world["location"].pk),
        "first_day": "2026-11-24",
        "start_time": "18:00",
        "end_time": "21:00",
        "repeat": "weekly",
        "weekdays": ["TU", "TH"],
        "interval": "1",
        "ends": "count",
        "until": "",
        "count": "6",
        "rrule": "",
        "capacity": "3",
        "notes": "",
        "online_link": LINK,
        "status": "published",
        "window_weeks": "4",
    }
    data.update(changes)
    return data


def test_preview_shows_the_words_and_saves_nothing(
    client: Client, coordinator: User, world: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    url = f"{BASE}/shifts/repeating/new/"
    response = client.post(url, _post(world, preview="1"))
    assert response.status_code == 200
    assert response.context["preview"].words == (
        "Every Tuesday and Thursday, 18:00\u201321:00, from 24 Nov to 10 Dec 2026: 6 shifts"
    )
    body = response.content.decode()
    assert "Tue 24 Nov 2026" in body and "Tue 1 Dec 2026" in body
    preview_html = body.split('id="series-preview"')[1].split("</section>")[0]
    assert "Every Tuesday and Thursday, 18:00\u201321:00" in preview_html
    assert "FREQ=" not in preview_html
    assert ShiftSeries.objects.count() == 0 and Shift.objects.count() == 0
    # htmx asks for the fragment alone.
    fragment = client.post(url, _post(world, preview="1"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.content.decode().strip().startswith('<p class="series-words"')
    assert "<form" not in fragment.content.decode()
    # An unfinished form: a plain note, no error page, still nothing saved.
    missing = client.post(url, _post(world, preview="1", weekdays=[], start_time=""))
    assert missing.status_code == 200
    assert missing.context["preview"] is None
    assert "Complete the marked fields" in missing.content.decode()
    bad = client.post(
        url, _post(world, preview="1", repeat="rrule", rrule="FREQ=NOPE", ends="never")
    )
    assert bad.context["preview"] is None and "rrule" in bad.context["form"].errors
    assert ShiftSeries.objects.count() == 0


def test_the_edit_form_previews_from_the_shift_it_starts_at(
    client: Client, coordinator: User, world: dict[str, Any]
) -> None:
    _series, shifts = services.create_series(
        role=world["role"],
        location=world["location"],
        rrule="FREQ=WEEKLY;BYDAY=MO",
        start_time=time(9, 0),
        duration=timedelta(hours=2),
        capacity=3,
        dtstart=date(2026, 11, 23),
        by=coordinator,
    )
    second = sorted(shifts, key=lambda s: s.starts_at)[1]  # Mon 30 Nov
    client.force_login(coordinator)
    page = client.get(f"{BASE}/shifts/{second.pk}/series/")
    assert page.context["preview"].words == (
        "Every Monday, 09:00\u201311:00, from 30 Nov 2026, with no end date"
    )
    data = _post(world, preview="1", weekdays=["WE"], ends="until", until="2026-12-16", count="")
    response = client.post(f"{BASE}/shifts/{second.pk}/series/", data)
    assert response.status_code == 200
    assert response.context["preview"].words == (
        "Every Wednesday, 18:00\u201321:00, from 2 Dec to 16 Dec 2026: 3 shifts"
    )
    assert ShiftSeries.objects.count() == 1
    assert Shift.objects.get(pk=second.pk).starts_at == second.starts_at


def test_a_series_carries_its_online_link_to_every_shift_and_the_roster_shows_it(
    client: Client, coordinator: User, world: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    response = client.post(f"{BASE}/shifts/repeating/new/", _post(world))
    assert response.status_code == 302
    series = ShiftSeries.objects.get()
    assert series.online_link == LINK
    shifts = list(Shift.objects.filter(series=series).order_by("starts_at"))
    assert len(shifts) == 6
    assert {s.online_link for s in shifts} == {LINK}
    roster = client.get(f"{BASE}/shifts/{shifts[0].pk}/")
    body = roster.content.decode()
    assert f'id="roster-online-link" href="{LINK}"' in body
    assert "repeating (Every Tuesday and Thursday)" in body
    assert "FREQ=" not in body
    # Editing "this and following" changes the link from that shift on.
    new_link = "https://meet.example.org/line-43"
    data = _post(world, online_link=new_link, ends="never", count="")
    data.pop("first_day")
    response = client.post(f"{BASE}/shifts/{shifts[2].pk}/series/", data)
    assert response.status_code == 302
    links = list(
        Shift.objects.filter(role=world["role"])
        .order_by("starts_at")
        .values_list("online_link", flat=True)
    )
    assert links[:2] == [LINK, LINK]
    assert set(links[2:]) == {new_link}


def test_a_series_link_must_be_https(
    client: Client, coordinator: User, world: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/shifts/repeating/new/", _post(world, online_link="http://meet.example.org/x")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["online_link"] == ["Give an https:// link."]
    assert ShiftSeries.objects.count() == 0


def test_the_roster_of_an_in_person_shift_has_no_link(
    client: Client, coordinator: User, world: dict[str, Any]
) -> None:
    shift = make_shift(world["role"], location=world["location"])
    client.force_login(coordinator)
    body = client.get(f"{BASE}/shifts/{shift.pk}/").content.decode()
    assert "roster-online-link" not in body
