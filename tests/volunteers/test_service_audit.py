"""Services that take ``by=`` write the exact audit row, in the transaction of the change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry, User
from tests.volunteers.factories import (
    make_record,
    make_role,
    make_session,
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
    SessionSignup,
    ShiftSignup,
    ShiftSignupStatus,
    SignupStatus,
)
from volunteers.selectors.eligibility import eligibility_for
from volunteers.services.errors import VolunteeringError

pytestmark = pytest.mark.django_db


def _entries() -> list[tuple[str, int | None, int | None, str, dict[str, list[object]]]]:
    return [
        (entry.action, entry.actor_id, entry.subject_id, entry.object_type, entry.changes)
        for entry in AuditEntry.objects.order_by("pk")
    ]


def test_granting_and_revoking_a_qualification_is_audited_and_the_grant_is_kept(
    coordinator: User,
) -> None:
    lead = make_role("Shift lead", is_qualification=True)
    ana = make_volunteer(first_name="Ana", email="ana.q@example.org")
    start = timezone.now() + timedelta(days=3)

    grant = services.grant_qualification(volunteer=ana, role=lead, by=coordinator)
    assert eligibility_for(
        volunteer=ana, role=lead, starts_at=start, ends_at=start + timedelta(hours=2)
    ).eligible
    services.revoke_qualification(volunteer=ana, role=lead, by=coordinator)

    kept = Qualification.with_revoked.get(pk=grant.pk)
    assert kept.revoked_by == coordinator
    assert kept.revoked_at is not None
    assert list(Qualification.objects.filter(volunteer=ana)) == []
    assert not eligibility_for(
        volunteer=ana, role=lead, starts_at=start, ends_at=start + timedelta(hours=2)
    ).eligible
    assert _entries() == [
        (
            "volunteers.qualification.granted",
            coordinator.pk,
            ana.pk,
            "volunteers.qualification",
            {
                "granted_by": [None, coordinator.pk],
                "granted_on": [None, str(grant.granted_on)],
                "role": [None, lead.pk],
            },
        ),
        (
            "volunteers.qualification.revoked",
            coordinator.pk,
            ana.pk,
            "volunteers.qualification",
            {
                "revoked_at": [None, str(kept.revoked_at)],
                "revoked_by": [None, coordinator.pk],
            },
        ),
    ]
    entry = AuditEntry.objects.get(action="volunteers.qualification.revoked")
    assert (entry.object_id, entry.data) == (str(grant.pk), {"role": "Shift lead"})

    # Granted again: a new grant in force, the revoked one still kept.
    again = services.grant_qualification(volunteer=ana, role=lead, by=coordinator)
    assert again.pk != grant.pk
    assert Qualification.with_revoked.filter(volunteer=ana).count() == 2
    assert eligibility_for(
        volunteer=ana, role=lead, starts_at=start, ends_at=start + timedelta(hours=2)
    ).eligible


def test_deciding_hours_is_audited_with_old_and_new_values(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.h@example.org")
    role = make_role("Outreach")
    entry = HoursEntry.objects.create(
        volunteer=ana,
        role=role,
        date=date(2026, 11, 18),
        starts_at=datetime(2026, 11, 18, 14, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 18, 16, 0, tzinfo=UTC),
        minutes=120,
        source=HoursSource.MANUAL,
    )
    services.reject_hours(entry=entry, by=coordinator, reason="  Not on the roster ")
    entry.refresh_from_db()
    assert _entries() == [
        (
            "volunteers.hours.rejected",
            coordinator.pk,
            ana.pk,
            "volunteers.hoursentry",
            {
                "decided_at": [None, str(entry.decided_at)],
                "decided_by": [None, coordinator.pk],
                "decision_note": ["", "Not on the roster"],
                "status": ["pending", "rejected"],
            },
        )
    ]


def test_a_failed_decision_writes_no_audit_row(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.h2@example.org")
    entry = HoursEntry.objects.create(
        volunteer=ana,
        role=make_role("Outreach"),
        date=date(2026, 11, 18),
        starts_at=datetime(2026, 11, 18, 14, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 18, 16, 0, tzinfo=UTC),
        minutes=120,
        source=HoursSource.MANUAL,
        status=HoursStatus.APPROVED,
    )
    with pytest.raises(VolunteeringError):
        services.approve_hours(entry=entry, by=coordinator)
    assert _entries() == []


def test_changing_a_volunteers_status_is_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.s@example.org")
    profile = ana.volunteer_profile
    services.set_volunteer_status(profile=profile, status=ProfileStatus.PAUSED, by=coordinator)
    assert _entries() == [
        (
            "volunteers.profile.status_changed",
            coordinator.pk,
            ana.pk,
            "volunteers.volunteerprofile",
            {"status": ["active", "paused"]},
        )
    ]


def test_training_records_recorded_verified_and_rejected_are_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.t@example.org")
    training = make_training("First aid", validity_months=12)
    recorded = services.record_training(
        volunteer=ana, training=training, completed_on=date(2026, 1, 10), by=coordinator
    )
    pending = make_record(ana, training, completed_on=date(2026, 2, 1), status="pending")
    other = make_record(ana, training, completed_on=date(2026, 3, 1), status="pending")
    services.verify_training_record(record=pending, by=coordinator)
    services.reject_training_record(record=other, by=coordinator, reason=" Blurred scan ")
    recorded.refresh_from_db()
    assert _entries() == [
        (
            "volunteers.training_record.recorded",
            coordinator.pk,
            ana.pk,
            "volunteers.trainingrecord",
            {
                "completed_on": [None, "2026-01-10"],
                "expires_on": [None, "2027-01-10"],
                "provider": [None, ""],
                "rejection_reason": [None, ""],
                "status": [None, "verified"],
                "training": [None, training.pk],
                "verified_at": [None, str(recorded.verified_at)],
                "verified_by": [None, coordinator.pk],
            },
        ),
        (
            "volunteers.training_record.verified",
            coordinator.pk,
            ana.pk,
            "volunteers.trainingrecord",
            {
                "status": ["pending", "verified"],
                "verified_at": [None, str(pending.verified_at)],
                "verified_by": [None, coordinator.pk],
            },
        ),
        (
            "volunteers.training_record.rejected",
            coordinator.pk,
            ana.pk,
            "volunteers.trainingrecord",
            {
                "rejection_reason": ["", "Blurred scan"],
                "status": ["pending", "rejected"],
                "verified_at": [None, str(other.verified_at)],
                "verified_by": [None, coordinator.pk],
            },
        ),
    ]


def test_assigning_moving_and_cancelling_with_the_shift_are_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.p@example.org")
    first = make_shift()
    second = make_shift(starts_at=first.starts_at + timedelta(days=1))
    placed = services.assign_volunteer(shift=first, volunteer=ana, by=coordinator)
    moved = services.move_signup(signup=placed, to_shift=second, by=coordinator)
    services.cancel_shift(shift=second, by=coordinator, reason=" Storm warning ")
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.order_by("pk")
    ] == [
        (
            "volunteers.signup.assigned",
            coordinator.pk,
            ana.pk,
            "volunteers.shiftsignup",
            str(placed.pk),
            {"shift": [None, first.pk], "status": [None, "confirmed"]},
            {"override_reason": ""},
        ),
        (
            "volunteers.signup.moved",
            coordinator.pk,
            ana.pk,
            "volunteers.shiftsignup",
            str(moved.pk),
            {"shift": [None, second.pk], "status": [None, "confirmed"]},
            {"override_reason": "", "moved_from_shift": first.pk},
        ),
        (
            "volunteers.shift.cancelled",
            coordinator.pk,
            None,
            "volunteers.shift",
            str(second.pk),
            {
                "cancellation_reason": ["", "Storm warning"],
                "status": ["published", "cancelled"],
            },
            {"signups_cancelled": 1},
        ),
        (
            "volunteers.signup.cancelled_with_shift",
            coordinator.pk,
            ana.pk,
            "volunteers.shiftsignup",
            str(moved.pk),
            {"status": ["confirmed", "cancelled"]},
            {"shift": second.pk},
        ),
    ]


def test_hours_added_and_edited_by_a_coordinator_are_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.m@example.org")
    role = make_role("Outreach")
    start = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
    entry = services.add_manual_hours(
        volunteer=ana,
        role=role,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        by=coordinator,
        note="Stall",
        time_zone="UTC",
    )
    added_at = entry.decided_at
    services.edit_hours(
        entry=entry, by=coordinator, starts_at=start, ends_at=start + timedelta(hours=3)
    )
    entry.refresh_from_db()
    assert _entries() == [
        (
            "volunteers.hours.added",
            coordinator.pk,
            ana.pk,
            "volunteers.hoursentry",
            {
                "date": [None, "2026-11-18"],
                "decided_at": [None, str(added_at)],
                "decided_by": [None, coordinator.pk],
                "decision_note": [None, ""],
                "ends_at": [None, "2026-11-18 16:00:00+00:00"],
                "minutes": [None, 120],
                "note": [None, "Stall"],
                "role": [None, role.pk],
                "source": [None, "manual"],
                "starts_at": [None, "2026-11-18 14:00:00+00:00"],
                "status": [None, "approved"],
            },
        ),
        (
            "volunteers.hours.edited",
            coordinator.pk,
            ana.pk,
            "volunteers.hoursentry",
            {
                "decided_at": [str(added_at), str(entry.decided_at)],
                "ends_at": ["2026-11-18 16:00:00+00:00", "2026-11-18 17:00:00+00:00"],
                "minutes": [120, 180],
            },
        ),
    ]


def test_a_no_show_is_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.n@example.org")
    shift = make_shift(starts_at=timezone.now() - timedelta(hours=1))
    signup = ShiftSignup.objects.create(
        shift=shift, volunteer=ana, status=ShiftSignupStatus.CONFIRMED, joined_at=timezone.now()
    )
    services.mark_no_show(signup=signup, by=coordinator)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.subject_id, entry.object_id) == (
        "volunteers.signup.no_show",
        coordinator.pk,
        ana.pk,
        str(signup.pk),
    )
    assert (entry.changes, entry.data) == (
        {"status": ["confirmed", "no_show"]},
        {"shift": shift.pk},
    )


def test_a_cancelled_place_and_recorded_attendance_are_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.c@example.org")
    ben = make_volunteer(first_name="Ben", email="ben.c@example.org")
    now = timezone.now()
    later = make_shift()
    started = make_shift(starts_at=now - timedelta(hours=2), hours=3)
    place = ShiftSignup.objects.create(
        shift=later, volunteer=ana, status=ShiftSignupStatus.CONFIRMED, joined_at=now
    )
    came = ShiftSignup.objects.create(
        shift=started, volunteer=ben, status=ShiftSignupStatus.CONFIRMED, joined_at=now
    )
    services.cancel_signup(signup=place, by=coordinator, reason=" Double booked ")
    check_in, check_out = now - timedelta(hours=2), now - timedelta(minutes=30)
    services.record_attendance(
        signup=came, by=coordinator, check_in_at=check_in, check_out_at=check_out
    )
    place.refresh_from_db()
    # The hours made from the attendance have their own entry (test_service_audit_more.py).
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.exclude(action__startswith="volunteers.hours.").order_by("pk")
    ] == [
        (
            "volunteers.signup.cancelled",
            coordinator.pk,
            ana.pk,
            str(place.pk),
            {
                "cancelled_at": [None, str(place.cancelled_at)],
                "status": ["confirmed", "cancelled"],
            },
            {"shift": later.pk, "reason": "Double booked"},
        ),
        (
            "volunteers.signup.attendance_recorded",
            coordinator.pk,
            ben.pk,
            str(came.pk),
            {
                "check_in_at": [None, str(check_in)],
                "check_out_at": [None, str(check_out)],
                "status": ["confirmed", "attended"],
            },
            {"shift": started.pk},
        ),
    ]


def test_session_places_attendance_and_completions_are_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.x@example.org")
    ben = make_volunteer(first_name="Ben", email="ben.x@example.org")
    training = make_training("Safeguarding basics", validity_months=None)
    past = make_session(training, starts_at=timezone.now() - timedelta(hours=4), time_zone="UTC")
    coming = make_session(training)
    places = {
        person.pk: SessionSignup.objects.create(
            session=past, volunteer=person, status=SignupStatus.CONFIRMED
        )
        for person in (ana, ben)
    }
    later = SessionSignup.objects.create(
        session=coming, volunteer=ana, status=SignupStatus.CONFIRMED
    )
    services.cancel_session_signup(signup=later, by=coordinator)
    assert services.mark_session_attendance(session=past, attended=[ana.pk], by=coordinator) == (
        1,
        1,
    )
    day = past.starts_at.date()
    [record] = services.record_session_completions(
        session=past, volunteer_ids=[ana.pk], completed_on=day, by=coordinator
    )
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.order_by("pk")
    ] == [
        (
            "volunteers.session_signup.cancelled",
            coordinator.pk,
            ana.pk,
            "volunteers.sessionsignup",
            str(later.pk),
            {"status": ["confirmed", "cancelled"]},
            {"session": coming.pk},
        ),
        (
            "volunteers.session_signup.attendance_marked",
            coordinator.pk,
            ana.pk,
            "volunteers.sessionsignup",
            str(places[ana.pk].pk),
            {"status": ["confirmed", "attended"]},
            {"session": past.pk},
        ),
        (
            "volunteers.session_signup.attendance_marked",
            coordinator.pk,
            ben.pk,
            "volunteers.sessionsignup",
            str(places[ben.pk].pk),
            {"status": ["confirmed", "no_show"]},
            {"session": past.pk},
        ),
        (
            "volunteers.training_record.recorded",
            coordinator.pk,
            ana.pk,
            "volunteers.trainingrecord",
            str(record.pk),
            {
                "completed_on": [None, str(day)],
                "provider": [None, ""],
                "rejection_reason": [None, ""],
                "status": [None, "verified"],
                "training": [None, training.pk],
                "verified_at": [None, str(record.verified_at)],
                "verified_by": [None, coordinator.pk],
            },
            {"session": past.pk},
        ),
    ]


def test_roles_and_trainings_created_and_changed_are_audited(coordinator: User) -> None:
    training = services.save_training(
        training=None, name=" First aid ", validity_months=24, by=coordinator
    )
    services.save_training(training=training, name="First aid", validity_months=12, by=coordinator)
    role = services.save_role(role=None, name="Outreach", by=coordinator)
    services.save_role(
        role=role, name="Outreach", minimum_age=18, required_trainings=[training], by=coordinator
    )
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.changes)
        for e in AuditEntry.objects.order_by("pk")
    ] == [
        (
            "volunteers.training.created",
            coordinator.pk,
            None,
            "volunteers.training",
            {
                "description": [None, ""],
                "name": [None, "First aid"],
                "validity_months": [None, 24],
            },
        ),
        (
            "volunteers.training.changed",
            coordinator.pk,
            None,
            "volunteers.training",
            {"validity_months": [24, 12]},
        ),
        (
            "volunteers.role.created",
            coordinator.pk,
            None,
            "volunteers.volunteerrole",
            {
                "active": [None, True],
                "description": [None, ""],
                "is_qualification": [None, False],
                "name": [None, "Outreach"],
                "required_clearance_types": [None, ""],
                "required_trainings": [None, ""],
            },
        ),
        (
            "volunteers.role.changed",
            coordinator.pk,
            None,
            "volunteers.volunteerrole",
            {"minimum_age": [None, 18], "required_trainings": ["", str(training.pk)]},
        ),
    ]


def test_a_shift_changed_and_published_is_audited(coordinator: User) -> None:
    draft = make_shift(status="draft", capacity=5)
    services.update_shift(shift=draft, by=coordinator, capacity=8, notes=" Bring water ")
    services.update_shift(shift=draft, by=coordinator, capacity=8)  # nothing changes
    services.publish_shift(shift=draft, by=coordinator)
    assert [
        (e.action, e.actor_id, e.object_type, e.object_id, e.changes)
        for e in AuditEntry.objects.order_by("pk")
    ] == [
        (
            "volunteers.shift.changed",
            coordinator.pk,
            "volunteers.shift",
            str(draft.pk),
            {"capacity": [5, 8], "notes": ["", "Bring water"]},
        ),
        (
            "volunteers.shift.published",
            coordinator.pk,
            "volunteers.shift",
            str(draft.pk),
            {"status": ["draft", "published"]},
        ),
    ]


def test_a_swap_offered_and_withdrawn_is_audited(coordinator: User) -> None:
    ana = make_volunteer(first_name="Ana", email="ana.w@example.org")
    shift = make_shift()
    place = ShiftSignup.objects.create(
        shift=shift, volunteer=ana, status=ShiftSignupStatus.CONFIRMED, joined_at=timezone.now()
    )
    offer = services.offer_swap(signup=place, by=ana, note=" Family visit ")
    services.withdraw_swap(offer=offer, by=coordinator)
    offer.refresh_from_db()
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.order_by("pk")
    ] == [
        (
            "volunteers.swap.offered",
            ana.pk,
            ana.pk,
            str(offer.pk),
            {"note": [None, "Family visit"], "status": [None, "open"]},
            {"signup": place.pk, "shift": shift.pk},
        ),
        (
            "volunteers.swap.withdrawn",
            coordinator.pk,
            ana.pk,
            str(offer.pk),
            {"decided_at": [None, str(offer.decided_at)], "status": ["open", "withdrawn"]},
            {},
        ),
    ]
