"""An erased volunteer's places on shifts and training sessions still to come are cancelled
through the signup services, in the erasure's transaction: the next person waiting moves up
and is told, the erased person is sent nothing and their reminders are withdrawn; past
shifts keep their signups (and so their counts and hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from accounts.models import AuditEntry, User
from accounts.services import personal_data
from accounts.services.erasure import erase_person
from accounts.services.personal_data import Contributor, Erasure
from notifications.models import Message
from notifications.models import Status as MessageStatus
from tests.volunteers.factories import make_session, make_shift, make_training, make_volunteer
from volunteers import services
from volunteers.models import SessionSignup, ShiftSignup, ShiftSignupStatus, SignupStatus
from volunteers.services.training_sessions import sign_up_for_session

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
EMAIL = "lee.park@example.org"


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _scene() -> dict[str, Any]:
    """Lee holds the one place on a shift next week (Kim waits for it) and the one place at
    a training session (Jo waits); Lee also attended a shift last week."""
    lee = make_volunteer(first_name="Lee", last_name="Park", email=EMAIL)
    kim = make_volunteer(first_name="Kim", email="kim@example.org")
    jo = make_volunteer(first_name="Jo", email="jo@example.org")
    shift = make_shift(capacity=1)
    place = services.sign_up_for_shift(shift=shift, volunteer=lee)
    waiting = services.sign_up_for_shift(shift=shift, volunteer=kim)
    past = make_shift(starts_at=NOW - timedelta(days=7), capacity=3)
    attended = ShiftSignup.objects.create(
        shift=past,
        volunteer=lee,
        status=ShiftSignupStatus.ATTENDED,
        joined_at=NOW - timedelta(days=9),
    )
    session = make_session(make_training(), capacity=1)
    seat = sign_up_for_session(session=session, volunteer=lee)
    queue = sign_up_for_session(session=session, volunteer=jo)
    return {
        "lee": lee,
        "kim": kim,
        "place": place,
        "waiting": waiting,
        "attended": attended,
        "seat": seat,
        "queue": queue,
    }


def _statuses(scene: dict[str, Any]) -> dict[str, str]:
    return {
        name: type(scene[name]).objects.get(pk=scene[name].pk).status
        for name in ("place", "waiting", "attended", "seat", "queue")
    }


def test_erasure_cancels_places_to_come_and_promotes_who_waits(
    coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    scene = _scene()
    lee, kim = scene["lee"], scene["kim"]
    assert _statuses(scene) == {
        "place": "confirmed",
        "waiting": "waitlisted",
        "attended": "attended",
        "seat": "confirmed",
        "queue": "waitlisted",
    }
    reminders = Message.objects.filter(
        recipient=lee, kind="shift.reminder", status=MessageStatus.PENDING
    )
    assert reminders.count() == 2  # 48 and 2 hours before (the default leads)
    sent_to_lee = set(Message.objects.filter(recipient=lee).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        result = erase_person(person=lee, by=coordinator, confirmation=EMAIL)

    assert _statuses(scene) == {
        "place": "cancelled",
        "waiting": "confirmed",
        "attended": "attended",
        "seat": "cancelled",
        "queue": "confirmed",
    }
    assert (
        result.counts["shift_signups_cancelled"],
        result.counts["training_session_signups_cancelled"],
    ) == (1, 1)
    # Kim moved up and is told; Lee is sent nothing new, and Lee's reminders are withdrawn.
    assert list(
        Message.objects.filter(recipient=kim, kind="shift.waitlist_promoted").values_list(
            "context__signup_id", flat=True
        )
    ) == [scene["waiting"].pk]
    assert not Message.objects.filter(recipient=lee).exclude(pk__in=sent_to_lee).exists()
    assert set(
        Message.objects.filter(recipient=lee, kind="shift.reminder").values_list(
            "status", flat=True
        )
    ) == {MessageStatus.CANCELLED}
    # The roster counts one place, Kim's; the past shift keeps Lee's attendance.
    assert list(
        ShiftSignup.objects.filter(shift=scene["place"].shift, status="confirmed").values_list(
            "volunteer_id", flat=True
        )
    ) == [kim.pk]
    # Each cancellation and promotion is audited as the administrator's doing.
    entries = AuditEntry.objects.filter(
        action__in=(
            "volunteers.signup.cancelled",
            "volunteers.signup.promoted",
            "volunteers.session_signup.cancelled",
            "volunteers.session_signup.promoted",
        )
    ).order_by("pk")
    assert [(e.action, e.actor_id, e.subject_id, e.object_id) for e in entries] == [
        ("volunteers.signup.cancelled", coordinator.pk, lee.pk, str(scene["place"].pk)),
        ("volunteers.signup.promoted", coordinator.pk, kim.pk, str(scene["waiting"].pk)),
        ("volunteers.session_signup.cancelled", coordinator.pk, lee.pk, str(scene["seat"].pk)),
        (
            "volunteers.session_signup.promoted",
            coordinator.pk,
            scene["queue"].volunteer_id,
            str(scene["queue"].pk),
        ),
    ]


def test_a_failed_erasure_leaves_the_places_as_they_were(
    coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = _scene()

    def fail(erasure: Erasure) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(
        personal_data._CONTRIBUTORS,
        "failing",
        Contributor(app="failing", export=lambda person: [], erase=fail, order=95),
    )
    with pytest.raises(RuntimeError):
        erase_person(person=scene["lee"], by=coordinator, confirmation=EMAIL)
    assert _statuses(scene) == {
        "place": "confirmed",
        "waiting": "waitlisted",
        "attended": "attended",
        "seat": "confirmed",
        "queue": "waitlisted",
    }
    assert not Message.objects.filter(kind="shift.waitlist_promoted").exists()
    assert SessionSignup.objects.filter(status=SignupStatus.CANCELLED).count() == 0
