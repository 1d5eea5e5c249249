"""Coordinator pages for trainings: sessions in local time, rosters, attendance, completions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from core.dates import org_today
from tests.volunteers.factories import make_session, make_training, make_volunteer
from volunteers.models import (
    RecordStatus,
    SessionSignup,
    SignupStatus,
    Training,
    TrainingRecord,
    TrainingSession,
)
from volunteers.services import sign_up_for_session

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"


def _session_data(**overrides: str) -> dict[str, str]:
    data = {
        "day": "2031-07-15",
        "start_time": "18:00",
        "end_time": "21:00",
        "end_date": "",
        "time_zone": "America/New_York",
        "place": "Community hall, room 2",
        "online_url": "",
        "trainer": "Dr. Reyes",
        "capacity": "12",
        "notes": "Bring a notebook",
    }
    data.update(overrides)
    return data


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Trainings


def test_a_coordinator_creates_and_edits_a_training(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/trainings/new/", {"name": "Hotline protocol", "validity_months": "12"}
    )
    assert response.status_code == 302
    training = Training.objects.get(name="Hotline protocol")
    assert training.validity_months == 12
    client.post(f"{BASE}/trainings/{training.pk}/edit/", {"name": "Hotline protocol"})
    assert Training.objects.get(pk=training.pk).validity_months is None
    page = client.get(f"{BASE}/trainings/").content.decode()
    assert "never expires" in page
    make_training("Child safeguarding", validity_months=12)
    page = client.get(f"{BASE}/trainings/").content.decode()
    assert "12 months" in page


def test_the_trainings_page_lists_upcoming_sessions_in_their_zone(
    client: Client, coordinator: User
) -> None:
    training = make_training()
    make_session(
        training,
        starts_at=datetime(2031, 7, 15, 22, 0, tzinfo=UTC),
        time_zone="America/New_York",
    )
    make_session(training, starts_at=timezone.now() - timedelta(days=400))
    client.force_login(coordinator)
    response = client.get(f"{BASE}/trainings/")
    body = response.content.decode()
    assert "Tue 15 Jul 2031, 18:00\u201321:00" in body
    assert "(United States (New York) Time)" in body
    assert [len(t.upcoming) for t in response.context["trainings"]] == [1]


# Sessions


def test_a_session_at_18_00_new_york_in_july_is_stored_as_22_00_utc(
    client: Client, coordinator: User
) -> None:
    training = make_training()
    client.force_login(coordinator)
    response = client.post(f"{BASE}/trainings/{training.pk}/sessions/new/", _session_data())
    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/sessions/{session.pk}/"
    assert session.starts_at == datetime(2031, 7, 15, 22, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2031, 7, 16, 1, 0, tzinfo=UTC)
    assert session.time_zone == "America/New_York"
    assert (session.capacity, session.trainer, session.notes) == (
        12,
        "Dr. Reyes",
        "Bring a notebook",
    )


def test_a_session_at_18_00_new_york_in_january_is_stored_as_23_00_utc(
    client: Client, coordinator: User
) -> None:
    training = make_training()
    client.force_login(coordinator)
    client.post(f"{BASE}/trainings/{training.pk}/sessions/new/", _session_data(day="2032-01-20"))
    session = TrainingSession.objects.get()
    assert session.starts_at == datetime(2032, 1, 20, 23, 0, tzinfo=UTC)
    page = client.get(f"{BASE}/sessions/{session.pk}/").content.decode()
    assert "Tue 20 Jan 2032, 18:00" in page
    assert "United States (New York) Time" in page


def test_the_time_zone_defaults_to_the_organisations(
    client: Client, coordinator: User, settings: Any
) -> None:
    settings.ORG_TIME_ZONE = "Europe/Lisbon"
    training = make_training()
    client.force_login(coordinator)
    response = client.get(f"{BASE}/trainings/{training.pk}/sessions/new/")
    assert response.context["form"]["time_zone"].value() == "Europe/Lisbon"


def test_a_session_over_midnight_takes_an_end_date(client: Client, coordinator: User) -> None:
    training = make_training()
    client.force_login(coordinator)
    client.post(
        f"{BASE}/trainings/{training.pk}/sessions/new/",
        _session_data(start_time="22:00", end_time="02:00", end_date="2031-07-16"),
    )
    session = TrainingSession.objects.get()
    assert session.ends_at - session.starts_at == timedelta(hours=4)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"capacity": "0"}, "capacity", "A session needs room for at least one person."),
        ({"end_time": "17:00"}, "end_time", "The session must end after it starts."),
        ({"end_time": "18:00"}, "end_time", "The session must end after it starts."),
        ({"place": "", "online_url": ""}, "place", "Enter a place, an online link, or both."),
        (
            {"day": "2031-03-09", "start_time": "02:30"},
            "start_time",
            "This time does not exist that day: the clocks change.",
        ),
    ],
)
def test_a_bad_session_gets_a_form_error_and_nothing_is_saved(
    client: Client, coordinator: User, overrides: dict[str, str], field: str, message: str
) -> None:
    training = make_training()
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/trainings/{training.pk}/sessions/new/", _session_data(**overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert TrainingSession.objects.count() == 0


def test_a_volunteer_cannot_create_a_session(client: Client, volunteer: User) -> None:
    training = make_training()
    client.force_login(volunteer)
    response = client.post(f"{BASE}/trainings/{training.pk}/sessions/new/", _session_data())
    assert response.status_code == 403
    assert TrainingSession.objects.count() == 0


# The roster


@pytest.fixture
def full_session(db: None) -> dict[str, Any]:
    """A session with two places taken and two people waiting, in sign-up order."""
    training = make_training(validity_months=12)
    session = make_session(training, capacity=2)
    people = [
        make_volunteer(first_name=name, last_name="Test", email=f"{name.lower()}@example.org")
        for name in ("Ana", "Ben", "Cai", "Dee")
    ]
    for person in people:
        sign_up_for_session(session=session, volunteer=person)
    return {"training": training, "session": session, "people": people}


def test_the_roster_lists_places_and_the_waitlist_in_order(
    client: Client, coordinator: User, full_session: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    session = full_session["session"]
    response = client.get(f"{BASE}/sessions/{session.pk}/")
    roster = response.context["roster"]
    assert [s.volunteer.first_name for s in roster.places] == ["Ana", "Ben"]
    assert [s.volunteer.first_name for s in roster.waitlist] == ["Cai", "Dee"]
    body = response.content.decode()
    assert "2 of 2 taken" in body
    assert body.index("Cai Test") < body.index("Dee Test")


def test_cancelling_a_place_promotes_the_first_in_line(
    client: Client, coordinator: User, full_session: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    session = full_session["session"]
    ben = SessionSignup.objects.get(session=session, volunteer__first_name="Ben")
    response = client.post(f"{BASE}/signups/{ben.pk}/cancel/", follow=True)
    assert _messages(response) == [
        "Ben Test no longer has a place. Cai Test moved up from the waitlist."
    ]
    statuses = dict(
        SessionSignup.objects.filter(session=session).values_list("volunteer__first_name", "status")
    )
    assert statuses == {
        "Ana": SignupStatus.CONFIRMED,
        "Ben": SignupStatus.CANCELLED,
        "Cai": SignupStatus.CONFIRMED,
        "Dee": SignupStatus.WAITLISTED,
    }
    roster = response.context["roster"]
    assert [s.volunteer.first_name for s in roster.waitlist] == ["Dee"]


def _mark(client: Client, session: TrainingSession, people: list[User]) -> Any:
    return client.post(
        f"{BASE}/sessions/{session.pk}/attendance/",
        {"attended": [str(p.pk) for p in people]},
        follow=True,
    )


def test_attendance_and_bulk_completions_make_verified_records_once(
    client: Client, coordinator: User, full_session: dict[str, Any]
) -> None:
    session = full_session["session"]
    ana, ben, _, _ = full_session["people"]
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=datetime(2024, 1, 31, 15, 0, tzinfo=UTC),
        ends_at=datetime(2024, 1, 31, 18, 0, tzinfo=UTC),
    )
    session.refresh_from_db()
    client.force_login(coordinator)

    response = _mark(client, session, [ana])
    assert _messages(response) == ["Attendance saved: 1 came, 1 did not."]
    statuses = dict(
        SessionSignup.objects.filter(session=session).values_list("volunteer", "status")
    )
    assert statuses[ana.pk] == SignupStatus.ATTENDED
    assert statuses[ben.pk] == SignupStatus.NO_SHOW

    # The completion date defaults to the session's own day.
    form = response.context["completions_form"]
    assert form["completed_on"].value() == date(2024, 1, 31)
    assert form["volunteers"].value() == [str(ana.pk)]

    data = {"volunteers": [str(ana.pk)], "completed_on": "2024-01-31"}
    response = client.post(f"{BASE}/sessions/{session.pk}/completions/", data, follow=True)
    assert _messages(response) == ["Trauma-informed care: 1 completion(s) recorded."]
    record = TrainingRecord.objects.get()
    assert record.volunteer == ana
    assert record.session == session
    assert record.status == RecordStatus.VERIFIED
    assert record.completed_on == date(2024, 1, 31)
    assert record.expires_on == date(2025, 1, 31)
    assert record.verified_by == coordinator

    response = client.post(f"{BASE}/sessions/{session.pk}/completions/", data, follow=True)
    assert _messages(response) == [
        "Trauma-informed care: 0 completion(s) recorded. 1 already had one from this session."
    ]
    assert TrainingRecord.objects.count() == 1
    assert "Recorded" in response.content.decode()


def test_a_completion_date_in_the_future_is_refused(
    client: Client, coordinator: User, full_session: dict[str, Any]
) -> None:
    session = full_session["session"]
    ana = full_session["people"][0]
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=3),
    )
    client.force_login(coordinator)
    _mark(client, session, [ana])
    tomorrow = org_today() + timedelta(days=1)
    response = client.post(
        f"{BASE}/sessions/{session.pk}/completions/",
        {"volunteers": [str(ana.pk)], "completed_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["completions_form"].errors["completed_on"] == [
        "A training cannot be completed in the future. Check the date."
    ]
    assert TrainingRecord.objects.count() == 0


def test_only_people_who_attended_can_be_recorded(
    client: Client, coordinator: User, full_session: dict[str, Any]
) -> None:
    session = full_session["session"]
    ana, ben, _, _ = full_session["people"]
    client.force_login(coordinator)
    _mark(client, session, [ana])
    response = client.post(
        f"{BASE}/sessions/{session.pk}/completions/",
        {"volunteers": [str(ben.pk)], "completed_on": org_today().isoformat()},
    )
    assert response.status_code == 200
    assert response.context["completions_form"].errors["volunteers"] == [
        f"Select a valid choice. {ben.pk} is not one of the available choices."
    ]
    assert TrainingRecord.objects.count() == 0


def test_a_volunteer_cannot_mark_attendance_or_record_completions(
    client: Client, coordinator: User, full_session: dict[str, Any]
) -> None:
    session = full_session["session"]
    ana = full_session["people"][0]
    client.force_login(ana)
    response = client.post(f"{BASE}/sessions/{session.pk}/attendance/", {"attended": [str(ana.pk)]})
    assert response.status_code == 403
    response = client.post(
        f"{BASE}/sessions/{session.pk}/completions/",
        {"volunteers": [str(ana.pk)], "completed_on": org_today().isoformat()},
    )
    assert response.status_code == 403
    assert not SessionSignup.objects.filter(status=SignupStatus.ATTENDED).exists()
    assert TrainingRecord.objects.count() == 0


# Recording a completion directly on a volunteer's page


def test_a_coordinator_records_a_training_directly(client: Client, coordinator: User) -> None:
    training = make_training(validity_months=24)
    person = make_volunteer(first_name="Ana", last_name="Silva")
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/volunteers/{person.pk}/trainings/",
        {"training": str(training.pk), "completed_on": "2025-03-10", "provider": "Red Cross"},
        follow=True,
    )
    assert _messages(response) == ["Trauma-informed care recorded for Ana Silva."]
    record = TrainingRecord.objects.get()
    assert (record.volunteer, record.status, record.expires_on, record.provider) == (
        person,
        RecordStatus.VERIFIED,
        date(2027, 3, 10),
        "Red Cross",
    )


def test_a_direct_completion_in_the_future_is_refused(client: Client, coordinator: User) -> None:
    training = make_training()
    person = make_volunteer()
    client.force_login(coordinator)
    tomorrow = org_today() + timedelta(days=1)
    response = client.post(
        f"{BASE}/volunteers/{person.pk}/trainings/",
        {"training": str(training.pk), "completed_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["record_form"].errors["completed_on"] == [
        "A training cannot be completed in the future. Check the date."
    ]
    assert TrainingRecord.objects.count() == 0


def test_a_volunteer_cannot_record_a_training(client: Client, volunteer: User) -> None:
    training = make_training()
    client.force_login(volunteer)
    response = client.post(
        f"{BASE}/volunteers/{volunteer.pk}/trainings/",
        {"training": str(training.pk), "completed_on": "2025-03-10"},
    )
    assert response.status_code == 403
    assert TrainingRecord.objects.count() == 0
