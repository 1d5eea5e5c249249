"""Signing up for training sessions from the volunteer's page: places, waitlist, cancelling."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from tests.volunteers.factories import make_session, make_training, make_volunteer
from volunteers import services
from volunteers.models import SessionSignup, SignupStatus, TrainingSession

pytestmark = pytest.mark.django_db

START = datetime(2099, 3, 10, 14, 30, tzinfo=ZoneInfo("UTC"))


def sign_up(client: Client, session: TrainingSession) -> list[str]:
    response = client.post(f"/volunteer/trainings/sessions/{session.pk}/sign-up/", follow=True)
    assert response.redirect_chain == [("/volunteer/trainings/", 302)]
    return [str(m) for m in response.context["messages"]]


def cancel(client: Client, signup: SessionSignup) -> list[str]:
    response = client.post(f"/volunteer/trainings/sign-ups/{signup.pk}/cancel/", follow=True)
    assert response.redirect_chain == [("/volunteer/trainings/", 302)]
    return [str(m) for m in response.context["messages"]]


def statuses(session: TrainingSession) -> list[tuple[int, str]]:
    return list(
        SessionSignup.objects.filter(session=session)
        .order_by("created_at", "pk")
        .values_list("volunteer_id", "status")
    )


@pytest.fixture
def session() -> TrainingSession:
    return make_session(
        make_training("Trauma-informed care"),
        starts_at=START,
        capacity=2,
        time_zone="Europe/London",
    )


def test_a_free_place_is_confirmed(client: Client, session: TrainingSession) -> None:
    person = make_volunteer()
    client.force_login(person)
    assert sign_up(client, session) == [
        "You have a place at Trauma-informed care on Tue 10 Mar 2099, 14:30 (United Kingdom Time)."
    ]
    assert statuses(session) == [(person.pk, SignupStatus.CONFIRMED)]


def test_the_time_in_the_message_is_the_sessions_own(client: Client) -> None:
    # 14:30 UTC in July is 10:30 in New York (summer time).
    summer = make_session(
        make_training("Hotline protocol"),
        starts_at=datetime(2099, 7, 1, 14, 30, tzinfo=ZoneInfo("UTC")),
        time_zone="America/New_York",
    )
    client.force_login(make_volunteer())
    assert sign_up(client, summer) == [
        "You have a place at Hotline protocol on Wed 1 Jul 2099, 10:30 "
        "(United States (New York) Time)."
    ]


def test_a_full_session_puts_people_on_the_waitlist_with_their_position(
    client: Client, session: TrainingSession
) -> None:
    first, second, third, fourth = (make_volunteer() for _ in range(4))
    for person in (first, second):
        services.sign_up_for_session(session=session, volunteer=person)
    client.force_login(third)
    assert sign_up(client, session) == ["The session is full; you are number 1 on the waitlist."]
    client.force_login(fourth)
    assert sign_up(client, session) == ["The session is full; you are number 2 on the waitlist."]
    assert statuses(session) == [
        (first.pk, SignupStatus.CONFIRMED),
        (second.pk, SignupStatus.CONFIRMED),
        (third.pk, SignupStatus.WAITLISTED),
        (fourth.pk, SignupStatus.WAITLISTED),
    ]


def test_signing_up_twice_is_refused(client: Client, session: TrainingSession) -> None:
    person = make_volunteer()
    client.force_login(person)
    sign_up(client, session)
    assert sign_up(client, session) == ["You already have a place at this session."]
    assert SessionSignup.objects.count() == 1


def test_cancelling_a_place_promotes_the_first_person_waiting(
    client: Client, session: TrainingSession
) -> None:
    first, second, third, fourth = (make_volunteer() for _ in range(4))
    signups = [
        services.sign_up_for_session(session=session, volunteer=person)
        for person in (first, second, third, fourth)
    ]
    client.force_login(first)
    assert cancel(client, signups[0]) == [
        "Your place at Trauma-informed care on Tue 10 Mar 2099, 14:30 (United Kingdom Time) "
        "is cancelled."
    ]
    assert statuses(session) == [
        (first.pk, SignupStatus.CANCELLED),
        (second.pk, SignupStatus.CONFIRMED),
        (third.pk, SignupStatus.CONFIRMED),
        (fourth.pk, SignupStatus.WAITLISTED),
    ]


def test_leaving_the_waitlist_promotes_nobody(client: Client, session: TrainingSession) -> None:
    people = [make_volunteer() for _ in range(4)]
    signups = [services.sign_up_for_session(session=session, volunteer=p) for p in people]
    client.force_login(people[2])
    assert cancel(client, signups[2]) == [
        "You have left the waitlist for Trauma-informed care on Tue 10 Mar 2099, 14:30 "
        "(United Kingdom Time)."
    ]
    assert [status for _, status in statuses(session)] == [
        SignupStatus.CONFIRMED,
        SignupStatus.CONFIRMED,
        SignupStatus.CANCELLED,
        SignupStatus.WAITLISTED,
    ]


def test_a_cancelled_signup_cannot_be_cancelled_again(
    client: Client, session: TrainingSession
) -> None:
    person = make_volunteer()
    signup = services.sign_up_for_session(session=session, volunteer=person)
    client.force_login(person)
    cancel(client, signup)
    assert cancel(client, signup) == ["This sign-up cannot be cancelled any more."]


def test_a_cancelled_session_is_refused(client: Client, session: TrainingSession) -> None:
    TrainingSession.objects.filter(pk=session.pk).update(cancelled=True)
    client.force_login(make_volunteer())
    assert sign_up(client, session) == ["This session has been cancelled."]
    assert SessionSignup.objects.count() == 0


def test_a_session_that_has_started_is_refused(client: Client) -> None:
    started = make_session(
        make_training(), starts_at=timezone.now() - timedelta(minutes=5), hours=2
    )
    client.force_login(make_volunteer())
    assert sign_up(client, started) == ["This session has already started; choose a later one."]
    assert SessionSignup.objects.count() == 0


def test_a_place_cannot_be_cancelled_once_the_session_has_started(client: Client) -> None:
    session = make_session(make_training(), capacity=3)
    person = make_volunteer()
    signup = services.sign_up_for_session(session=session, volunteer=person)
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=10)
    )
    client.force_login(person)
    assert cancel(client, signup) == ["The session has started; tell the coordinator instead."]
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED


def test_an_unknown_session_is_404_and_get_is_not_allowed(
    client: Client, session: TrainingSession
) -> None:
    client.force_login(make_volunteer())
    assert client.post("/volunteer/trainings/sessions/999999/sign-up/").status_code == 404
    assert client.get(f"/volunteer/trainings/sessions/{session.pk}/sign-up/").status_code == 405
    assert SessionSignup.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_people_signing_up_at_once_for_three_places() -> None:
    """Real threads, real row locks: exactly three places are given, five people wait."""
    session = make_session(make_training(), capacity=3)
    people: list[User] = [make_volunteer() for _ in range(8)]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def sign_up_now(person: User) -> None:
        try:
            barrier.wait(timeout=10)
            services.sign_up_for_session(session=session, volunteer=person)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up_now, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    counts = {
        status: SessionSignup.objects.filter(session=session, status=status).count()
        for status in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
    }
    assert counts == {SignupStatus.CONFIRMED: 3, SignupStatus.WAITLISTED: 5}
    assert SessionSignup.objects.filter(session=session).count() == 8


@pytest.mark.parametrize("status", ["applicant", "paused"])
def test_applicants_and_paused_volunteers_may_book_training(
    client: Client, session: TrainingSession, status: str
) -> None:
    client.force_login(make_volunteer(status=status))
    messages = sign_up(client, session)
    assert SessionSignup.objects.get(session=session).status == SignupStatus.CONFIRMED
    assert len(messages) == 1


@pytest.mark.parametrize("status", ["left", "declined"])
def test_people_who_left_or_were_declined_cannot_book(
    client: Client, session: TrainingSession, status: str
) -> None:
    client.force_login(make_volunteer(status=status))
    assert sign_up(client, session) == [
        "Only current volunteers and applicants can book or record training. Please contact "
        "the coordinator."
    ]
    assert SessionSignup.objects.count() == 0
