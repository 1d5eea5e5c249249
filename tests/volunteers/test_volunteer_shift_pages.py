"""The volunteers' shift pages: what they show, the POST flows, permissions, query counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from tests.factories import make_user
from tests.volunteers.factories import (
    make_location,
    make_record,
    make_role,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import (
    CalendarFeed,
    HoursEntry,
    HoursSource,
    HoursStatus,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    SwapOffer,
    SwapStatus,
    VolunteerRole,
)

pytestmark = pytest.mark.django_db

# 18:00-21:00 in New York (EST, UTC-5).
START = datetime(2099, 12, 1, 23, 0, tzinfo=UTC)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def flash(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


@pytest.fixture
def me(client: Client) -> User:
    person = make_volunteer(first_name="Ana", email="ana@example.org")
    client.force_login(person)
    return person


@pytest.fixture
def trained_role() -> VolunteerRole:
    return make_role("Crisis text line", trainings=[make_training("Trauma-informed care")])


def trained(role: VolunteerRole, person: User) -> User:
    for training in role.required_trainings.all():
        make_record(person, training, completed_on=date(2099, 1, 5))  # valid for the shifts
    return person


# ---------------------------------------------------------------- pages render


def test_every_page_renders_for_a_volunteer(client: Client, me: User) -> None:
    shift = make_shift(starts_at=START, notes="Bring a charger.")
    services.sign_up_for_shift(shift=shift, volunteer=me)
    home = page(client, "/volunteer/")
    for name in ("open_shifts", "my_schedule", "my_hours", "swap_offers", "calendar"):
        assert f'href="{reverse(f"volunteers:{name}")}"' in home
    listing = page(client, "/volunteer/shifts/")
    assert "Outreach" in listing
    assert "Tue 1 Dec 2099, 18:00\u201321:00</time> (United States (New York) Time)" in listing
    assert "4 of 5" in listing
    detail = page(client, f"/volunteer/shifts/{shift.pk}/")
    assert "Bring a charger." in detail
    assert "Community hall" in detail
    assert "You have a place." in detail
    assert "Tue 1 Dec 2099, 18:00\u201321:00</time> (United States (New York) Time)" in detail
    assert (
        "Check-in is open from Tue 1 Dec, 17:30 to Tue 1 Dec, 22:00 (United States (New York) Time)"
        in (detail)
    )
    schedule = page(client, "/volunteer/schedule/")
    assert "Outreach" in schedule
    assert "Confirmed" in schedule
    assert "No hours yet." in page(client, "/volunteer/hours/")
    assert "Nobody is offering a place at the moment." in page(client, "/volunteer/shifts/swaps/")
    calendar = page(client, "/volunteer/calendar/")
    feed = CalendarFeed.objects.get(volunteer=me)
    assert f"http://testserver/calendar/{feed.token}.ics" in calendar
    assert f"webcal://testserver/calendar/{feed.token}.ics" in calendar
    nav = page(client, "/volunteer/schedule/")
    assert 'href="/volunteer/schedule/" aria-current="page">My schedule</a>' in nav


def test_visitors_log_in_first_and_people_without_the_volunteer_role_are_refused(
    client: Client,
) -> None:
    shift = make_shift(starts_at=START)
    urls = [
        "/volunteer/shifts/",
        f"/volunteer/shifts/{shift.pk}/",
        "/volunteer/schedule/",
        "/volunteer/hours/",
        "/volunteer/shifts/swaps/",
        "/volunteer/calendar/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    client.force_login(make_user(roles=[Role.DONOR]))
    for url in urls:
        assert client.get(url).status_code == 403


def test_open_shifts_filter_by_role_location_and_days(client: Client, me: User) -> None:
    other_place = make_location("Library", time_zone="America/Chicago")
    late_role = VolunteerRole.objects.create(name="School outreach")
    make_shift(starts_at=START)
    make_shift(late_role, starts_at=START + timedelta(days=2), location=other_place)
    content = page(client, f"/volunteer/shifts/?role={late_role.pk}")
    assert "1 shift<" in content
    assert "School outreach" in content
    assert "Tue 1 Dec 2099" not in content
    assert "Thu 3 Dec 2099, 17:00\u201320:00</time> (United States (Chicago) Time)" in content
    content = page(client, f"/volunteer/shifts/?location={other_place.pk}")
    assert "1 shift<" in content
    content = page(client, "/volunteer/shifts/?day_from=2099-12-02&day_to=2099-12-31")
    assert "1 shift<" in content
    assert "School outreach" in content
    bad = page(client, "/volunteer/shifts/?day_from=2099-12-05&day_to=2099-12-01")
    assert "The last day must be on or after the first day." in bad
    assert "2 shifts<" in bad  # the bad filter is ignored, with the error shown
    partial = client.get(
        f"/volunteer/shifts/?role={late_role.pk}",
        headers={"HX-Request": "true", "HX-Target": "shift-results"},
    )
    assert partial.content.decode().startswith('<section id="shift-results"')


def test_open_shifts_show_why_i_cannot_sign_up(
    client: Client, me: User, trained_role: VolunteerRole
) -> None:
    make_shift(trained_role, starts_at=START)
    content = page(client, "/volunteer/shifts/")
    assert "You cannot sign up for this shift yet:" in content
    assert "Trauma-informed care" in content
    assert f"/volunteer/shifts/{Shift.objects.get().pk}/sign-up/" not in content


def test_a_draft_shift_is_not_found(client: Client, me: User) -> None:
    shift = make_shift(starts_at=START, status=ShiftStatus.DRAFT)
    assert client.get(f"/volunteer/shifts/{shift.pk}/").status_code == 404
    assert client.post(f"/volunteer/shifts/{shift.pk}/sign-up/").status_code == 404
    assert "0 shifts<" in page(client, "/volunteer/shifts/")


# ---------------------------------------------------------------- POST flows


def test_sign_up_then_full_then_waitlist_then_cancel_promotes(client: Client, me: User) -> None:
    shift = make_shift(starts_at=START, capacity=1)
    response = client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", follow=True)
    assert response.redirect_chain == [(f"/volunteer/shifts/{shift.pk}/", 302)]
    assert flash(response) == [
        "You have a place: Outreach on Tue 1 Dec 2099, 18:00\u201321:00 "
        "(United States (New York) Time). "
        "A confirmation is on its way."
    ]
    mine = ShiftSignup.objects.get(volunteer=me)
    assert mine.status == ShiftSignupStatus.CONFIRMED

    again = client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", follow=True)
    assert flash(again) == ["You already have a place on this shift."]

    other = make_volunteer(email="ben@example.org")
    other_client = Client()
    other_client.force_login(other)
    waiting = other_client.post(
        f"/volunteer/shifts/{shift.pk}/sign-up/", {"next": "/volunteer/shifts/"}, follow=True
    )
    assert waiting.redirect_chain == [("/volunteer/shifts/", 302)]
    assert flash(waiting) == ["The shift is full; you are number 1 on the waitlist."]
    theirs = ShiftSignup.objects.get(volunteer=other)
    assert theirs.status == ShiftSignupStatus.WAITLISTED
    assert "You are on the waitlist: number 1." in page(
        other_client, f"/volunteer/shifts/{shift.pk}/"
    )
    assert "Waitlist: number 1" in page(other_client, "/volunteer/schedule/")

    confirm = page(client, f"/volunteer/shifts/{shift.pk}/cancel/")
    assert "Cancel your place?" in confirm
    mine.refresh_from_db()
    assert mine.status == ShiftSignupStatus.CONFIRMED  # GET changes nothing
    cancelled = client.post(f"/volunteer/shifts/{shift.pk}/cancel/", follow=True)
    assert cancelled.redirect_chain == [("/volunteer/schedule/", 302)]
    assert flash(cancelled) == [
        "Your place is cancelled: Outreach on Tue 1 Dec 2099, 18:00\u201321:00 "
        "(United States (New York) Time). Thank you for letting us know."
    ]
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (
        ShiftSignupStatus.CANCELLED,
        ShiftSignupStatus.CONFIRMED,
    )
    nothing = client.post(f"/volunteer/shifts/{shift.pk}/cancel/", follow=True)
    assert flash(nothing) == ["You have no place on this shift to cancel."]


def test_leaving_the_waitlist(client: Client, me: User) -> None:
    shift = make_shift(starts_at=START, capacity=1)
    services.sign_up_for_shift(shift=shift, volunteer=make_volunteer())  # the one place
    client.post(f"/volunteer/shifts/{shift.pk}/sign-up/")
    assert ShiftSignup.objects.get(volunteer=me).status == ShiftSignupStatus.WAITLISTED
    assert "Leave the waitlist?" in page(client, f"/volunteer/shifts/{shift.pk}/cancel/")
    response = client.post(f"/volunteer/shifts/{shift.pk}/cancel/", follow=True)
    assert flash(response) == [
        "You have left the waitlist for Outreach on Tue 1 Dec 2099, 18:00\u201321:00 "
        "(United States (New York) Time)."
    ]
    assert ShiftSignup.objects.get(volunteer=me).status == ShiftSignupStatus.CANCELLED


def test_an_ineligible_sign_up_is_refused_with_the_reasons(
    client: Client, me: User, trained_role: VolunteerRole
) -> None:
    shift = make_shift(trained_role, starts_at=START)
    response = client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", follow=True)
    assert response.status_code == 200
    [message] = flash(response)
    assert message.startswith("You cannot sign up for this shift yet. ")
    assert "Trauma-informed care" in message
    assert not ShiftSignup.objects.exists()


def test_an_overlapping_sign_up_is_refused(client: Client, me: User) -> None:
    first = make_shift(starts_at=START)
    second = make_shift(starts_at=START + timedelta(hours=1), location=make_location("Library"))
    client.post(f"/volunteer/shifts/{first.pk}/sign-up/", follow=True)
    response = client.post(f"/volunteer/shifts/{second.pk}/sign-up/", follow=True)
    assert flash(response) == [
        "You already have a shift at that time: Outreach on Tue 1 Dec 2099, "
        "18:00\u201321:00 (United States (New York) Time)."
    ]
    assert ShiftSignup.objects.filter(shift=second).count() == 0


def test_offer_withdraw_and_accept_a_swap(
    client: Client, me: User, trained_role: VolunteerRole
) -> None:
    trained(trained_role, me)
    shift = make_shift(trained_role, starts_at=START, capacity=1)
    services.sign_up_for_shift(shift=shift, volunteer=me)
    mine = ShiftSignup.objects.get(volunteer=me)

    offered = client.post(
        f"/volunteer/shifts/{shift.pk}/offer/", {"note": "Family visit"}, follow=True
    )
    assert flash(offered) == [
        "Your place is offered to others. It stays yours, and you are expected, until "
        "someone takes it."
    ]
    offer = SwapOffer.objects.get()
    assert (offer.status, offer.note, offer.signup_id) == (SwapStatus.OPEN, "Family visit", mine.pk)
    assert "Offered to others" in page(client, "/volunteer/schedule/")
    withdrawn = client.post(f"/volunteer/shifts/swaps/{offer.pk}/withdraw/", follow=True)
    assert flash(withdrawn) == ["Your offer is withdrawn; the place stays yours."]
    offer.refresh_from_db()
    assert offer.status == SwapStatus.WITHDRAWN

    client.post(f"/volunteer/shifts/{shift.pk}/offer/")
    offer = SwapOffer.objects.get(status=SwapStatus.OPEN)

    untrained = make_volunteer(email="cy@example.org")
    untrained_client = Client()
    untrained_client.force_login(untrained)
    listing = page(untrained_client, "/volunteer/shifts/swaps/")
    assert "You cannot take this place yet:" in listing
    refused = untrained_client.post(f"/volunteer/shifts/swaps/{offer.pk}/accept/", follow=True)
    assert refused.redirect_chain == [("/volunteer/shifts/swaps/", 302)]
    [message] = flash(refused)
    assert message.startswith("You cannot take this shift. ")
    offer.refresh_from_db()
    assert offer.status == SwapStatus.OPEN

    taker = trained(trained_role, make_volunteer(email="dee@example.org"))
    taker_client = Client()
    taker_client.force_login(taker)
    listing = page(taker_client, "/volunteer/shifts/swaps/")
    assert "Take this place" in listing
    assert "Ana" in listing
    taken = taker_client.post(f"/volunteer/shifts/swaps/{offer.pk}/accept/", follow=True)
    assert taken.redirect_chain == [(f"/volunteer/shifts/{shift.pk}/", 302)]
    assert flash(taken) == [
        "The place is yours: Crisis text line on Tue 1 Dec 2099, 18:00\u201321:00 "
        "(United States (New York) Time). A confirmation is on its way."
    ]
    offer.refresh_from_db()
    mine.refresh_from_db()
    assert offer.status == SwapStatus.ACCEPTED
    assert mine.status == ShiftSignupStatus.CANCELLED
    assert ShiftSignup.objects.get(volunteer=taker).status == ShiftSignupStatus.CONFIRMED


# ---------------------------------------------------------------- check-in


@contextmanager
def logged_in_at(client: Client, person: User, moment: datetime) -> Iterator[None]:
    """At ``moment``, logged in then (a session made today has expired by 2099)."""
    with at(moment):
        client.force_login(person)
        yield


@pytest.fixture
def booked(me: User) -> Shift:
    with at(START - timedelta(days=3)):
        shift = make_shift(starts_at=START)
        services.sign_up_for_shift(shift=shift, volunteer=me)
    return shift


def test_check_in_and_out_by_the_link(client: Client, me: User, booked: Shift) -> None:
    url = reverse("volunteers:shift_check_in", args=[booked.pk, booked.check_in_code])
    with logged_in_at(client, me, START - timedelta(minutes=10)):
        assert "Check in now" in page(client, url)
        response = client.post(url, {"action": "in"}, follow=True)
    assert flash(response) == ["You are checked in. Have a good shift!"]
    signup = ShiftSignup.objects.get(volunteer=me)
    assert (signup.status, signup.check_in_at) == (
        ShiftSignupStatus.ATTENDED,
        START - timedelta(minutes=10),
    )
    with logged_in_at(client, me, START + timedelta(hours=3)):
        assert "Check out" in page(client, url)
        response = client.post(url, {"action": "out"}, follow=True)
        detail = page(client, f"/volunteer/shifts/{booked.pk}/")
    assert flash(response) == ["You have checked out. Thank you! Your hours are recorded."]
    assert "You have checked in and out of this shift. Thank you!" in detail
    assert "Checked in at 17:50 (United States (New York) Time), checked out at 21:00." in detail
    entry = HoursEntry.objects.get()
    assert (entry.minutes, entry.status) == (190, HoursStatus.APPROVED)


def test_check_in_from_the_shift_page_with_the_pasted_link(
    client: Client, me: User, booked: Shift
) -> None:
    link = "https://example.org" + reverse(
        "volunteers:shift_check_in", args=[booked.pk, booked.check_in_code]
    )
    with logged_in_at(client, me, START):
        assert "Check-in code or link" in page(client, f"/volunteer/shifts/{booked.pk}/")
        response = client.post(
            f"/volunteer/shifts/{booked.pk}/check-in/", {"code": link, "action": "in"}, follow=True
        )
    assert flash(response) == ["You are checked in. Have a good shift!"]
    assert ShiftSignup.objects.get(volunteer=me).status == ShiftSignupStatus.ATTENDED


def test_the_code_of_another_shift_is_refused(client: Client, me: User, booked: Shift) -> None:
    other = make_shift(starts_at=START, location=make_location("Library"))
    url = reverse("volunteers:shift_check_in", args=[booked.pk, other.check_in_code])
    message = "This check-in code is not for this shift. Scan the code shown where your shift is."
    with logged_in_at(client, me, START):
        response = client.get(url)
        assert response.status_code == 403
        assert message in response.content.decode()
        posted = client.post(url, {"action": "in"})
        assert posted.status_code == 403
        typed = client.post(
            f"/volunteer/shifts/{booked.pk}/check-in/",
            {"code": other.check_in_code, "action": "in"},
            follow=True,
        )
    assert flash(typed) == [message]
    signup = ShiftSignup.objects.get(volunteer=me)
    assert (signup.status, signup.check_in_at) == (ShiftSignupStatus.CONFIRMED, None)


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (
            START - timedelta(minutes=31),
            "Check-in opens at 17:30 (United States (New York) Time), 30 minutes before the shift.",
        ),
        (
            START + timedelta(hours=4, minutes=1),
            "Check-in for this shift has closed. Ask the coordinator to record your attendance.",
        ),
    ],
)
def test_a_code_outside_the_window_is_refused(
    client: Client, me: User, booked: Shift, moment: datetime, message: str
) -> None:
    url = reverse("volunteers:shift_check_in", args=[booked.pk, booked.check_in_code])
    with logged_in_at(client, me, moment):
        response = client.get(url)
        assert response.status_code == 403
        assert message in response.content.decode()
        assert client.post(url, {"action": "in"}).status_code == 403
        typed = client.post(
            f"/volunteer/shifts/{booked.pk}/check-in/",
            {"code": booked.check_in_code, "action": "in"},
            follow=True,
        )
    assert flash(typed) == [message]
    assert ShiftSignup.objects.get(volunteer=me).check_in_at is None


def test_someone_without_a_place_cannot_check_in(client: Client, booked: Shift) -> None:
    stranger = make_volunteer(email="eve@example.org")
    url = reverse("volunteers:shift_check_in", args=[booked.pk, booked.check_in_code])
    with logged_in_at(client, stranger, START):
        assert "You do not have a place on this shift." in page(client, url)
        response = client.post(url, {"action": "in"}, follow=True)
    assert flash(response) == ["You do not have a place on this shift."]
    assert not ShiftSignup.objects.filter(volunteer=stranger).exists()


# ---------------------------------------------------------------- permissions


def test_a_volunteer_sees_only_their_own_schedule_hours_and_feed(client: Client, me: User) -> None:
    other = make_volunteer(email="zed@example.org", first_name="Zed")
    secret_role = VolunteerRole.objects.create(name="Secret outreach")
    shift = make_shift(secret_role, starts_at=START)
    services.sign_up_for_shift(shift=shift, volunteer=other)
    with at(datetime(2026, 3, 2, 15, tzinfo=UTC)):
        services.add_manual_hours(
            volunteer=other,
            role=secret_role,
            starts_at=datetime(2026, 3, 1, 14, tzinfo=UTC),
            ends_at=datetime(2026, 3, 1, 16, tzinfo=UTC),
            by=other,
            note="Zed folded leaflets",
        )
    other_feed = services.calendar_feed_for(volunteer=other)
    for url in (
        "/volunteer/schedule/",
        f"/volunteer/schedule/?volunteer={other.pk}",
        "/volunteer/hours/",
        f"/volunteer/hours/?volunteer={other.pk}&user={other.pk}",
        "/volunteer/calendar/",
        f"/volunteer/calendar/?volunteer={other.pk}",
    ):
        content = page(client, url)
        assert f"/volunteer/shifts/{shift.pk}/" not in content
        assert "Zed folded leaflets" not in content
        assert other_feed.token not in content
    mine = CalendarFeed.objects.get(volunteer=me)
    assert mine.token != other_feed.token
    # URL guessing with ids of someone else's things.
    offer = services.offer_swap(signup=ShiftSignup.objects.get(volunteer=other), by=other)
    assert client.post(f"/volunteer/shifts/swaps/{offer.pk}/withdraw/").status_code == 404
    offer.refresh_from_db()
    assert offer.status == SwapStatus.OPEN
    response = client.post(f"/volunteer/shifts/{shift.pk}/cancel/", follow=True)
    assert flash(response) == ["You have no place on this shift to cancel."]
    response = client.post(f"/volunteer/shifts/{shift.pk}/offer/", follow=True)
    assert flash(response) == ["You have no place on this shift to offer."]
    assert ShiftSignup.objects.get(volunteer=other).status == ShiftSignupStatus.CONFIRMED
    for path in ("/volunteer/schedule/1/", f"/volunteer/hours/{other.pk}/"):
        assert client.get(path).status_code == 404


def test_the_feed_needs_the_current_token(client: Client, me: User) -> None:
    shift = make_shift(starts_at=START)
    services.sign_up_for_shift(shift=shift, volunteer=me)
    old = services.calendar_feed_for(volunteer=me).token
    anonymous = Client()
    response = anonymous.get(f"/calendar/{old}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert "DTSTART;TZID=America/New_York:20991201T180000" in body
    assert "SUMMARY:Outreach" in body
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    assert anonymous.get(f"/calendar/{old[:-1]}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{'x' * 80}.ics").status_code == 404

    reset = client.post("/volunteer/calendar/reset/", follow=True)
    assert flash(reset) == [
        "Your calendar has a new address. The old one no longer works: add the new one to "
        "your calendar app."
    ]
    new = CalendarFeed.objects.get(volunteer=me).token
    assert new != old
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 200
    assert client.get("/volunteer/calendar/reset/").status_code == 405


def test_the_feed_of_a_deactivated_account_is_gone(me: User) -> None:
    token = services.calendar_feed_for(volunteer=me).token
    User.objects.filter(pk=me.pk).update(is_active=False)
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


# ---------------------------------------------------------------- manual hours (acceptance 6)

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def hours_form(chosen: VolunteerRole, **fields: str) -> dict[str, str]:
    return {"role": str(chosen.pk), "day": "2026-03-09", "start": "10:00", "end": "12:30"} | fields


@pytest.fixture
def role() -> VolunteerRole:
    return VolunteerRole.objects.create(name="Leaflets")


def test_manual_hours_wait_for_approval(client: Client, me: User, role: VolunteerRole) -> None:
    with at(NOW):
        response = client.post("/volunteer/hours/", hours_form(role, note="Folded"), follow=True)
    assert response.redirect_chain == [("/volunteer/hours/", 302)]
    assert flash(response) == ["Thank you. Your hours are recorded and wait for a coordinator."]
    entry = HoursEntry.objects.get()
    assert (entry.minutes, entry.status, entry.source, entry.note, entry.date) == (
        150,
        HoursStatus.PENDING,
        HoursSource.MANUAL,
        "Folded",
        date(2026, 3, 9),
    )
    # The volunteer's zone (America/New_York by default): 10:00 EDT is 14:00 UTC.
    assert entry.starts_at == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    content = response.content.decode()
    assert "Awaiting approval" in content
    assert "2 h 30 min" in content
    assert "Mon 9 Mar 2026, 10:00\u201312:30</time> (United States (New York) Time)" in content


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"start": "12:00", "end": "10:00"},
            "end",
            "The end must be after the start. For work past midnight, add a second entry "
            "for the next day.",
        ),
        (
            {"start": "10:00", "end": "10:00"},
            "end",
            "The end must be after the start. For work past midnight, add a second entry "
            "for the next day.",
        ),
        (
            {"day": "2026-03-11"},
            "end",
            "Hours can only be entered once they are worked.",
        ),
        ({"start": "25:00"}, "start", "Enter a valid time."),
        ({"day": "yesterday"}, "day", "Enter a valid date."),
        ({"role": "999999"}, "role", None),
    ],
)
def test_bad_manual_hours_get_a_form_error(
    client: Client,
    me: User,
    role: VolunteerRole,
    fields: dict[str, str],
    field: str,
    message: str | None,
) -> None:
    with at(NOW):
        response = client.post("/volunteer/hours/", hours_form(role, **fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message is not None:
        assert errors[field] == [message]
        assert message in response.content.decode()
    assert not HoursEntry.objects.exists()


def test_overlapping_manual_hours_get_a_form_error(
    client: Client, me: User, role: VolunteerRole
) -> None:
    with at(NOW):
        client.post("/volunteer/hours/", hours_form(role))
        response = client.post("/volunteer/hours/", hours_form(role, start="12:00", end="13:00"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "start": [
            "These hours overlap hours already recorded: Leaflets, "
            "Mon 9 Mar 2026, 10:00\u201312:30 (United States (New York) Time)."
        ]
    }
    assert HoursEntry.objects.count() == 1


def test_hours_totals_per_role_and_month(client: Client, me: User, role: VolunteerRole) -> None:
    other_role = VolunteerRole.objects.create(name="Office")
    with at(NOW):
        client.post("/volunteer/hours/", hours_form(role))
        client.post("/volunteer/hours/", hours_form(other_role, day="2026-02-02"))
    HoursEntry.objects.filter(role=other_role).update(status=HoursStatus.APPROVED)
    content = page(client, "/volunteer/hours/")
    assert "2 h 30 min approved in all." in content
    assert '<th scope="row">March 2026</th><td>Leaflets</td><td>0 min</td><td>2 h 30 min</td>' in (
        content
    )
    assert '<th scope="row">February 2026</th><td>Office</td><td>2 h 30 min</td><td>—</td>' in (
        content
    )


# ---------------------------------------------------------------- query counts (acceptance 4)


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def shifts_in_a_row(count: int, role: VolunteerRole, start: datetime) -> list[Shift]:
    location = make_location()
    return Shift.objects.bulk_create(
        Shift(
            role=role,
            location=location,
            starts_at=start + timedelta(hours=4 * i),
            ends_at=start + timedelta(hours=4 * i + 3),
            capacity=2,
            status=ShiftStatus.PUBLISHED,
        )
        for i in range(count)
    )


def book(volunteer: User, shifts: list[Shift], status: Callable[[int], str]) -> None:
    ShiftSignup.objects.bulk_create(
        ShiftSignup(shift=s, volunteer=volunteer, status=status(i), joined_at=timezone.now())
        for i, s in enumerate(shifts)
    )


def world(size: int, role: VolunteerRole, me: User, other: User) -> None:
    """``size`` shifts to come (mine: confirmed and waitlisted; some offered by ``other``)
    and ``size`` past ones (attended, no-show, not recorded) with hours."""
    HoursEntry.objects.all().delete()
    ShiftSignup.objects.all().delete()
    Shift.objects.all().delete()
    upcoming = shifts_in_a_row(size, role, START)
    book(me, upcoming, lambda i: ["confirmed", "waitlisted"][i % 2])
    book(other, upcoming[1::2], lambda i: "confirmed")
    SwapOffer.objects.bulk_create(
        SwapOffer(signup=signup) for signup in ShiftSignup.objects.filter(volunteer=other)
    )
    past = shifts_in_a_row(size, role, timezone.now() - timedelta(days=200))
    book(me, past, lambda i: ["attended", "no_show", "confirmed"][i % 3])
    HoursEntry.objects.bulk_create(
        HoursEntry(
            volunteer=me,
            shift=s,
            role=role,
            date=s.starts_at.date(),
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            minutes=180,
            source=HoursSource.DERIVED,
            status=[HoursStatus.APPROVED, HoursStatus.PENDING][i % 2],
        )
        for i, s in enumerate(past)
    )


@pytest.mark.parametrize(
    "url",
    ["/volunteer/shifts/", "/volunteer/schedule/", "/volunteer/hours/", "/volunteer/shifts/swaps/"],
)
def test_pages_cost_the_same_queries_with_10_and_200_rows(
    client: Client, me: User, trained_role: VolunteerRole, url: str
) -> None:
    trained(trained_role, me)
    other = trained(trained_role, make_volunteer(email="other@example.org"))
    world(10, trained_role, me, other)
    small = count_queries(client, url)
    world(200, trained_role, me, other)
    assert count_queries(client, url) == small


def test_the_feed_costs_the_same_queries_with_10_and_200_shifts(
    me: User, trained_role: VolunteerRole
) -> None:
    token = services.calendar_feed_for(volunteer=me).token
    client = Client()
    other = make_volunteer(email="other@example.org")
    world(10, trained_role, me, other)
    small = count_queries(client, f"/calendar/{token}.ics")
    assert client.get(f"/calendar/{token}.ics").content.decode().count("BEGIN:VEVENT") == 5
    world(200, trained_role, me, other)
    response = client.get(f"/calendar/{token}.ics")
    assert response.content.decode().count("BEGIN:VEVENT") == 100  # confirmed, to come
    assert count_queries(client, f"/calendar/{token}.ics") == small


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Crisis text line (remote)", "Crisis text line (remote)"),
        ("Remote hotline", "Remote hotline"),
        ("Text line", "Text line (remote)"),
    ],
)
def test_a_remote_location_is_marked_remote_once(
    client: Client, me: User, coordinator: User, name: str, shown: str
) -> None:
    shift = make_shift(
        starts_at=START, location=make_location(name, time_zone="UTC", is_remote=True)
    )
    for html in (
        page(client, f"/volunteer/shifts/{shift.pk}/"),
        page(client, "/volunteer/shifts/"),
    ):
        text = " ".join(html.split())
        assert f"<dd>{shown}<" in text
        assert "(remote) (remote)" not in text
    client.force_login(coordinator)
    roster = " ".join(page(client, f"/coordinator/volunteering/shifts/{shift.pk}/").split())
    assert f"<dd>{shown}, 12 Main St</dd>" in roster
    assert "(remote) (remote)" not in roster
