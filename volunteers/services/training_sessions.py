"""Training sessions: planning, changing and cancelling them, their sign-ups and waitlists,
and attendance. What a completed training leaves behind is in ``training_records``."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from accounts.permissions import user_can
from accounts.services import audit
from volunteers.models import (
    ProfileStatus,
    SessionSignup,
    SignupStatus,
    TrainingSession,
    VolunteerProfile,
)
from volunteers.models.trainings import ACTIVE_SIGNUP_STATUSES
from volunteers.services.errors import VolunteeringError


def validate_session_times(*, starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": "The session must end after it starts."})


def create_training_session(*, by: User | None, **fields: Any) -> TrainingSession:
    """Create a session after checking its times and capacity (``by`` None: the demo)."""
    validate_session_times(starts_at=fields.get("starts_at"), ends_at=fields.get("ends_at"))
    if fields.get("capacity", 0) < 1:
        raise ValidationError({"capacity": "A session needs room for at least one person."})
    session = TrainingSession(**fields)
    session.full_clean()
    with transaction.atomic():
        session.save()
        audit.record(
            "volunteers.session.created",
            actor=by,
            obj=session,
            changes=audit.changed_fields(
                {}, audit.snapshot(session, ("training", *sorted(EDITABLE_SESSION_FIELDS)))
            ),
        )
    return session


# A place stays taken once attendance is marked, whether the person came or not.
PLACE_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW)


def ensure_may_train(volunteer: User) -> None:
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
        ensure_may_train(volunteer)
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
                signup = SessionSignup.objects.create(
                    session=locked, volunteer=volunteer, status=status
                )
        except IntegrityError as exc:
            raise VolunteeringError(gettext("You already have a place at this session.")) from exc
        audit.record(
            "volunteers.session_signup.created"
            if status == SignupStatus.CONFIRMED
            else "volunteers.session_signup.waitlisted",
            actor=volunteer,
            subject=volunteer,
            obj=signup,
            changes=audit.changed_fields({}, {"status": signup.status}),
            data={"session": locked.pk},
        )
    return signup


def _promote_waitlisted(session: TrainingSession, by: User) -> SessionSignup | None:
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
        audit.record(
            "volunteers.session_signup.promoted",
            actor=by,
            subject=first.volunteer_id,
            obj=first,
            changes={"status": [SignupStatus.WAITLISTED.value, SignupStatus.CONFIRMED.value]},
            data={"session": session.pk},
        )
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
        promoted = None if _under_way(session) else _promote_waitlisted(session, by)
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
        audited = sorted(EDITABLE_SESSION_FIELDS)
        before = audit.snapshot(locked, audited)
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
        changes = audit.changed_fields(before, audit.snapshot(locked, audited))
        if changes:
            audit.record("volunteers.session.changed", actor=by, obj=locked, changes=changes)
        promoted: list[SessionSignup] = []
        while not _under_way(locked) and (signup := _promote_waitlisted(locked, by)) is not None:
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
        previous = {signup.pk: signup.status for signup in signups}
        for signup in signups:
            signup.status = SignupStatus.CANCELLED
            signup.updated_at = now
        SessionSignup.objects.bulk_update(signups, ["status", "updated_at"])
        audited = ("cancelled", "cancelled_at", "cancelled_by", "cancellation_reason")
        before = audit.snapshot(locked, audited)
        locked.cancelled = True
        locked.cancelled_at = now
        locked.cancelled_by = by
        locked.cancellation_reason = reason[:300]
        locked.save(update_fields=list(audited))
        audit.record(
            "volunteers.session.cancelled",
            actor=by,
            obj=locked,
            changes=audit.changed_fields(before, audit.snapshot(locked, audited)),
            data={"signups_cancelled": len(signups)},
        )
        for signup in signups:
            audit.record(
                "volunteers.session_signup.cancelled_with_session",
                actor=by,
                subject=signup.volunteer_id,
                obj=signup,
                changes=audit.changed_fields(
                    {"status": previous[signup.pk]}, {"status": signup.status}
                ),
                data={"session": locked.pk},
            )
    session.refresh_from_db()
    return signups
