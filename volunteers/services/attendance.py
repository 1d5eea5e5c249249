"""Check-in and check-out (by the shift's code, or by a coordinator), no-shows, derived hours.

A volunteer checks in with the code shown at the location (QR or link) from 30 minutes
before the shift starts until an hour after it ends; eligibility is checked again then.
"""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.permissions import user_can
from accounts.services import audit
from core.locales import zone_name
from volunteers.models import (
    HoursEntry,
    HoursSource,
    HoursStatus,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
)
from volunteers.services.errors import VolunteeringError
from volunteers.services.hours import HOURS_AUDITED_FIELDS
from volunteers.services.signups import NotEligible, active_signup, lock_shift, shift_eligibility
from volunteers.shift_text import local_time

CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)
CHECK_IN_CLOSES_AFTER = timedelta(hours=1)


def check_in_window(shift: Shift) -> tuple[datetime, datetime]:
    """When the shift's code works: from 30 minutes before the start to an hour after the end."""
    return shift.starts_at - CHECK_IN_OPENS_BEFORE, shift.ends_at + CHECK_IN_CLOSES_AFTER


def code_matches(shift: Shift, code: str) -> bool:
    return bool(code) and secrets.compare_digest(code.encode(), shift.check_in_code.encode())


def _checked_code(shift: Shift, code: str, now: datetime) -> None:
    if not code_matches(shift, code):
        raise VolunteeringError(
            gettext(
                "This check-in code is not for this shift. Scan the code shown where your shift is."
            )
        )
    if shift.status != ShiftStatus.PUBLISHED:
        raise VolunteeringError(gettext("This shift is not taking place."))
    opens, closes = check_in_window(shift)
    if now < opens:
        at = local_time(opens, shift.time_zone)
        raise VolunteeringError(
            gettext("Check-in opens at %(time)s (%(zone)s), 30 minutes before the shift.")
            % {"time": format(at, "%H:%M"), "zone": zone_name(shift.time_zone)}
        )
    if now > closes:
        raise VolunteeringError(
            gettext(
                "Check-in for this shift has closed. Ask the coordinator to record your attendance."
            )
        )


def _own_place(shift: Shift, volunteer: User) -> ShiftSignup:
    signup = active_signup(shift, volunteer.pk)
    if signup is None or signup.status == ShiftSignupStatus.WAITLISTED:
        raise VolunteeringError(gettext("You do not have a place on this shift."))
    return signup


def check_in_with_code(*, shift: Shift, volunteer: User, code: str) -> ShiftSignup:
    """The volunteer arrives. Checking in twice keeps the first time."""
    with transaction.atomic():
        locked = lock_shift(shift.pk)
        now = timezone.now()
        _checked_code(locked, code, now)
        signup = _own_place(locked, volunteer)
        if signup.check_in_at is not None:
            return signup
        eligibility = shift_eligibility(locked, volunteer)
        if not eligibility:
            raise NotEligible("You cannot check in for this shift.", eligibility.reasons)
        before = audit.snapshot(signup, ("check_in_at", "status"))
        signup.check_in_at = now
        signup.status = ShiftSignupStatus.ATTENDED
        signup.save(update_fields=["check_in_at", "status", "updated_at"])
        audit.record(
            "volunteers.signup.checked_in",
            actor=volunteer,
            subject=volunteer,
            obj=signup,
            changes=audit.changed_fields(before, audit.snapshot(signup, ("check_in_at", "status"))),
            data={"shift": locked.pk},
        )
    return signup


def check_out_with_code(*, shift: Shift, volunteer: User, code: str) -> ShiftSignup:
    """The volunteer leaves; their hours are recorded from check-in to now."""
    with transaction.atomic():
        locked = lock_shift(shift.pk)
        now = timezone.now()
        _checked_code(locked, code, now)
        signup = _own_place(locked, volunteer)
        if signup.check_in_at is None:
            raise VolunteeringError(gettext("Check in first."))
        if signup.check_out_at is not None:
            raise VolunteeringError(gettext("You have already checked out."))
        if now <= signup.check_in_at:  # pragma: no cover - clocks do not run backwards
            raise VolunteeringError(gettext("Check out after you have checked in."))
        signup.check_out_at = now
        signup.save(update_fields=["check_out_at", "updated_at"])
        audit.record(
            "volunteers.signup.checked_out",
            actor=volunteer,
            subject=volunteer,
            obj=signup,
            changes=audit.changed_fields({"check_out_at": None}, {"check_out_at": now}),
            data={"shift": locked.pk},
        )
        record_derived_hours(signup=signup, shift=locked, by=volunteer)
    return signup


def record_derived_hours(*, signup: ShiftSignup, shift: Shift, by: User) -> HoursEntry | None:
    """Hours from a check-in and check-out, approved at once (caller holds the shift lock).

    Hours a person has edited or that were entered by hand are left alone.
    """
    if signup.check_in_at is None or signup.check_out_at is None:
        return None
    minutes = int((signup.check_out_at - signup.check_in_at).total_seconds() // 60)
    entry = HoursEntry.objects.select_for_update(of=("self",)).filter(signup=signup).first()
    if minutes < 1:
        if entry is not None and entry.source == HoursSource.DERIVED:
            _audit_derived("volunteers.hours.derived_removed", entry, by, removed=True)
            entry.delete()
        return None
    day = timezone.localtime(signup.check_in_at, zoneinfo.ZoneInfo(shift.time_zone)).date()
    if entry is None:
        entry = HoursEntry.objects.create(
            volunteer_id=signup.volunteer_id,
            shift=shift,
            signup=signup,
            role=shift.role,
            date=day,
            starts_at=signup.check_in_at,
            ends_at=signup.check_out_at,
            minutes=minutes,
            source=HoursSource.DERIVED,
            status=HoursStatus.APPROVED,
            created_by=by,
        )
        _audit_derived("volunteers.hours.derived", entry, by)
        return entry
    if entry.source == HoursSource.DERIVED:
        before = audit.snapshot(entry, HOURS_AUDITED_FIELDS)
        entry.starts_at = signup.check_in_at
        entry.ends_at = signup.check_out_at
        entry.minutes = minutes
        entry.date = day
        entry.save(update_fields=["starts_at", "ends_at", "minutes", "date", "updated_at"])
        _audit_derived("volunteers.hours.derived_changed", entry, by, before=before)
    return entry


def _audit_derived(
    action: str,
    entry: HoursEntry,
    by: User,
    *,
    before: dict[str, object] | None = None,
    removed: bool = False,
) -> None:
    """Hours made, changed or removed from a check-in and check-out (by whoever recorded it)."""
    now = audit.snapshot(entry, HOURS_AUDITED_FIELDS)
    changes = audit.changed_fields(now, {}) if removed else audit.changed_fields(before or {}, now)
    if changes:
        audit.record(
            action,
            actor=by,
            subject=entry.volunteer_id,
            obj=entry,
            changes=changes,
            data={"shift": entry.shift_id, "signup": entry.signup_id},
        )


def _require_coordinator(by: User) -> None:
    if not user_can(by, "volunteering.manage"):
        raise VolunteeringError(gettext("Only a coordinator can record attendance for others."))


def record_attendance(
    *,
    signup: ShiftSignup,
    by: User,
    check_in_at: datetime,
    check_out_at: datetime | None = None,
    override_reason: str = "",
) -> ShiftSignup:
    """A coordinator records that someone came, with the times (from the roster).

    Someone not eligible for the shift needs an ``override_reason``, kept with who gave it.
    """
    _require_coordinator(by)
    if by.pk == signup.volunteer_id:
        # Recorded attendance becomes approved hours: nobody approves their own.
        raise VolunteeringError(gettext("Another coordinator must record your own attendance."))
    now = timezone.now()
    if check_in_at > now:
        raise ValidationError({"check_in_at": "The check-in time cannot be in the future."})
    if check_out_at is not None and check_out_at <= check_in_at:
        raise ValidationError({"check_out_at": "The check-out must be after the check-in."})
    if check_out_at is not None and check_out_at > now:
        raise ValidationError({"check_out_at": "The check-out time cannot be in the future."})
    with transaction.atomic():
        shift = lock_shift(signup.shift_id)
        locked = ShiftSignup.objects.select_for_update(of=("self",)).get(pk=signup.pk)
        if locked.status not in (
            ShiftSignupStatus.CONFIRMED,
            ShiftSignupStatus.ATTENDED,
            ShiftSignupStatus.NO_SHOW,
        ):
            raise VolunteeringError(
                gettext("Only someone with a place on the shift can attend it.")
            )
        if shift.status == ShiftStatus.CANCELLED:
            raise VolunteeringError(gettext("This shift was cancelled."))
        if shift.starts_at - CHECK_IN_OPENS_BEFORE > now:
            raise VolunteeringError(
                gettext("Attendance can be recorded from 30 minutes before the shift.")
            )
        day = timedelta(hours=24)
        if not shift.starts_at - day <= check_in_at <= shift.ends_at:
            raise ValidationError(
                {"check_in_at": "The check-in must be on the day of the shift, before it ends."}
            )
        if check_out_at is not None and check_out_at > shift.ends_at + day:
            raise ValidationError(
                {"check_out_at": "The check-out must be within a day of the shift's end."}
            )
        eligibility = shift_eligibility(shift, locked.volunteer_id)
        fields = ["check_in_at", "check_out_at", "status", "updated_at"]
        audited = ("check_in_at", "check_out_at", "status", "override_by", "override_reason")
        before = audit.snapshot(locked, audited)
        if not eligibility:
            reason = override_reason.strip()
            if not reason:
                raise NotEligible(
                    "To record attendance anyway, give a reason for the override.",
                    eligibility.reasons,
                )
            locked.override_by = by
            locked.override_reason = reason
            fields += ["override_by", "override_reason"]
        locked.check_in_at = check_in_at
        locked.check_out_at = check_out_at
        locked.status = ShiftSignupStatus.ATTENDED
        locked.save(update_fields=fields)
        audit.record(
            "volunteers.signup.attendance_recorded",
            actor=by,
            subject=locked.volunteer,
            obj=locked,
            changes=audit.changed_fields(before, audit.snapshot(locked, audited)),
            data={"shift": shift.pk},
        )
        record_derived_hours(signup=locked, shift=shift, by=by)
    signup.refresh_from_db()
    return signup


def mark_no_show(*, signup: ShiftSignup, by: User) -> ShiftSignup:
    """A coordinator records that someone with a place did not come."""
    _require_coordinator(by)
    with transaction.atomic():
        shift = lock_shift(signup.shift_id)
        locked = ShiftSignup.objects.select_for_update(of=("self",)).get(pk=signup.pk)
        if shift.starts_at > timezone.now():
            raise VolunteeringError(
                gettext("A no-show can be recorded once the shift has started.")
            )
        if locked.status == ShiftSignupStatus.ATTENDED:
            raise VolunteeringError(
                gettext(
                    "This person checked in. Change their attendance instead of marking a no-show."
                )
            )
        if locked.status != ShiftSignupStatus.CONFIRMED:
            raise VolunteeringError(
                gettext("Only someone with a place on the shift can be a no-show.")
            )
        before = locked.status
        locked.status = ShiftSignupStatus.NO_SHOW
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            "volunteers.signup.no_show",
            actor=by,
            subject=locked.volunteer,
            obj=locked,
            changes=audit.changed_fields({"status": before}, {"status": locked.status}),
            data={"shift": shift.pk},
        )
    signup.refresh_from_db()
    return signup
