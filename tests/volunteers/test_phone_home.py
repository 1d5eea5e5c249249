"""The volunteer's home on a phone: the exact next shift across zones, the training that
opens a wanted role, and a query count that does not grow with the volunteer's history."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.volunteers.factories import (
    make_clearance_type,
    make_location,
    make_record,
    make_role,
    make_session,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers.models import (
    SessionSignup,
    ShiftSignup,
    ShiftSignupStatus,
    SignupStatus,
    VolunteerProfile,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2099, 12, 1, 12, 0, tzinfo=UTC)


def home(client: Client) -> str:
    response = client.get(reverse("volunteers:home"))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert match, f"no section {section_id}"
    return match.group(0)


def place(shift, person: User, status: str = ShiftSignupStatus.CONFIRMED) -> ShiftSignup:
    return ShiftSignup.objects.create(shift=shift, volunteer=person, status=status, joined_at=NOW)


@pytest.fixture
def me(client: Client) -> User:
    person = make_volunteer(first_name="Ana", email="ana@example.org", time_zone="Europe/London")
    with time_machine.travel(NOW, tick=False):  # a session valid at that moment
        client.force_login(person)
    return person


def test_the_next_shift_is_the_soonest_in_real_time_shown_in_my_zone(
    client: Client, me: User
) -> None:
    berlin = make_location("Berlin office", time_zone="Europe/Berlin")
    los_angeles = make_location("LA office", time_zone="America/Los_Angeles")
    # 17:00 local in Los Angeles (01:00 UTC on the 2nd): earlier on the wall clock, later in time.
    west = make_shift(
        make_role("West coast line"),
        location=los_angeles,
        starts_at=datetime(2099, 12, 2, 1, 0, tzinfo=UTC),
    )
    # 21:00 local in Berlin (20:00 UTC, 20:00 in London): the real next one.
    east = make_shift(
        make_role("Berlin line"),
        location=berlin,
        starts_at=datetime(2099, 12, 1, 20, 0, tzinfo=UTC),
    )
    # Sooner, but not mine to do: waitlisted, cancelled, or someone else's place.
    waiting = make_shift(
        make_role("Waiting line"),
        location=berlin,
        starts_at=datetime(2099, 12, 1, 14, 0, tzinfo=UTC),
    )
    dropped = make_shift(
        make_role("Dropped line"),
        location=berlin,
        starts_at=datetime(2099, 12, 1, 15, 0, tzinfo=UTC),
    )
    theirs = make_shift(
        make_role("Their line"), location=berlin, starts_at=datetime(2099, 12, 1, 13, 0, tzinfo=UTC)
    )
    # Ended an hour ago.
    over = make_shift(
        make_role("Morning line"),
        location=berlin,
        starts_at=datetime(2099, 12, 1, 8, 0, tzinfo=UTC),
    )
    for shift in (west, east, over):
        place(shift, me)
    place(waiting, me, ShiftSignupStatus.WAITLISTED)
    place(dropped, me, ShiftSignupStatus.CANCELLED)
    place(theirs, make_volunteer())

    with time_machine.travel(NOW, tick=False):
        card = section(home(client), "next-shift")

    assert "Berlin line" in card
    for other in ("West coast line", "Waiting line", "Dropped line", "Their line", "Morning line"):
        assert other not in card
    # In my zone (London, UTC+0 in December) first, then the shift's own zone, named.
    assert "Tue 1 Dec 2099, 20:00\u201323:00" in card
    assert "Germany (Berlin) Time" in card
    assert (
        "Tue 1 Dec 2099, 21:00\u201300:00" not in card
    )  # not a same-day range: it ends on the 2nd
    assert "Wed 2 Dec 2099, 00:00" in card
    assert reverse("volunteers:shift_detail", args=[east.pk]) in card
    assert "Check in" not in card  # the window opens 30 minutes before


def test_the_check_in_button_shows_once_the_window_is_open(client: Client, me: User) -> None:
    london = make_location("London office", time_zone="Europe/London")
    shift = make_shift(
        make_role("Day line"), location=london, starts_at=datetime(2099, 12, 1, 12, 20, tzinfo=UTC)
    )
    place(shift, me)
    with time_machine.travel(NOW, tick=False):
        card = section(home(client), "next-shift")
    assert "Check in" in card
    assert "Europe/London" not in card  # the same zone as mine: not named twice
    assert "Tue 1 Dec 2099, 12:20\u201315:20" in card


def test_the_suggested_training_is_the_one_that_opens_a_wanted_role(
    client: Client, me: User
) -> None:
    safeguarding = make_training("Child safeguarding")
    speaking = make_training("Public speaking")
    care = make_training("Trauma-informed care")
    first_aid = make_training("First aid")
    make_record(me, first_aid, completed_on=date(2099, 6, 1))
    outreach = make_role("Child outreach", trainings=[safeguarding, first_aid])
    talks = make_role("Art talks", trainings=[speaking], clearance_types=[make_clearance_type()])
    make_role("Crisis text line", trainings=[care])  # not wanted
    VolunteerProfile.objects.get(user=me).wanted_roles.set([talks, outreach])

    def session(training, day: int, **fields):
        return make_session(
            training, starts_at=datetime(2099, 12, day, 17, 0, tzinfo=UTC), **fields
        )

    session(first_aid, 2)  # held already: never suggested
    session(care, 3)  # opens a role nobody asked for
    session(speaking, 4)  # helps Art talks, which still needs a clearance after it
    full = session(safeguarding, 5, capacity=1)
    SessionSignup.objects.create(
        session=full, volunteer=make_volunteer(), status=SignupStatus.CONFIRMED
    )
    session(safeguarding, 6, cancelled=True)
    opens = session(safeguarding, 8)
    session(safeguarding, 9)

    with time_machine.travel(NOW, tick=False):
        html = section(home(client), "role-actions")

    suggested = re.search(r'<li class="suggested">.*?</li>', html, re.S)
    assert suggested is not None
    assert f'data-session="{opens.pk}"' in suggested.group(0)
    assert "Book Child safeguarding on 8 Dec" in suggested.group(0)
    assert "This opens Child outreach to you." in suggested.group(0)
    assert html.count('class="suggested"') == 1
    # Art talks gets its own (secondary) action, and nothing for roles not wanted.
    assert "Book Public speaking on 4 Dec" in html
    assert "Trauma-informed care" not in html and "First aid" not in html
    assert html.index("Child outreach") < html.index("Art talks")


def test_a_booked_session_is_not_suggested_again(client: Client, me: User) -> None:
    safeguarding = make_training("Child safeguarding")
    outreach = make_role("Child outreach", trainings=[safeguarding])
    VolunteerProfile.objects.get(user=me).wanted_roles.set([outreach])
    booked = make_session(safeguarding, starts_at=datetime(2099, 12, 5, 17, tzinfo=UTC))
    later = make_session(safeguarding, starts_at=datetime(2099, 12, 7, 17, tzinfo=UTC))
    SessionSignup.objects.create(session=booked, volunteer=me, status=SignupStatus.CONFIRMED)
    with time_machine.travel(NOW, tick=False):
        html = section(home(client), "role-actions")
    assert f'data-session="{later.pk}"' in html
    assert f'data-session="{booked.pk}"' not in html


def _history(me: User, indexes: range) -> None:
    """Past attended places and future confirmed ones, and a free shift beside each."""
    role = make_role("Outreach") if not indexes.start else None
    location = make_location("Hall", time_zone="America/New_York")
    for index in indexes:
        start = NOW + timedelta(days=((index % 2 and 1) or -1) * (index + 1), hours=2)
        shift = make_shift(role, location=location, starts_at=start)
        status = ShiftSignupStatus.ATTENDED if start < NOW else ShiftSignupStatus.CONFIRMED
        place(shift, me, status)
        make_shift(shift.role, location=location, starts_at=start + timedelta(hours=4))


def test_the_home_takes_the_same_queries_at_5_and_200_signups(client: Client, me: User) -> None:
    training = make_training("Child safeguarding")
    wanted = make_role("Child outreach", trainings=[training])
    VolunteerProfile.objects.get(user=me).wanted_roles.set([wanted])
    make_session(training, starts_at=NOW + timedelta(days=3))
    counts = []
    for indexes in (range(5), range(5, 200)):
        _history(me, indexes)
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            html = home(client)
        assert "Your next shift" in html and "Open shifts for you" in html
        assert "Book Child safeguarding" in html
        counts.append(len(queries))
    assert ShiftSignup.objects.filter(volunteer=me).count() == 200
    assert counts[0] == counts[1], counts


def test_the_trainings_page_leaves_out_what_i_hold_and_marks_what_opens_a_role(
    client: Client, me: User
) -> None:
    first_aid = make_training("First aid", validity_months=24)
    safeguarding = make_training("Child safeguarding")
    make_record(me, first_aid, completed_on=date(2099, 6, 1))  # valid until mid-2101
    outreach = make_role("Child outreach", trainings=[safeguarding])
    VolunteerProfile.objects.get(user=me).wanted_roles.set([outreach])
    held = make_session(first_aid, starts_at=datetime(2099, 12, 3, 17, tzinfo=UTC))
    renewal = make_session(first_aid, starts_at=datetime(2101, 5, 1, 17, tzinfo=UTC))
    opens = make_session(safeguarding, starts_at=datetime(2099, 12, 8, 17, tzinfo=UTC))
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("volunteers:my_trainings")).content.decode()
    sessions = html[html.index('id="sessions-title"') :]
    assert reverse("volunteers:session_sign_up", args=[held.pk]) not in sessions
    assert reverse("volunteers:session_sign_up", args=[renewal.pk]) in sessions
    assert reverse("volunteers:session_sign_up", args=[opens.pk]) in sessions
    assert sessions.count("Opens Child outreach for you") == 1
    marked = sessions[sessions.index("Opens Child outreach for you") :]
    assert reverse("volunteers:session_sign_up", args=[opens.pk]) in marked[:2500]


def test_open_shifts_for_me_follow_my_days_hours_and_time_away(client: Client, me: User) -> None:
    london = make_location("London office", time_zone="Europe/London")
    new_york = make_location("New York office", time_zone="America/New_York")
    role = make_role("Outreach")

    def shift(day: int, hour: int, location=london, name: str = ""):
        return make_shift(
            role, location=location, starts_at=datetime(2099, 12, day, hour, tzinfo=UTC)
        )

    shift(5, 18)  # Saturday
    shift(8, 9)  # Tuesday morning
    shift(10, 18)  # Thursday, while away
    tuesday = shift(8, 18)
    wednesday_ny = shift(9, 18, new_york)  # 13:00 in New York, 18:00 in London
    monday = shift(14, 19)
    shift(15, 18)  # a fourth that fits: beyond the three suggested
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("volunteers:availability"),
            {
                "action": "hours",
                "days": ["0", "1", "2", "3", "4"],
                "starts": "17:00",
                "ends": "22:00",
            },
        )
        assert response.status_code == 302
        client.post(
            reverse("volunteers:availability"),
            {"action": "away", "first_day": "2099-12-10", "last_day": "2099-12-12"},
        )
        html = section(home(client), "suggested-shifts")
    links = re.findall(r'href="/volunteer/shifts/(\d+)/"', html)
    assert links == [str(tuesday.pk), str(wednesday_ny.pk), str(monday.pk)]


def test_the_availability_form_says_what_to_fix(client: Client, me: User) -> None:
    url = reverse("volunteers:availability")
    with time_machine.travel(NOW, tick=False):
        bad = client.post(url, {"action": "hours", "starts": "22:00", "ends": "17:00"})
        assert bad.status_code == 200
        assert "The end must be after the start." in bad.content.decode()
        past = client.post(
            url, {"action": "away", "first_day": "2099-11-01", "last_day": "2099-11-02"}
        )
        assert "These days are over already." in past.content.decode()
        backwards = client.post(
            url, {"action": "away", "first_day": "2099-12-09", "last_day": "2099-12-02"}
        )
        assert "The last day cannot be before the first." in backwards.content.decode()
    profile = VolunteerProfile.objects.get(user=me)
    assert (profile.available_from, profile.available_until) == (None, None)
    assert not me.away_periods.exists()
