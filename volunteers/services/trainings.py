"""Training sessions, their sign-ups and waitlists, attendance and training records."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from accounts.permissions import user_can
from accounts.services import audit
from core.dates import org_today
from volunteers.models import (
    ProfileStatus,
    RecordStatus,
    SessionSignup,
    SignupStatus,
    Training,
    TrainingRecord,
    TrainingSession,
    VolunteerProfile,
)
from volunteers.models.trainings import ACTIVE_SIGNUP_STATUSES
from volunteers.services.errors import VolunteeringError
from volunteers.validators import detect_document, store_document


def validate_session_times(*, starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": "The session must end after it starts."})


def validate_completion_date(completed_on: date) -> None:
    if completed_on > org_today():
        raise ValidationError(
            {"completed_on": "A training cannot be completed in the future. Check the date."}
        )


def create_training_session(**fields: Any) -> TrainingSession:
    """Create a session after checking its times and capacity."""
    validate_session_times(starts_at=fields.get("starts_at"), ends_at=fields.get("ends_at"))
    if fields.get("capacity", 0) < 1:
        raise ValidationError({"capacity": "A session needs room for at least one person."})
    session = TrainingSession(**fields)
    session.full_clean()
    session.save()
    return session


# A place stays taken once attendance is marked, whether the person came or not.
PLACE_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW)


def _ensure_may_train(volunteer: User) -> None:
    """Applicants may train while their application is reviewed, paused volunteers too;
    people who left or were declined may not."""
    status = (
        VolunteerProfile.objects.filter(user=volunteer).values_list("status", flat=True).first()
    )
    if status in (ProfileStatus.LEFT, ProfileStatus.DECLINED):
        raise VolunteeringError(
            gettext(
                "Only current volunteers and applicants can book or record training. Please "
                "contact the coordinator."
            )
        )


def _places_taken(session: TrainingSession) -> int:
    return SessionSignup.objects.filter(session=session, status__in=PLACE_STATUSES).count()


def _active_signup(session: TrainingSession, volunteer: User) -> SessionSignup | None:
    return (
        SessionSignup.objects.filter(
            session=session, volunteer=volunteer, status__in=ACTIVE_SIGNUP_STATUSES
        )
        .order_by("-pk")
        .first()
    )


def sign_up_for_session(*, session: TrainingSession, volunteer: User) -> SessionSignup:
    """A place if one is free, otherwise a place on the waitlist, in order of sign-up.

    The session row is locked while places are counted, so two people never get the last one.
    """
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if locked.cancelled:
            raise VolunteeringError(gettext("This session has been cancelled."))
        if locked.starts_at <= timezone.now():
            raise VolunteeringError(
                gettext("This session has already started; choose a later one.")
            )
        _ensure_may_train(volunteer)
        existing = _active_signup(locked, volunteer)
        if existing is not None:
            raise VolunteeringError(
                "You are already on the waitlist for this session."
                if existing.status == SignupStatus.WAITLISTED
                else "You already have a place at this session."
            )
        taken = _places_taken(locked)
        status = SignupStatus.CONFIRMED if taken < locked.capacity else SignupStatus.WAITLISTED
        try:
            with transaction.atomic():
                return SessionSignup.objects.create(
                    session=locked, volunteer=volunteer, status=status
                )
        except IntegrityError as exc:
            raise VolunteeringError(gettext("You already have a place at this session.")) from exc


def _promote_waitlisted(session: TrainingSession) -> SessionSignup | None:
    """Give a freed place to the first person waiting (caller holds the session lock)."""
    if _places_taken(session) >= session.capacity:
        return None
    first = (
        SessionSignup.objects.select_for_update()
        .filter(session=session, status=SignupStatus.WAITLISTED)
        .order_by("created_at", "pk")
        .first()
    )
    if first is not None:
        first.status = SignupStatus.CONFIRMED
        first.save(update_fields=["status", "updated_at"])
    return first


def cancel_session_signup(*, signup: SessionSignup, by: User) -> SessionSignup | None:
    """Cancel a place or a waitlist entry; returns whoever was promoted into the place."""
    with transaction.atomic():
        session = TrainingSession.objects.select_for_update(of=("self",)).get(pk=signup.session_id)
        locked = SessionSignup.objects.select_for_update().get(pk=signup.pk)
        if locked.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
            raise VolunteeringError(gettext("This sign-up cannot be cancelled any more."))
        if session.starts_at <= timezone.now() and not _is_coordinator(by):
            raise VolunteeringError(
                gettext("The session has started; tell the coordinator instead.")
            )
        before = locked.status
        locked.status = SignupStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            "volunteers.session_signup.cancelled",
            actor=by,
            subject=locked.volunteer_id,
            obj=locked,
            changes=audit.changed_fields({"status": before}, {"status": locked.status}),
            data={"session": session.pk},
        )
        # Nobody is moved into a session already under way: they would not know to come.
        promoted = None if _under_way(session) else _promote_waitlisted(session)
    signup.refresh_from_db()
    return promoted


def _is_coordinator(user: User) -> bool:
    return user_can(user, "volunteering.manage")


def mark_session_attendance(
    *, session: TrainingSession, attended: Iterable[int], by: User
) -> tuple[int, int]:
    """Mark the confirmed people in ``attended`` (user ids) as attended, the rest as no-shows.

    Returns (attended, no-shows).
    """
    attended_ids = set(attended)
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if locked.starts_at > timezone.now():
            raise VolunteeringError(
                gettext("Attendance can be marked once the session has started.")
            )
        signups = list(
            SessionSignup.objects.select_for_update().filter(
                session=session,
                status__in=[SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW],
            )
        )
        unknown = attended_ids - {s.volunteer_id for s in signups}
        if unknown:
            raise VolunteeringError(
                gettext("Only people with a place at this session can attend it.")
            )
        present = absent = 0
        for signup in signups:
            new = (
                SignupStatus.ATTENDED
                if signup.volunteer_id in attended_ids
                else SignupStatus.NO_SHOW
            )
            present += new == SignupStatus.ATTENDED
            absent += new == SignupStatus.NO_SHOW
            if signup.status != new:
                before = signup.status
                signup.status = new
                signup.save(update_fields=["status", "updated_at"])
                audit.record(
                    "volunteers.session_signup.attendance_marked",
                    actor=by,
                    subject=signup.volunteer_id,
                    obj=signup,
                    changes=audit.changed_fields({"status": before}, {"status": new}),
                    data={"session": locked.pk},
                )
    return present, absent


def session_local_date(session: TrainingSession) -> date:
    """The day a session starts, in its own time zone (the date people there would write)."""
    return timezone.localtime(session.starts_at, zoneinfo.ZoneInfo(session.time_zone)).date()


def record_session_completions(
    *, session: TrainingSession, volunteer_ids: Iterable[int], completed_on: date, by: User
) -> list[TrainingRecord]:
    """Verified training records for everyone who attended; running it again adds nothing."""
    validate_completion_date(completed_on)
    if completed_on < session_local_date(session):
        raise ValidationError({"completed_on": "The completion date cannot be before the session."})
    ids = set(volunteer_ids)
    with transaction.atomic():
        # The session lock makes a double-submitted form wait, then find the records made.
        TrainingSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        attended = set(
            SessionSignup.objects.filter(
                session=session, status=SignupStatus.ATTENDED, volunteer_id__in=ids
            ).values_list("volunteer_id", flat=True)
        )
        if ids - attended:
            raise VolunteeringError(
                gettext(
                    "Mark attendance first: only people who attended can complete the training."
                )
            )
        already = set(
            TrainingRecord.objects.filter(session=session, volunteer_id__in=ids).values_list(
                "volunteer_id", flat=True
            )
        )
        training = session.training
        now = timezone.now()
        records = [
            TrainingRecord(
                volunteer_id=volunteer_id,
                training=training,
                session=session,
                completed_on=completed_on,
                expires_on=training.expiry_for(completed_on),
                status=RecordStatus.VERIFIED,
                verified_by=by,
                verified_at=now,
            )
            for volunteer_id in sorted(ids - already)
        ]
        created = TrainingRecord.objects.bulk_create(records)
        for record in created:
            audit.record(
                "volunteers.training_record.recorded",
                actor=by,
                subject=record.volunteer_id,
                obj=record,
                changes=audit.changed_fields({}, audit.snapshot(record, RECORD_AUDITED_FIELDS)),
                data={"session": session.pk},
            )
        return created


def record_training(
    *, volunteer: User, training: Training, completed_on: date, by: User, provider: str = ""
) -> TrainingRecord:
    """A coordinator records a completion directly (verified at once)."""
    validate_completion_date(completed_on)
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            volunteer=volunteer,
            training=training,
            completed_on=completed_on,
            expires_on=training.expiry_for(completed_on),
            status=RecordStatus.VERIFIED,
            provider=provider,
            verified_by=by,
            verified_at=timezone.now(),
        )
        audit.record(
            "volunteers.training_record.recorded",
            actor=by,
            subject=volunteer,
            obj=record,
            changes=audit.changed_fields({}, audit.snapshot(record, RECORD_AUDITED_FIELDS)),
        )
    return record


# What a training record's audit entries compare.
RECORD_AUDITED_FIELDS = (
    "training",
    "completed_on",
    "expires_on",
    "status",
    "provider",
    "verified_by",
    "verified_at",
    "rejection_reason",
)


def _audit_decision(
    action: str, locked: TrainingRecord, before: dict[str, object], by: User
) -> None:
    audit.record(
        action,
        actor=by,
        subject=locked.volunteer,
        obj=locked,
        changes=audit.changed_fields(before, audit.snapshot(locked, RECORD_AUDITED_FIELDS)),
    )


def submit_outside_training(
    *,
    volunteer: User,
    training: Training,
    completed_on: date,
    provider: str,
    evidence: File[bytes],
) -> TrainingRecord:
    """A volunteer's certificate from elsewhere, waiting for a coordinator to verify it."""
    validate_completion_date(completed_on)
    try:
        kind = detect_document(evidence)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from exc
    _ensure_may_train(volunteer)
    record = TrainingRecord(
        volunteer=volunteer,
        training=training,
        completed_on=completed_on,
        expires_on=training.expiry_for(completed_on),
        status=RecordStatus.PENDING,
        provider=provider.strip(),
    )
    store_document(record.evidence, evidence, kind)
    try:
        with transaction.atomic():
            record.save()
    except Exception:
        record.evidence.delete(save=False)  # no file without its record
        raise
    return record


def verify_training_record(*, record: TrainingRecord, by: User) -> None:
    with transaction.atomic():
        locked = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != RecordStatus.PENDING:
            raise VolunteeringError(gettext("This record was already checked."))
        before = audit.snapshot(locked, RECORD_AUDITED_FIELDS)
        locked.status = RecordStatus.VERIFIED
        locked.verified_by = by
        locked.verified_at = timezone.now()
        locked.save(update_fields=["status", "verified_by", "verified_at"])
        _audit_decision("volunteers.training_record.verified", locked, before, by)
    record.refresh_from_db()


def reject_training_record(*, record: TrainingRecord, by: User, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": "Write a reason: the volunteer will see it."})
    with transaction.atomic():
        locked = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != RecordStatus.PENDING:
            raise VolunteeringError(gettext("This record was already checked."))
        before = audit.snapshot(locked, RECORD_AUDITED_FIELDS)
        locked.status = RecordStatus.REJECTED
        locked.verified_by = by
        locked.verified_at = timezone.now()
        locked.rejection_reason = reason.strip()
        locked.save(update_fields=["status", "verified_by", "verified_at", "rejection_reason"])
        _audit_decision("volunteers.training_record.rejected", locked, before, by)
    record.refresh_from_db()


def _under_way(session: TrainingSession) -> bool:
    return session.starts_at <= timezone.now()


# What a coordinator may change about a session (its training stays).
EDITABLE_SESSION_FIELDS = frozenset(
    {"starts_at", "ends_at", "time_zone", "place", "online_url", "trainer", "capacity", "notes"}
)


def update_training_session(
    *, session: TrainingSession, by: User, **fields: Any
) -> list[SessionSignup]:
    """Change a session's times, place, trainer, capacity or notes.

    The capacity cannot drop below the places already taken; when it rises, the new places go
    to the waitlist in order (not once the session is under way). Returns the people promoted.
    """
    unknown = set(fields) - EDITABLE_SESSION_FIELDS
    if unknown:
        raise TypeError(f"update_training_session() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if locked.cancelled:
            raise VolunteeringError(
                gettext("This session was cancelled; it can no longer be changed.")
            )
        times_change = any(
            name in fields and fields[name] != getattr(locked, name)
            for name in ("starts_at", "ends_at")
        )
        for name, value in fields.items():
            setattr(locked, name, value)
        validate_session_times(starts_at=locked.starts_at, ends_at=locked.ends_at)
        if locked.capacity < 1:
            raise ValidationError({"capacity": "A session needs room for at least one person."})
        marked = SessionSignup.objects.filter(
            session=locked, status__in=[SignupStatus.ATTENDED, SignupStatus.NO_SHOW]
        ).exists()
        if times_change and marked:
            raise ValidationError(
                {"starts_at": "Attendance is already marked, so the date and times cannot change."}
            )
        taken = _places_taken(locked)
        if locked.capacity < taken:
            raise ValidationError(
                {
                    "capacity": ngettext(
                        "%(count)d person already has a place, so the session needs at least "
                        "%(count)d place. Cancel places on the roster first.",
                        "%(count)d people already have a place, so the session needs at least "
                        "%(count)d places. Cancel places on the roster first.",
                        taken,
                    )
                    % {"count": taken}
                }
            )
        locked.full_clean()
        locked.save(update_fields=sorted(fields))
        promoted: list[SessionSignup] = []
        while not _under_way(locked) and (signup := _promote_waitlisted(locked)) is not None:
            promoted.append(signup)
    session.refresh_from_db()
    return promoted


def cancel_training_session(
    *, session: TrainingSession, by: User, reason: str
) -> list[SessionSignup]:
    """Cancel a session that has not finished, and every place and waitlist entry at it.

    The reason, who and when are kept on the session. Returns the sign-ups cancelled.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Write a reason: it stays on the session's record."})
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if locked.cancelled:
            raise VolunteeringError(gettext("This session is already cancelled."))
        if locked.ends_at <= timezone.now():
            raise VolunteeringError(
                gettext("This session has already finished; it cannot be cancelled.")
            )
        signups = list(
            SessionSignup.objects.select_for_update(of=("self",))
            .filter(session=locked, status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED])
            .select_related("volunteer")
            .order_by("created_at", "pk")
        )
        now = timezone.now()
        for signup in signups:
            signup.status = SignupStatus.CANCELLED
            signup.updated_at = now
        SessionSignup.objects.bulk_update(signups, ["status", "updated_at"])
        locked.cancelled = True
        locked.cancelled_at = now
        locked.cancelled_by = by
        locked.cancellation_reason = reason[:300]
        locked.save(
            update_fields=["cancelled", "cancelled_at", "cancelled_by", "cancellation_reason"]
        )
    session.refresh_from_db()
    return signups
