"""Reviewing an application and planning a training session write the exact audit rows;
so does a role granted or taken away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import AuditEntry, User
from accounts.roles import Role
from accounts.services import grant_role
from tests.factories import make_user
from tests.volunteers.factories import make_training
from volunteers import services
from volunteers.models import ProfileStatus, VolunteerProfile

pytestmark = pytest.mark.django_db

Row = tuple[str, int | None, int | None, str, str, dict[str, list[object]], dict[str, object]]


def _rows() -> list[Row]:
    return [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.order_by("pk")
    ]


def _applicant(email: str) -> VolunteerProfile:
    return VolunteerProfile.objects.create(
        user=make_user(email=email), status=ProfileStatus.APPLICANT
    )


def test_approving_and_declining_applications_is_audited(coordinator: User) -> None:
    ana, ben = _applicant("ana.ap@example.org"), _applicant("ben.ap@example.org")
    services.approve_application(profile=ana, reviewer=coordinator)
    services.decline_application(profile=ben, reviewer=coordinator, reason=" Under 18 ")
    assert ana.user.roles == {Role.VOLUNTEER}
    assert _rows() == [
        (
            "volunteers.application.approved",
            coordinator.pk,
            ana.user_id,
            "volunteers.volunteerprofile",
            str(ana.pk),
            {
                "reviewed_at": [None, str(ana.reviewed_at)],
                "reviewed_by": [None, coordinator.pk],
                "status": ["applicant", "active"],
            },
            {},
        ),
        (
            "accounts.role.granted",
            coordinator.pk,
            ana.user_id,
            "accounts.user",
            str(ana.user_id),
            {"roles": [None, "volunteer"]},
            {},
        ),
        (
            "volunteers.application.declined",
            coordinator.pk,
            ben.user_id,
            "volunteers.volunteerprofile",
            str(ben.pk),
            {
                "decline_reason": ["", "Under 18"],
                "reviewed_at": [None, str(ben.reviewed_at)],
                "reviewed_by": [None, coordinator.pk],
                "status": ["applicant", "declined"],
            },
            {},
        ),
    ]


def test_a_role_granted_is_audited_once(coordinator: User) -> None:
    lee = make_user(email="lee.r@example.org")
    grant_role(user=lee, role=Role.FUNDRAISER, by=coordinator)
    grant_role(user=lee, role=Role.FUNDRAISER, by=coordinator)  # held already: nothing
    assert lee.roles == {Role.FUNDRAISER}
    assert _rows() == [
        (
            "accounts.role.granted",
            coordinator.pk,
            lee.pk,
            "accounts.user",
            str(lee.pk),
            {"roles": [None, "fundraiser"]},
            {},
        ),
    ]


def test_planning_a_training_session_is_audited(coordinator: User) -> None:
    training = make_training("First aid")
    starts_at = datetime(2030, 5, 4, 14, 0, tzinfo=UTC)
    session = services.create_training_session(
        by=coordinator,
        training=training,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        time_zone="Europe/Madrid",
        place="Room 2",
        capacity=12,
    )
    assert _rows() == [
        (
            "volunteers.session.created",
            coordinator.pk,
            None,
            "volunteers.trainingsession",
            str(session.pk),
            {
                "capacity": [None, 12],
                "ends_at": [None, "2030-05-04 17:00:00+00:00"],
                "notes": [None, ""],
                "online_url": [None, ""],
                "place": [None, "Room 2"],
                "starts_at": [None, "2030-05-04 14:00:00+00:00"],
                "time_zone": [None, "Europe/Madrid"],
                "trainer": [None, ""],
                "training": [None, training.pk],
            },
            {},
        )
    ]
