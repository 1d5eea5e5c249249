"""Coordinator shift pages: they render, refuse volunteers, show form errors (never a 500),
export the roster exactly, and cost the same number of queries for 10 and 200 rows."""

from __future__ import annotations

import csv
import io
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from tests.volunteers.factories import (
    make_location,
    make_role,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import (
    HoursEntry,
    HoursSource,
    HoursStatus,
    ProfileStatus,
    Qualification,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    VolunteerProfile,
)
from volunteers.selectors import roster as roster_selectors
from volunteers.views import coordinator_roster_export

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # Fri 20 Nov 2026, 10:00 in New York


@pytest.fixture(autouse=True)
def _fixed_now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _bulk_people(count: int, prefix: str = "bulk") -> list[User]:
    start = User.objects.count()
    emails = [f"{prefix}{start + i}@example.org" for i in range(count)]
    User.objects.bulk_create(
        User(email=email, first_name=f"Person{start + i:04d}", last_name="Bulk", password="!")
        for i, email in enumerate(emails)
    )
    users = list(User.objects.filter(email__in=emails).order_by("pk"))
    VolunteerProfile.objects.bulk_create(
        VolunteerProfile(user=user, status=ProfileStatus.ACTIVE) for user in users
    )
    return users


def _add_signups(shift: Shift, people: list[User], status: str) -> None:
    base = timezone.now() - timedelta(days=1)
    ShiftSignup.objects.bulk_create(
        ShiftSignup(shift=shift, volunteer=p, status=status, joined_at=base + timedelta(seconds=n))
        for n, p in enumerate(people)
    )


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    role = make_role("Outreach")
    location = make_location("Community hall", time_zone="America/New_York")
    starts_at = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # Tue 24 Nov, 18:00 New York
    shift = make_shift(role, location=location, starts_at=starts_at, hours=3, capacity=2)
    ana = make_volunteer(first_name="Ana", last_name="Souza", email="ana.s@example.org")
    ben = make_volunteer(first_name="Ben", last_name="Carter", email="ben.c@example.org")
    cy = make_volunteer(first_name="Cy", last_name="Dale", email="cy.d@example.org")
    for person in (ana, ben, cy):
        services.sign_up_for_shift(shift=shift, volunteer=person)
    return {"role": role, "location": location, "shift": shift, "ana": ana, "ben": ben, "cy": cy}


def _urls(world: dict[str, Any], coordinator: User) -> list[str]:
    shift = world["shift"]
    signup = ShiftSignup.objects.filter(shift=shift).first()
    assert signup is not None
    series, _ = services.create_series(
        role=world["role"],
        location=world["location"],
        rrule="FREQ=WEEKLY;BYDAY=MO",
        start_time=time(9, 0),
        duration=timedelta(hours=2),
        capacity=3,
        dtstart=date(2026, 11, 23),
        by=coordinator,
    )
    occurrence = Shift.objects.filter(series=series).order_by("starts_at").first()
    assert occurrence is not None
    entry = HoursEntry.objects.create(
        volunteer=world["ana"],
        role=world["role"],
        date=date(2026, 11, 18),
        starts_at=datetime(2026, 11, 18, 14, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 18, 16, 0, tzinfo=UTC),
        minutes=120,
        source=HoursSource.MANUAL,
    )
    return [
        f"{BASE}/shifts/",
        f"{BASE}/shifts/?view=week",
        f"{BASE}/shifts/?view=week&week=2026-11-23&role={world['role'].pk}",
        f"{BASE}/shifts/?date_from=2026-11-01&date_to=2026-12-31&status=published",
        f"{BASE}/shifts/new/",
        f"{BASE}/shifts/repeating/new/",
        f"{BASE}/shifts/{shift.pk}/",
        f"{BASE}/shifts/{shift.pk}/edit/",
        f"{BASE}/shifts/{shift.pk}/cancel/",
        f"{BASE}/shifts/{shift.pk}/print/",
        f"{BASE}/shifts/{shift.pk}/roster.csv",
        f"{BASE}/shifts/{occurrence.pk}/series/",
        f"{BASE}/shift-signups/{signup.pk}/move/",
        f"{BASE}/staffing-gaps/",
        f"{BASE}/staffing-gaps/?days=56",
        f"{BASE}/hours/",
        f"{BASE}/hours/totals/",
        f"{BASE}/hours/totals/?role={world['role'].pk}&date_from=2026-11-01",
        f"{BASE}/hours/{entry.pk}/edit/",
        f"{BASE}/volunteers/?eligible_for={world['role'].pk}",
        f"{BASE}/volunteers/{world['ana'].pk}/",
    ]


def test_every_shift_page_renders(client: Client, coordinator: User, world) -> None:
    client.force_login(coordinator)
    for url in _urls(world, coordinator):
        response = client.get(url)
        assert response.status_code == 200, url


def test_a_volunteer_gets_403_on_every_coordinator_shift_page(
    client: Client, coordinator: User, world
) -> None:
    urls = _urls(world, coordinator)
    signup = ShiftSignup.objects.filter(shift=world["shift"]).first()
    assert signup is not None
    entry = HoursEntry.objects.get()
    posts = [
        f"{BASE}/shifts/{world['shift'].pk}/publish/",
        f"{BASE}/shifts/{world['shift'].pk}/assign/",
        f"{BASE}/shift-signups/{signup.pk}/remove/",
        f"{BASE}/shift-signups/{signup.pk}/attendance/",
        f"{BASE}/shift-signups/{signup.pk}/no-show/",
        f"{BASE}/hours/{entry.pk}/approve/",
        f"{BASE}/hours/{entry.pk}/reject/",
    ]
    client.force_login(world["ana"])
    for url in urls + posts:
        assert client.get(url).status_code in (403, 405), url
        assert client.post(url, {"reason": "x"}).status_code == 403, url
    assert ShiftSignup.objects.filter(status=ShiftSignupStatus.CANCELLED).count() == 0
    entry.refresh_from_db()
    assert entry.status == HoursStatus.PENDING


def test_the_week_calendar_puts_shifts_on_their_local_day(
    client: Client, coordinator: User, world
) -> None:
    tokyo = make_location("Text line (remote)", time_zone="Asia/Tokyo", is_remote=True)
    # Mon 23 Nov 20:00 UTC is Tue 24 Nov 05:00 in Tokyo.
    make_shift(world["role"], location=tokyo, starts_at=datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    client.force_login(coordinator)
    response = client.get(f"{BASE}/shifts/?view=week&week=2026-11-25")
    columns = response.context["columns"]
    assert [day for day, _ in columns] == [date(2026, 11, 23) + timedelta(days=n) for n in range(7)]
    tuesday = columns[1][1]
    assert [s.location.name for s in tuesday] == ["Text line (remote)", "Community hall"]
    html = response.content.decode()
    assert "05:00" in html and "Japan Time" in html
    assert "18:00" in html and "United States (New York) Time" in html


def _shift_post(world: dict[str, Any], **changes: str) -> dict[str, str]:
    data = {
        "role": str(world["role"].pk),
        "location": str(world["location"].pk),
        "day": "2026-11-30",
        "start_time": "18:00",
        "end_time": "21:00",
        "capacity": "4",
        "notes": "",
        "status": "published",
    }
    data.update(changes)
    return data


def test_a_coordinator_creates_a_shift_in_the_location_zone(
    client: Client, coordinator: User, world
) -> None:
    client.force_login(coordinator)
    response = client.post(f"{BASE}/shifts/new/", _shift_post(world))
    assert response.status_code == 302
    shift = Shift.objects.latest("pk")
    assert response["Location"] == f"{BASE}/shifts/{shift.pk}/"
    assert shift.starts_at == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert shift.ends_at == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert shift.created_by == coordinator


def test_end_before_start_is_a_form_error(client: Client, coordinator: User, world) -> None:
    client.force_login(coordinator)
    before = Shift.objects.count()
    response = client.post(
        f"{BASE}/shifts/new/", _shift_post(world, start_time="18:00", end_time="17:00")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end_time"] == [
        "The shift must end after it starts. For a shift past midnight, "
        "tick \u201cEnds the next day\u201d."
    ]
    assert Shift.objects.count() == before
    response = client.post(
        f"{BASE}/shifts/{world['shift'].pk}/edit/",
        _shift_post(world, day="2026-11-24", start_time="18:00", end_time="18:00"),
    )
    assert response.status_code == 200
    assert "end_time" in response.context["form"].errors


def test_capacity_below_the_confirmed_count_is_a_form_error(
    client: Client, coordinator: User, world
) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/shifts/{world['shift'].pk}/edit/",
        _shift_post(world, day="2026-11-24", capacity="1"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [
        "2 people already have a place, so the shift needs at least 2 places. "
        "Cancel or move people on the roster first."
    ]
    world["shift"].refresh_from_db()
    assert world["shift"].capacity == 2


def test_raising_capacity_promotes_the_waitlist(client: Client, coordinator: User, world) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/shifts/{world['shift'].pk}/edit/",
        _shift_post(world, day="2026-11-24", capacity="3"),
        follow=True,
    )
    assert "Moved up from the waitlist: Cy Dale." in response.content.decode()
    assert ShiftSignup.objects.get(volunteer=world["cy"]).status == ShiftSignupStatus.CONFIRMED


def _series_post(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": str(world["role"].pk),
        "location": str(world["location"].pk),
        "first_day": "2026-11-23",
        "start_time": "18:00",
        "end_time": "20:00",
        "repeat": "weekly",
        "weekdays": ["TU", "TH"],
        "interval": "1",
        "ends": "never",
        "until": "",
        "count": "",
        "rrule": "",
        "capacity": "3",
        "notes": "",
        "status": "published",
        "window_weeks": "4",
    }
    data.update(changes)
    return data


def test_a_weekly_series_from_the_builder(client: Client, coordinator: User, world) -> None:
    client.force_login(coordinator)
    response = client.post(f"{BASE}/shifts/repeating/new/", _series_post(world))
    assert response.status_code == 302
    shifts = Shift.objects.filter(series__isnull=False).order_by("starts_at")
    assert shifts[0].series is not None
    assert shifts[0].series.rrule == "FREQ=WEEKLY;BYDAY=TU,TH"
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert {s.starts_at.astimezone(new_york).time() for s in shifts} == {time(18, 0)}
    assert shifts.count() == 8  # 4 weeks from Fri 20 Nov: 4 Tuesdays and 4 Thursdays


def test_an_rrule_that_generates_nothing_is_a_form_error(
    client: Client, coordinator: User, world
) -> None:
    client.force_login(coordinator)
    before = Shift.objects.count()
    response = client.post(
        f"{BASE}/shifts/repeating/new/",
        _series_post(
            world, repeat="rrule", weekdays=[], rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["rrule"]
    assert errors == [
        "This rule gives no dates from 23 Nov 2026. Check the days, the months and the end date."
    ]
    # The builder: Mondays only, from a Tuesday to the Sunday after.
    response = client.post(
        f"{BASE}/shifts/repeating/new/",
        _series_post(
            world, weekdays=["MO"], first_day="2026-11-24", ends="until", until="2026-11-29"
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["weekdays"][0].startswith("This rule gives no dates")
    response = client.post(
        f"{BASE}/shifts/repeating/new/", _series_post(world, repeat="rrule", rrule="FREQ=NOPE")
    )
    assert response.status_code == 200
    assert "rrule" in response.context["form"].errors
    assert Shift.objects.count() == before


def test_edit_this_and_following_changes_only_those(
    client: Client, coordinator: User, world
) -> None:
    _, shifts = services.create_series(
        role=world["role"],
        location=world["location"],
        rrule="FREQ=WEEKLY;BYDAY=MO",
        start_time=time(9, 0),
        duration=timedelta(hours=2),
        capacity=3,
        dtstart=date(2026, 11, 23),
        window_weeks=4,
        by=coordinator,
    )
    second = sorted(shifts, key=lambda s: s.starts_at)[1]
    client.force_login(coordinator)
    data = _series_post(world, repeat="rrule", rrule="FREQ=WEEKLY;BYDAY=MO", start_time="10:00")
    data["end_time"] = "12:00"
    response = client.post(f"{BASE}/shifts/{second.pk}/series/", data)
    assert response.status_code == 302
    hours = [
        s.starts_at.astimezone(timezone.get_fixed_timezone(-300)).hour
        for s in Shift.objects.filter(role=world["role"], occurrence_date__isnull=False).order_by(
            "starts_at"
        )
    ]
    assert hours[0] == 9
    assert set(hours[1:]) == {10}


def test_cancel_needs_a_reason_and_tells_people(client: Client, coordinator: User, world) -> None:
    client.force_login(coordinator)
    url = f"{BASE}/shifts/{world['shift'].pk}/cancel/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [
        "Write a reason: the people signed up will see it."
    ]
    response = client.post(url, {"reason": "Storm warning"}, follow=True)
    assert "Shift cancelled; 3 people were told why." in response.content.decode()
    world["shift"].refresh_from_db()
    assert world["shift"].status == ShiftStatus.CANCELLED
    assert world["shift"].cancellation_reason == "Storm warning"


def test_assign_needs_an_override_reason_and_records_who(
    client: Client, coordinator: User, world
) -> None:
    client.force_login(coordinator)
    url = f"{BASE}/shifts/{world['shift'].pk}/assign/"
    response = client.post(url, {"volunteer": str(world["cy"].pk)})
    assert response.status_code == 200
    form = response.context["assign_form"]
    assert form.errors["__all__"] == ["The shift is full (2 of 2 places taken)."]
    assert form.errors["override_reason"] == ["To go ahead anyway, give a reason for the override."]
    response = client.post(
        url, {"volunteer": str(world["cy"].pk), "override_reason": "Extra hands for the drive"}
    )
    assert response.status_code == 302
    signup = ShiftSignup.objects.get(volunteer=world["cy"], shift=world["shift"])
    assert signup.status == ShiftSignupStatus.CONFIRMED
    assert signup.override_by == coordinator
    assert signup.override_reason == "Extra hands for the drive"
    page = client.get(f"{BASE}/shifts/{world['shift'].pk}/").content.decode()
    assert "Override by Maya" in page and "Extra hands for the drive" in page


def test_the_roster_shows_eligibility_waitlist_and_skip_reason(
    client: Client, coordinator: User, world
) -> None:
    training = make_training("Hotline protocol")
    world["role"].required_trainings.add(training)
    ShiftSignup.objects.filter(volunteer=world["cy"]).update(skip_reason="Needs training.")
    client.force_login(coordinator)
    html = client.get(f"{BASE}/shifts/{world['shift'].pk}/").content.decode()
    assert "You have not completed Hotline protocol." in html
    assert "Needs training." in html
    assert "Ana Souza \u2014 not eligible" not in html  # Ana has a place: not offered again


def test_attendance_and_no_show_from_the_roster(client: Client, coordinator: User, world) -> None:
    shift = world["shift"]
    ana = ShiftSignup.objects.get(volunteer=world["ana"])
    ben = ShiftSignup.objects.get(volunteer=world["ben"])
    client.force_login(coordinator)
    with time_machine.travel(datetime(2026, 11, 25, 3, 0, tzinfo=UTC), tick=False):
        response = client.post(
            f"{BASE}/shift-signups/{ana.pk}/attendance/",
            {"check_in": "18:05", "check_out": "21:10"},
        )
        assert response.status_code == 302
        response = client.post(f"{BASE}/shift-signups/{ben.pk}/no-show/")
        assert response.status_code == 302
        response = client.post(
            f"{BASE}/shift-signups/{ana.pk}/attendance/", {"check_in": "", "check_out": "x"}
        )
        assert response.status_code == 200
    ana.refresh_from_db()
    assert ana.status == ShiftSignupStatus.ATTENDED
    assert ana.check_in_at == datetime(2026, 11, 24, 23, 5, tzinfo=UTC)
    assert ana.check_out_at == datetime(2026, 11, 25, 2, 10, tzinfo=UTC)
    assert HoursEntry.objects.get(signup=ana).minutes == 185
    ben.refresh_from_db()
    assert ben.status == ShiftSignupStatus.NO_SHOW
    assert shift.pk


def test_the_csv_export_is_exact(client: Client, coordinator: User, world) -> None:
    ben = ShiftSignup.objects.get(volunteer=world["ben"])
    ShiftSignup.objects.filter(pk=ben.pk).update(override_by=coordinator, override_reason="Known")
    ShiftSignup.objects.filter(volunteer=world["cy"]).update(skip_reason="Busy then.")
    User.objects.filter(pk=world["ana"].pk).update(phone="+12025550111")
    client.force_login(coordinator)
    response = client.get(f"{BASE}/shifts/{world['shift'].pk}/roster.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="roster-{world["shift"].pk}-2026-11-24.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "Outreach on Tue 24 Nov 2026, 18:00\u201321:00 (United States (New York) Time), "
            "Community hall"
        ],
        ["Times in United States (New York) Time"],
        list(coordinator_roster_export.CSV_HEADER),
        [
            "Ana Souza",
            "ana.s@example.org",
            "+12025550111",
            "Confirmed",
            "",
            "",
            "",
            "",
            "yes",
            "",
            "",
            "",
        ],
        [
            "Ben Carter",
            "ben.c@example.org",
            "",
            "Confirmed",
            "",
            "",
            "",
            "",
            "yes",
            "",
            "Maya " + coordinator.last_name,
            "Known",
        ],
        [
            "Cy Dale",
            "cy.d@example.org",
            "",
            "Waitlisted",
            "1",
            "",
            "",
            "",
            "yes",
            "Skipped: Busy then.",
            "",
            "",
        ],
    ]


def test_the_check_in_qr_code(client: Client, coordinator: User, world) -> None:
    client.force_login(coordinator)
    response = client.get(f"{BASE}/shifts/{world['shift'].pk}/")
    assert response.status_code == 200
    assert (
        "Valid Tue 24 Nov 2026, 17:30\u201322:00 (United States (New York) Time)."
        in response.content.decode()
    )
    code = world["shift"].check_in_code
    assert response.context["check_in_url"] == (
        f"http://testserver/volunteer/shifts/{world['shift'].pk}/check-in/{code}/"
    )
    assert "<svg" in str(response.context["qr"])


def test_hours_queue_approve_reject_and_totals(client: Client, coordinator: User, world) -> None:
    def entry(day: int, minutes: int) -> HoursEntry:
        start = datetime(2026, 11, day, 14, 0, tzinfo=UTC)
        return HoursEntry.objects.create(
            volunteer=world["ana"],
            role=world["role"],
            date=date(2026, 11, day),
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            minutes=minutes,
            source=HoursSource.MANUAL,
        )

    first, second, third = entry(2, 90), entry(3, 60), entry(4, 30)
    client.force_login(coordinator)
    assert client.post(f"{BASE}/hours/{first.pk}/approve/").status_code == 302
    response = client.post(f"{BASE}/hours/{second.pk}/reject/", {"reason": ""})
    assert response.status_code == 200
    assert "Write a reason: the volunteer will see it." in response.content.decode()
    client.post(f"{BASE}/hours/{second.pk}/reject/", {"reason": "Not our event"})
    response = client.post(
        f"{BASE}/hours/{third.pk}/edit/",
        {"day": "2026-11-04", "start_time": "09:00", "end_time": "08:00", "note": ""},
    )
    assert response.status_code == 302  # an end before the start is on the next day
    third.refresh_from_db()
    assert third.minutes == 23 * 60 and third.status == HoursStatus.APPROVED
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (HoursStatus.APPROVED, HoursStatus.REJECTED)
    assert second.decision_note == "Not our event"
    response = client.get(f"{BASE}/hours/totals/")
    assert response.context["grand"].approved == 90 + 23 * 60
    assert [(t.label, t.approved) for t in response.context["by_role"]] == [
        ("Outreach", 90 + 23 * 60)
    ]


def test_the_directory_filters_by_qualification_and_eligibility(
    client: Client, coordinator: User, world
) -> None:
    lead = make_role("Shift lead", is_qualification=True)
    Qualification.objects.create(volunteer=world["ben"], role=lead, granted_on=date(2026, 11, 1))
    client.force_login(coordinator)
    response = client.get(f"{BASE}/volunteers/?qualification={lead.pk}")
    assert [p.user for p in response.context["page"]] == [world["ben"]]
    response = client.get(f"{BASE}/volunteers/?eligible_for={lead.pk}")
    assert [p.user for p in response.context["page"]] == [world["ben"]]


def test_the_volunteer_page_shows_shifts_and_hours(
    client: Client, coordinator: User, world
) -> None:
    client.force_login(coordinator)
    html = client.get(f"{BASE}/volunteers/{world['ana'].pk}/").content.decode()
    assert "Tue 24 Nov 2026, 18:00\u201321:00" in html
    assert "0 min approved" in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_roster_query_count_is_flat(client: Client, coordinator: User, world) -> None:
    shift = make_shift(world["role"], location=world["location"], capacity=500)
    client.force_login(coordinator)
    _add_signups(shift, _bulk_people(5), ShiftSignupStatus.CONFIRMED)
    _add_signups(shift, _bulk_people(5), ShiftSignupStatus.WAITLISTED)
    url = f"{BASE}/shifts/{shift.pk}/"
    small = _queries(client, url)
    small_csv = _queries(client, url + "roster.csv")
    small_print = _queries(client, url + "print/")
    _add_signups(shift, _bulk_people(120), ShiftSignupStatus.CONFIRMED)
    _add_signups(shift, _bulk_people(70), ShiftSignupStatus.WAITLISTED)
    assert ShiftSignup.objects.filter(shift=shift).count() == 200
    assert _queries(client, url) == small
    assert _queries(client, url + "roster.csv") == small_csv
    assert _queries(client, url + "print/") == small_print


def test_the_directory_query_count_is_flat(client: Client, coordinator: User, world) -> None:
    lead = make_role("Shift lead", is_qualification=True)
    client.force_login(coordinator)
    people = _bulk_people(10)
    Qualification.objects.bulk_create(
        Qualification(volunteer=p, role=lead, granted_on=date(2026, 11, 1)) for p in people
    )
    urls = [f"{BASE}/volunteers/", f"{BASE}/volunteers/?eligible_for={world['role'].pk}"]
    small = [_queries(client, url) for url in urls]
    more = _bulk_people(190)
    Qualification.objects.bulk_create(
        Qualification(volunteer=p, role=lead, granted_on=date(2026, 11, 1)) for p in more
    )
    assert [_queries(client, url) for url in urls] == small


def test_the_shift_list_query_count_is_flat(client: Client, coordinator: User, world) -> None:
    client.force_login(coordinator)
    urls = [
        f"{BASE}/shifts/",
        f"{BASE}/shifts/?view=week&week=2026-11-23",
        f"{BASE}/staffing-gaps/",
    ]
    small = [_queries(client, url) for url in urls]
    for n in range(30):
        make_shift(
            world["role"],
            location=world["location"],
            starts_at=datetime(2026, 11, 23, 14, 0, tzinfo=UTC) + timedelta(hours=5 * n),
        )
    assert [_queries(client, url) for url in urls] == small


def test_publish_a_draft_and_move_a_volunteer_with_an_override(
    client: Client, coordinator: User, world
) -> None:
    draft = make_shift(
        world["role"],
        location=world["location"],
        starts_at=datetime(2026, 11, 26, 15, 0, tzinfo=UTC),
        capacity=1,
        status=ShiftStatus.DRAFT,
    )
    client.force_login(coordinator)
    assert client.post(f"{BASE}/shifts/{draft.pk}/publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == ShiftStatus.PUBLISHED
    training = make_training("Hotline protocol")
    draft.role = make_role("Crisis text line", trainings=[training])
    draft.save()
    ana = ShiftSignup.objects.get(volunteer=world["ana"], shift=world["shift"])
    url = f"{BASE}/shift-signups/{ana.pk}/move/"
    page = client.get(url).content.decode()
    assert "not eligible: You have not completed Hotline protocol." in page
    response = client.post(url, {"to_shift": str(draft.pk)})
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"] == [
        "You have not completed Hotline protocol."
    ]
    response = client.post(url, {"to_shift": str(draft.pk), "override_reason": "Shadowing Ben"})
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/shifts/{draft.pk}/"
    moved = ShiftSignup.objects.get(volunteer=world["ana"], shift=draft)
    assert (moved.override_by, moved.override_reason) == (coordinator, "Shadowing Ben")
    # Ana's old place went to the first person waiting.
    assert ShiftSignup.objects.get(volunteer=world["cy"], shift=world["shift"]).status == (
        ShiftSignupStatus.CONFIRMED
    )


def test_the_daily_series_task_is_scheduled_and_idempotent(
    settings: Any, coordinator: User, world
) -> None:
    from volunteers.tasks import generate_all_series_task

    entry = settings.CELERY_BEAT_SCHEDULE["volunteers-generate-series"]
    assert entry["task"] == "volunteers.generate_all_series"
    series, shifts = services.create_series(
        role=world["role"],
        location=world["location"],
        rrule="FREQ=WEEKLY;BYDAY=MO",
        start_time=time(9, 0),
        duration=timedelta(hours=2),
        capacity=3,
        dtstart=date(2026, 11, 23),
        window_weeks=2,
        by=coordinator,
    )
    assert len(shifts) == 2
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        assert generate_all_series_task() == 1
        assert generate_all_series_task() == 0
    assert Shift.objects.filter(series=series).count() == 3


def test_absurd_dates_are_form_errors_not_500(client, coordinator):
    client.force_login(coordinator)
    week = client.get("/coordinator/volunteering/shifts/", {"view": "week", "week": "9999-12-31"})
    assert week.status_code == 200
    listed = client.get("/coordinator/volunteering/shifts/", {"date_to": "9999-12-31"})
    assert listed.status_code == 200
    assert "Enter a date before the year 2200." in listed.content.decode()


def test_with_many_volunteers_the_picker_searches_by_name(
    client: Client, coordinator: User, world, monkeypatch
) -> None:

    monkeypatch.setattr(roster_selectors, "PICKER_LIMIT", 3)
    shift = make_shift(world["role"], location=world["location"], capacity=5)
    _bulk_people(5)
    client.force_login(coordinator)
    url = f"{BASE}/shifts/{shift.pk}/"
    page = client.get(url).content.decode()
    assert "search for the person first" in page
    assert 'name="volunteer"' not in page
    found = client.get(url, {"find": "Souza"})
    assert [label for _pk, label in found.context["assign_form"].fields["volunteer"].choices][
        1:
    ] == ["Ana Souza \u2014 eligible"]
    nobody = client.get(url, {"find": "zzz"}).content.decode()
    assert "Nobody without a place matches" in nobody
    response = client.post(f"{url}assign/", {"volunteer": world["ana"].pk, "override_reason": ""})
    assert response.status_code == 302
    assert shift.signups.get(volunteer=world["ana"]).status == ShiftSignupStatus.CONFIRMED


def test_the_roster_search_query_count_is_flat(
    client: Client, coordinator: User, world, monkeypatch
) -> None:

    monkeypatch.setattr(roster_selectors, "PICKER_LIMIT", 3)
    shift = make_shift(world["role"], location=world["location"], capacity=500)
    client.force_login(coordinator)
    _bulk_people(10)
    url = f"{BASE}/shifts/{shift.pk}/?find=Bulk"
    small = _queries(client, url)
    _bulk_people(200)
    assert _queries(client, url) == small
