"""Coordinators edit and cancel training sessions; several-day sessions show their end date."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from tests.volunteers.factories import make_session, make_training, make_volunteer
from volunteers import services
from volunteers.models import SessionSignup, SignupStatus, TrainingSession
from volunteers.services import VolunteeringError

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"
# 18:00-21:00 in New York (EDT, UTC-4) on Tuesday 15 July 2031.
START = datetime(2031, 7, 15, 22, 0, tzinfo=UTC)


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _statuses(session: TrainingSession) -> dict[str, str]:
    return dict(
        SessionSignup.objects.filter(session=session).values_list("volunteer__first_name", "status")
    )


def _edit_data(**overrides: str) -> dict[str, str]:
    data = {
        "day": "2031-07-15",
        "start_time": "18:00",
        "end_time": "21:00",
        "end_date": "",
        "time_zone": "America/New_York",
        "place": "Community hall, room 2",
        "online_url": "",
        "trainer": "Dr. Reyes",
        "capacity": "2",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def full(db: None) -> dict[str, Any]:
    """Tue 15 Jul 2031 in New York, two places taken (Ana, Ben), two waiting (Cai, Dee)."""
    training = make_training(validity_months=12)
    session = make_session(training, starts_at=START, capacity=2, trainer="Dr. Reyes")
    people = [
        make_volunteer(first_name=name, last_name="Test", email=f"{name.lower()}.test@example.org")
        for name in ("Ana", "Ben", "Cai", "Dee")
    ]
    for person in people:
        services.sign_up_for_session(session=session, volunteer=person)
    return {"training": training, "session": session, "people": people}


def _start(session: TrainingSession, at: datetime, hours: int = 3) -> None:
    """Move a session in time without the service (e.g. into the past)."""
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=at, ends_at=at + timedelta(hours=hours)
    )
    session.refresh_from_db()


# Editing


def test_the_roster_links_to_the_edit_page_which_shows_local_times(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    client.force_login(coordinator)
    roster = client.get(f"{BASE}/sessions/{session.pk}/").content.decode()
    assert f'href="{BASE}/sessions/{session.pk}/edit/"' in roster
    assert f'href="{BASE}/sessions/{session.pk}/cancel/"' in roster
    response = client.get(f"{BASE}/sessions/{session.pk}/edit/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["day"].value() == date(2031, 7, 15)
    assert form["start_time"].value() == time(18, 0)
    assert form["end_time"].value() == time(21, 0)
    assert form["end_date"].value() is None
    assert form["time_zone"].value() == "America/New_York"
    assert form["capacity"].value() == 2
    assert form["trainer"].value() == "Dr. Reyes"
    assert "Edit session of Trauma-informed care" in response.content.decode()


def test_a_coordinator_changes_time_place_trainer_and_notes(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    client.force_login(coordinator)
    data = _edit_data(
        day="2031-07-16",
        start_time="09:30",
        end_time="12:00",
        place="Library, room 4",
        online_url="meet.example.org/abc",
        trainer="Sam Okafor",
        notes="Bring ID",
    )
    response = client.post(f"{BASE}/sessions/{session.pk}/edit/", data, follow=True)
    assert response.redirect_chain == [(f"{BASE}/sessions/{session.pk}/", 302)]
    assert _messages(response) == ["Session of Trauma-informed care on 16 Jul 2031 saved."]
    session.refresh_from_db()
    assert session.starts_at == datetime(2031, 7, 16, 13, 30, tzinfo=UTC)
    assert session.ends_at == datetime(2031, 7, 16, 16, 0, tzinfo=UTC)
    assert session.place == "Library, room 4"
    assert session.online_url == "https://meet.example.org/abc"
    assert session.trainer == "Sam Okafor"
    assert session.notes == "Bring ID"
    assert session.capacity == 2
    assert _statuses(session) == {
        "Ana": SignupStatus.CONFIRMED,
        "Ben": SignupStatus.CONFIRMED,
        "Cai": SignupStatus.WAITLISTED,
        "Dee": SignupStatus.WAITLISTED,
    }


def test_more_places_go_to_the_waitlist_in_order(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/sessions/{session.pk}/edit/", _edit_data(capacity="3"), follow=True
    )
    assert _messages(response) == [
        "Session of Trauma-informed care on 15 Jul 2031 saved. "
        "1 person moved from the waitlist: Cai Test."
    ]
    assert _statuses(session)["Cai"] == SignupStatus.CONFIRMED
    assert _statuses(session)["Dee"] == SignupStatus.WAITLISTED

    response = client.post(
        f"{BASE}/sessions/{session.pk}/edit/", _edit_data(capacity="10"), follow=True
    )
    assert _messages(response) == [
        "Session of Trauma-informed care on 15 Jul 2031 saved. "
        "1 person moved from the waitlist: Dee Test."
    ]
    assert "4 of 10 taken" in response.content.decode()


def test_two_new_places_move_two_people_up(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/sessions/{session.pk}/edit/", _edit_data(capacity="5"), follow=True
    )
    assert _messages(response) == [
        "Session of Trauma-informed care on 15 Jul 2031 saved. "
        "2 people moved from the waitlist: Cai Test, Dee Test."
    ]
    assert set(_statuses(session).values()) == {SignupStatus.CONFIRMED}
    assert response.context["roster"].waitlist == []


def test_fewer_places_than_people_booked_is_refused(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/sessions/{session.pk}/edit/", _edit_data(capacity="1", place="Elsewhere")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "capacity": [
            "2 people already have a place, so the session needs at least 2 places. "
            "Cancel places on the roster first."
        ]
    }
    session.refresh_from_db()
    assert (session.capacity, session.place) == (2, "Community hall, room 2")


def test_people_who_attended_or_did_not_come_still_hold_places(
    coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    _start(session, timezone.now() - timedelta(hours=1))
    ana, _, cai, _ = full["people"]
    services.mark_session_attendance(session=session, attended=[ana.pk], by=coordinator)
    # A place freed before the session started is given to Cai, then Cai attends too.
    SessionSignup.objects.filter(session=session, volunteer=cai).update(
        status=SignupStatus.ATTENDED
    )
    with pytest.raises(ValidationError) as caught:
        services.update_training_session(session=session, by=coordinator, capacity=2)
    assert caught.value.message_dict == {
        "capacity": [
            "3 people already have a place, so the session needs at least 3 places. "
            "Cancel places on the roster first."
        ]
    }
    assert services.update_training_session(session=session, by=coordinator, capacity=3) == []
    assert TrainingSession.objects.get(pk=session.pk).capacity == 3


def test_capacity_zero_and_end_before_start_get_form_errors(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    client.force_login(coordinator)
    response = client.post(f"{BASE}/sessions/{session.pk}/edit/", _edit_data(capacity="0"))
    assert response.context["form"].errors == {
        "capacity": ["A session needs room for at least one person."]
    }
    response = client.post(
        f"{BASE}/sessions/{session.pk}/edit/", _edit_data(start_time="18:00", end_time="17:00")
    )
    assert response.context["form"].errors == {
        "end_time": ["The session must end after it starts."]
    }
    assert TrainingSession.objects.get(pk=session.pk).starts_at == START
    assert TrainingSession.objects.get(pk=session.pk).capacity == 2


def test_times_stay_once_attendance_is_marked(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    at = datetime(2024, 3, 5, 23, 0, tzinfo=UTC)  # 18:00 in New York
    _start(session, at)
    services.mark_session_attendance(session=session, attended=[], by=coordinator)
    client.force_login(coordinator)
    data = _edit_data(day="2024-03-06", start_time="18:00", end_time="21:00")
    response = client.post(f"{BASE}/sessions/{session.pk}/edit/", data)
    assert response.context["form"].errors == {
        "start_time": ["Attendance is already marked, so the date and times cannot change."]
    }
    assert TrainingSession.objects.get(pk=session.pk).starts_at == at
    # Other details can still be corrected.
    response = client.post(
        f"{BASE}/sessions/{session.pk}/edit/",
        _edit_data(day="2024-03-05", trainer="Sam Okafor"),
        follow=True,
    )
    assert _messages(response) == ["Session of Trauma-informed care on 5 Mar 2024 saved."]
    assert TrainingSession.objects.get(pk=session.pk).trainer == "Sam Okafor"


def test_nobody_is_promoted_into_a_session_under_way(
    coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    _start(session, timezone.now() - timedelta(hours=1))
    promoted = services.update_training_session(session=session, by=coordinator, capacity=4)
    assert promoted == []
    assert _statuses(session)["Cai"] == SignupStatus.WAITLISTED
    assert TrainingSession.objects.get(pk=session.pk).capacity == 4


def test_the_training_of_a_session_cannot_be_changed(
    coordinator: User, full: dict[str, Any]
) -> None:
    other = make_training("Hotline protocol")
    with pytest.raises(TypeError, match="cannot change training"):
        services.update_training_session(session=full["session"], by=coordinator, training=other)


# Cancelling a session


def test_the_confirmation_page_says_who_is_affected(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    client.force_login(coordinator)
    response = client.get(f"{BASE}/sessions/{session.pk}/cancel/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cancel session of Trauma-informed care?" in body
    assert "2 people have a place, 2 are waiting." in body
    assert "Tue 15 Jul 2031, 18:00\u201321:00</time> (United States (New York) Time)" in body
    assert _statuses(session)["Ana"] == SignupStatus.CONFIRMED


def test_cancelling_a_session_cancels_every_sign_up(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    TrainingSession.objects.filter(pk=session.pk).update(notes="Bring a notebook")
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/sessions/{session.pk}/cancel/", {"reason": " Trainer is ill "}, follow=True
    )
    assert response.redirect_chain == [(f"{BASE}/sessions/{session.pk}/", 302)]
    assert _messages(response) == [
        "Session of Trauma-informed care on 15 Jul 2031 cancelled, with 4 sign-ups."
    ]
    session.refresh_from_db()
    assert session.cancelled is True
    assert session.notes == "Bring a notebook"
    assert session.cancellation_reason == "Trainer is ill"
    assert session.cancelled_at is not None
    assert set(_statuses(session).values()) == {SignupStatus.CANCELLED}
    body = response.content.decode()
    assert "This session was cancelled, with all its places and waitlist." in body
    assert f'href="{BASE}/sessions/{session.pk}/edit/"' not in body
    assert f'href="{BASE}/sessions/{session.pk}/cancel/"' not in body
    assert "Nobody has signed up yet." in body

    trainings = client.get(f"{BASE}/trainings/").content.decode()
    assert "(United States (New York) Time)</span> <strong>Cancelled</strong>" in trainings

    ana = full["people"][0]
    with pytest.raises(VolunteeringError, match=r"This session has been cancelled\."):
        services.sign_up_for_session(session=session, volunteer=ana)
    client.force_login(ana)
    assert client.get("/volunteer/trainings/").context["sessions"] == []


def test_a_reason_is_needed(client: Client, coordinator: User, full: dict[str, Any]) -> None:
    session = full["session"]
    client.force_login(coordinator)
    response = client.post(f"{BASE}/sessions/{session.pk}/cancel/", {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Write why the session is cancelled."]}
    assert TrainingSession.objects.get(pk=session.pk).cancelled is False
    with pytest.raises(ValidationError) as caught:
        services.cancel_training_session(session=session, by=coordinator, reason=" ")
    assert caught.value.message_dict == {
        "reason": ["Write a reason: it stays on the session's record."]
    }
    assert _statuses(session)["Ana"] == SignupStatus.CONFIRMED


def test_a_session_cannot_be_cancelled_twice_or_edited_after(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    services.cancel_training_session(session=session, by=coordinator, reason="Room flooded")
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/sessions/{session.pk}/cancel/", {"reason": "Again"}, follow=True
    )
    assert _messages(response) == ["This session is already cancelled."]
    assert TrainingSession.objects.get(pk=session.pk).cancellation_reason == "Room flooded"

    page = client.get(f"{BASE}/sessions/{session.pk}/edit/").content.decode()
    assert "This session was cancelled; it can no longer be changed." in page
    response = client.post(f"{BASE}/sessions/{session.pk}/edit/", _edit_data(capacity="5"))
    assert response.context["form"].non_field_errors() == [
        "This session was cancelled; it can no longer be changed."
    ]
    assert TrainingSession.objects.get(pk=session.pk).capacity == 2


def test_a_finished_session_cannot_be_cancelled(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    _start(session, timezone.now() - timedelta(days=1))
    client.force_login(coordinator)
    roster = client.get(f"{BASE}/sessions/{session.pk}/").content.decode()
    assert f'href="{BASE}/sessions/{session.pk}/cancel/"' not in roster
    assert f'href="{BASE}/sessions/{session.pk}/edit/"' in roster
    response = client.post(
        f"{BASE}/sessions/{session.pk}/cancel/", {"reason": "Too late"}, follow=True
    )
    assert _messages(response) == ["This session has already finished; it cannot be cancelled."]
    assert TrainingSession.objects.get(pk=session.pk).cancelled is False
    assert _statuses(session)["Ana"] == SignupStatus.CONFIRMED


def test_cancelling_a_session_under_way_keeps_attendance(
    coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    _start(session, timezone.now() - timedelta(hours=1))
    ana = full["people"][0]
    services.mark_session_attendance(session=session, attended=[ana.pk], by=coordinator)
    cancelled = services.cancel_training_session(
        session=session, by=coordinator, reason="Fire alarm"
    )
    assert [s.volunteer.first_name for s in cancelled] == ["Cai", "Dee"]
    assert _statuses(session) == {
        "Ana": SignupStatus.ATTENDED,
        "Ben": SignupStatus.NO_SHOW,
        "Cai": SignupStatus.CANCELLED,
        "Dee": SignupStatus.CANCELLED,
    }


# Cancelling one place once the session has started


def test_a_coordinator_cancels_a_place_under_way_and_nobody_moves_up(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    _start(session, timezone.now() - timedelta(minutes=30))
    ben = SessionSignup.objects.get(session=session, volunteer__first_name="Ben")
    client.force_login(coordinator)
    response = client.post(f"{BASE}/signups/{ben.pk}/cancel/", follow=True)
    assert _messages(response) == ["Ben Test no longer has a place."]
    assert _statuses(session) == {
        "Ana": SignupStatus.CONFIRMED,
        "Ben": SignupStatus.CANCELLED,
        "Cai": SignupStatus.WAITLISTED,
        "Dee": SignupStatus.WAITLISTED,
    }


def test_a_volunteer_cannot_cancel_once_the_session_started(full: dict[str, Any]) -> None:
    session = full["session"]
    _start(session, timezone.now() - timedelta(minutes=30))
    ana = full["people"][0]
    signup = SessionSignup.objects.get(session=session, volunteer=ana)
    with pytest.raises(VolunteeringError, match="The session has started"):
        services.cancel_session_signup(signup=signup, by=ana)
    assert _statuses(session)["Ana"] == SignupStatus.CONFIRMED


# Sessions over several days


def test_a_session_over_two_days_shows_its_end_date_everywhere(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/sessions/{session.pk}/edit/",
        _edit_data(end_date="2031-07-16", end_time="17:00"),
        follow=True,
    )
    assert _messages(response) == ["Session of Trauma-informed care on 15 Jul 2031 saved."]
    session.refresh_from_db()
    assert session.ends_at == datetime(2031, 7, 16, 21, 0, tzinfo=UTC)
    expected = (
        '<time datetime="2031-07-15T18:00:00-04:00">Tue 15 Jul 2031, 18:00</time> \u2013 '
        '<time datetime="2031-07-16T17:00:00-04:00">Wed 16 Jul 2031, 17:00</time>'
    )
    assert expected in response.content.decode()
    assert expected in client.get(f"{BASE}/trainings/").content.decode()
    assert expected in client.get(f"{BASE}/sessions/{session.pk}/cancel/").content.decode()
    form = client.get(f"{BASE}/sessions/{session.pk}/edit/").context["form"]
    assert form["end_date"].value() == date(2031, 7, 16)
    assert form["end_time"].value() == time(17, 0)

    client.force_login(full["people"][0])
    page = client.get("/volunteer/trainings/").content.decode()
    assert f"{expected} (United States (New York) Time)" in page


def test_a_session_on_one_day_shows_only_the_end_time(
    client: Client, coordinator: User, full: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    body = client.get(f"{BASE}/sessions/{full['session'].pk}/").content.decode()
    assert (
        '<time datetime="2031-07-15T18:00:00-04:00">Tue 15 Jul 2031, 18:00\u201321:00</time>'
        in body
    )


def test_a_session_ending_just_after_midnight_local_time_names_the_next_day(
    client: Client, coordinator: User
) -> None:
    # 22:00 to 00:30 in Tokyo (UTC+9): the same UTC day, but the end is on the next local day.
    session = make_session(
        make_training(),
        starts_at=datetime(2031, 7, 15, 13, 0, tzinfo=UTC),
        hours=2,
        time_zone="Asia/Tokyo",
    )
    TrainingSession.objects.filter(pk=session.pk).update(
        ends_at=datetime(2031, 7, 15, 15, 30, tzinfo=UTC)
    )
    client.force_login(coordinator)
    body = client.get(f"{BASE}/sessions/{session.pk}/").content.decode()
    assert "Tue 15 Jul 2031, 22:00</time> \u2013 " in body
    assert ">Wed 16 Jul 2031, 00:30</time> (Japan Time)" in body


# Who may do it, and what it costs


def test_a_volunteer_cannot_edit_or_cancel_a_session(
    client: Client, volunteer: User, full: dict[str, Any]
) -> None:
    session = full["session"]
    client.force_login(volunteer)
    for path in (f"{BASE}/sessions/{session.pk}/edit/", f"{BASE}/sessions/{session.pk}/cancel/"):
        assert client.get(path).status_code == 403
    response = client.post(f"{BASE}/sessions/{session.pk}/edit/", _edit_data(capacity="9"))
    assert response.status_code == 403
    response = client.post(f"{BASE}/sessions/{session.pk}/cancel/", {"reason": "Mine now"})
    assert response.status_code == 403
    session.refresh_from_db()
    assert (session.capacity, session.cancelled) == (2, False)
    client.logout()
    response = client.get(f"{BASE}/sessions/{session.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={BASE}/sessions/{session.pk}/edit/"


def test_an_unknown_session_is_404(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    assert client.get(f"{BASE}/sessions/999999/edit/").status_code == 404
    assert client.post(f"{BASE}/sessions/999999/cancel/", {"reason": "x"}).status_code == 404


def test_the_trainings_page_query_count_is_flat_with_cancelled_sessions(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    training = make_training()

    def add(count: int) -> None:
        for day in range(count):
            session = make_session(training, starts_at=START + timedelta(days=day))
            if day % 2:
                services.cancel_training_session(session=session, by=coordinator, reason="x")

    add(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"{BASE}/trainings/").status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as large:
        response = client.get(f"{BASE}/trainings/")
    assert response.content.decode().count("<strong>Cancelled</strong>") == 11
    assert len(small) == len(large)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_capacity_rise_and_sign_ups_at_once_never_overbook() -> None:
    """Real threads: a coordinator adds 2 places while 4 people sign up for a full session."""
    coordinator = make_volunteer(email="coord@example.org")
    session = make_session(make_training(), capacity=1)
    services.sign_up_for_session(session=session, volunteer=make_volunteer())
    people = [make_volunteer() for _ in range(4)]
    barrier = threading.Barrier(len(people) + 1)
    errors: list[BaseException] = []

    def run(action: Any) -> None:
        try:
            barrier.wait(timeout=10)
            action()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    actions = [
        lambda: services.update_training_session(session=session, by=coordinator, capacity=3)
    ] + [
        (lambda p: lambda: services.sign_up_for_session(session=session, volunteer=p))(person)
        for person in people
    ]
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    counts = {
        status: SessionSignup.objects.filter(session=session, status=status).count()
        for status in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
    }
    assert counts == {SignupStatus.CONFIRMED: 3, SignupStatus.WAITLISTED: 2}
