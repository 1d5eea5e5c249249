"""Real threads on PostgreSQL: places are given exactly once, whatever runs at the same time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from accounts.models import User
from notifications.models import Message
from tests.volunteers.factories import make_location, make_shift, make_volunteer
from volunteers import services
from volunteers.models import Shift, ShiftSignup, ShiftSignupStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = datetime(2099, 3, 10, 22, 0, tzinfo=UTC)


def run_at_once(jobs: list[Callable[[], object]]) -> list[BaseException]:
    """Run every job in its own thread, all released together; returns the errors."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def by_status(shift: Shift, status: str) -> list[ShiftSignup]:
    return list(ShiftSignup.objects.filter(shift=shift, status=status).order_by("joined_at", "pk"))


def test_fifty_sign_up_at_once_for_ten_places_then_twenty_cancel_at_once() -> None:
    shift = make_shift(starts_at=START, capacity=10)
    people: list[User] = [make_volunteer() for _ in range(50)]

    def sign_up(person: User) -> Callable[[], object]:
        return lambda: services.sign_up_for_shift(shift=shift, volunteer=person)

    assert run_at_once([sign_up(p) for p in people]) == []

    confirmed = by_status(shift, ShiftSignupStatus.CONFIRMED)
    waitlisted = by_status(shift, ShiftSignupStatus.WAITLISTED)
    assert (len(confirmed), len(waitlisted)) == (10, 40)
    # A consistent order: the waitlist order (joined_at) is the order the rows were written
    # (pk), and every place was given before anyone was put on the waitlist.
    everyone = ShiftSignup.objects.filter(shift=shift).order_by("joined_at", "pk")
    assert [s.pk for s in everyone] == sorted(s.pk for s in everyone)
    assert max(s.pk for s in confirmed) < min(s.pk for s in waitlisted)
    assert Message.objects.filter(kind="shift.signup_confirmed").count() == 10

    # Every place is freed, and the last ten in line leave the waitlist, all at once.
    leaving = confirmed + waitlisted[30:]

    def cancel(signup: ShiftSignup) -> Callable[[], object]:
        return lambda: services.cancel_signup(signup=signup, by=signup.volunteer)

    assert run_at_once([cancel(s) for s in leaving]) == []

    now_confirmed = by_status(shift, ShiftSignupStatus.CONFIRMED)
    # Each freed place went to exactly one person: the first ten in line.
    promoted_ids = [s.pk for s in now_confirmed]
    assert promoted_ids == [s.pk for s in waitlisted[:10]]
    assert [s.pk for s in by_status(shift, ShiftSignupStatus.WAITLISTED)] == [
        s.pk for s in waitlisted[10:30]
    ]
    assert len(by_status(shift, ShiftSignupStatus.WAITLISTED)) == 20
    assert len(by_status(shift, ShiftSignupStatus.CANCELLED)) == 20
    promoted_messages = Message.objects.filter(kind="shift.waitlist_promoted")
    assert sorted(m.context["signup_id"] for m in promoted_messages) == promoted_ids


def test_one_person_signing_up_for_two_overlapping_shifts_at_once_gets_one() -> None:
    person = make_volunteer()
    first = make_shift(starts_at=START, capacity=5)
    second = make_shift(
        starts_at=START + timedelta(hours=1), capacity=5, location=make_location("Office")
    )
    errors = run_at_once(
        [
            lambda: services.sign_up_for_shift(shift=first, volunteer=person),
            lambda: services.sign_up_for_shift(shift=second, volunteer=person),
        ]
    )
    assert [type(e).__name__ for e in errors] == ["VolunteeringError"]
    assert "already have a shift at that time" in str(errors[0])
    assert ShiftSignup.objects.filter(volunteer=person).count() == 1


def test_two_people_taking_one_swap_offer_at_once() -> None:
    shift = make_shift(starts_at=START, capacity=1)
    giver = make_volunteer()
    offer = services.offer_swap(
        signup=services.sign_up_for_shift(shift=shift, volunteer=giver), by=giver
    )
    takers = [make_volunteer() for _ in range(2)]

    def take(person: User) -> Callable[[], object]:
        return lambda: services.accept_swap(offer=offer, volunteer=person)

    errors = run_at_once([take(p) for p in takers])
    assert [str(e) for e in errors] == ["This offer has already been taken or withdrawn."]
    assert len(by_status(shift, ShiftSignupStatus.CONFIRMED)) == 1
