"""Coordinators plan shifts: create, change, publish, cancel; assign and move volunteers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from accounts.models import User
from accounts.services import audit
from core.locales import translated
from volunteers.models import (
    Location,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    SwapOffer,
    SwapStatus,
    VolunteerRole,
)
from volunteers.services.errors import VolunteeringError
from volunteers.services.messaging import (
    notify_shift_cancelled,
    notify_shift_changed,
    notify_signup_cancelled,
    notify_signup_confirmed,
)
from volunteers.services.reminders import reschedule_shift_reminders
from volunteers.services.signups import (
    NotEligible,
    active_signup,
    lock_people,
    lock_shift,
    lock_shifts,
    overlap_message,
    overlapping_shift,
    places_taken,
    promote_waitlisted,
    shift_eligibility,
    withdraw_open_offers,
)
from volunteers.shift_text import time_range_text

# Also the forms' message (volunteers.forms.shifts), and a check constraint in the database.
NO_PLACES = gettext_lazy("A shift needs at least one place. To stop a shift, cancel it.")


def validate_shift_fields(
    *, starts_at: datetime | None, ends_at: datetime | None, capacity: int | None
) -> None:
    """Form-level checks, as a ValidationError naming the field."""
    errors: dict[str, str] = {}
    if starts_at is not None and timezone.is_naive(starts_at):
        errors["starts_at"] = "Give the start with its time zone."
    elif starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The shift must end after it starts."
    if capacity is not None and capacity < 1:
        errors["capacity"] = str(NO_PLACES)
    if errors:
        raise ValidationError(errors)


def create_shift(
    *,
    role: VolunteerRole,
    location: Location,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    by: User | None,
    notes: str = "",
    online_link: str = "",
    status: str = ShiftStatus.PUBLISHED,
) -> Shift:
    validate_shift_fields(starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    if status not in (ShiftStatus.DRAFT, ShiftStatus.PUBLISHED):
        raise ValidationError({"status": "A new shift is a draft or published."})
    shift = Shift(
        role=role,
        location=location,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        notes=notes.strip(),
        online_link=online_link.strip(),
        status=status,
        created_by=by,
    )
    shift.full_clean()
    with transaction.atomic():
        shift.save()
        audit.record(
            "volunteers.shift.created",
            actor=by,
            obj=shift,
            changes=audit.changed_fields({}, audit.snapshot(shift, CREATED_SHIFT_FIELDS)),
        )
    return shift


EDITABLE_SHIFT_FIELDS = frozenset(
    {"role", "location", "starts_at", "ends_at", "capacity", "notes", "online_link"}
)
# What a new shift's audit entry records.
CREATED_SHIFT_FIELDS = (*sorted(EDITABLE_SHIFT_FIELDS), "status")


def capacity_message(taken: int) -> str:
    return ngettext(
        "%(count)d person already has a place, so the shift needs at least %(count)d place. "
        "Cancel or move people on the roster first.",
        "%(count)d people already have a place, so the shift needs at least %(count)d places. "
        "Cancel or move people on the roster first.",
        taken,
    ) % {"count": taken}


@dataclass(frozen=True)
class ShiftChange:
    """What changed on a shift that the people signed up may need to hear about. Put in words
    by ``words`` in the active language, so each person reads it in their own."""

    shift: Shift
    changed: frozenset[str]
    old_times: tuple[datetime, datetime, str]
    previous_starts_at: datetime

    def words(self) -> list[str]:
        """What changed, in words in the active language (none: nothing to tell)."""
        if not self.changed:
            return []
        return change_words(self.shift, set(self.changed), time_range_text(*self.old_times))

    @property
    def worth_telling(self) -> bool:
        return bool(self.words())


def apply_shift_changes(locked: Shift, fields: dict[str, Any]) -> ShiftChange:
    """Change a locked shift; returns the changes people signed up must hear about.

    Refuses (ValidationError on the field) a capacity below the places taken, an end before
    the start, and new times once attendance is recorded.
    """
    unknown = set(fields) - EDITABLE_SHIFT_FIELDS
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))} of a shift")
    if locked.status == ShiftStatus.CANCELLED:
        raise VolunteeringError(gettext("This shift was cancelled; it can no longer be changed."))
    before = {name: getattr(locked, name) for name in EDITABLE_SHIFT_FIELDS}
    previous_starts_at = locked.starts_at
    old_times = (locked.starts_at, locked.ends_at, locked.time_zone)
    for name, value in fields.items():
        setattr(locked, name, value.strip() if name in ("notes", "online_link") else value)
    validate_shift_fields(
        starts_at=locked.starts_at, ends_at=locked.ends_at, capacity=locked.capacity
    )
    changed = {name for name in EDITABLE_SHIFT_FIELDS if getattr(locked, name) != before[name]}
    if not changed:
        return ShiftChange(locked, frozenset(), old_times, previous_starts_at)
    times = bool(changed & {"starts_at", "ends_at"})
    if (
        times
        and ShiftSignup.objects.filter(
            shift=locked, status__in=[ShiftSignupStatus.ATTENDED, ShiftSignupStatus.NO_SHOW]
        ).exists()
    ):
        raise ValidationError(
            {"starts_at": "Attendance is already recorded, so the times cannot change."}
        )
    taken = places_taken(locked)
    if locked.capacity < taken:
        raise ValidationError({"capacity": capacity_message(taken)})
    locked.full_clean()
    locked.save()
    return ShiftChange(locked, frozenset(changed), old_times, previous_starts_at)


def change_words(locked: Shift, changed: set[str], old_range: str) -> list[str]:
    """What changed on the shift, in words in the active language for the people signed up."""
    words: list[str] = []
    if "role" in changed:
        words.append(
            gettext("The role is now %(role)s.") % {"role": translated(locked.role, "name")}
        )
    if changed & {"starts_at", "ends_at", "location"}:
        new_range = time_range_text(locked.starts_at, locked.ends_at, locked.time_zone)
        if new_range != old_range:
            words.append(
                gettext("The time changed from %(before)s to %(after)s.")
                % {"before": old_range, "after": new_range}
            )
    if "location" in changed:
        words.append(gettext("The place is now %(place)s.") % {"place": locked.location.name})
    if "notes" in changed:
        words.append(gettext("The notes changed."))
    if "online_link" in changed:
        words.append(
            gettext("The online link changed: see the shift's page.")
            if locked.online_link
            else gettext("The shift no longer has an online link.")
        )
    return words


def people_to_tell(shift: Shift) -> list[ShiftSignup]:
    return list(
        ShiftSignup.objects.filter(
            shift=shift,
            status__in=[ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.WAITLISTED],
        )
        .select_related("volunteer")
        .order_by("joined_at", "pk")
    )


def update_shift(*, shift: Shift, by: User, **fields: Any) -> list[ShiftSignup]:
    """Change a shift (one occurrence of a series too). People signed up hear what changed;
    a raised capacity fills from the waitlist. Returns the people promoted."""
    with transaction.atomic():
        locked = lock_shift(shift.pk)
        audited = sorted(EDITABLE_SHIFT_FIELDS)
        before = audit.snapshot(locked, audited)
        change = apply_shift_changes(locked, fields)
        changes = audit.changed_fields(before, audit.snapshot(locked, audited))
        if changes:
            audit.record("volunteers.shift.changed", actor=by, obj=locked, changes=changes)
        if change.worth_telling and locked.status == ShiftStatus.PUBLISHED:
            notify_shift_changed(
                locked, people_to_tell(locked), change.words, change.previous_starts_at
            )
        promoted = promote_waitlisted(locked, by=by)
    shift.refresh_from_db()
    return promoted


def publish_shift(*, shift: Shift, by: User) -> None:
    with transaction.atomic():
        locked = lock_shift(shift.pk)
        if locked.status != ShiftStatus.DRAFT:
            raise VolunteeringError(gettext("Only a draft shift can be published."))
        locked.status = ShiftStatus.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            "volunteers.shift.published",
            actor=by,
            obj=locked,
            changes={"status": [ShiftStatus.DRAFT.value, ShiftStatus.PUBLISHED.value]},
        )
        # People placed on the draft: their reminders start now.
        reschedule_shift_reminders(locked)
    shift.refresh_from_db()


def cancel_locked_shift(locked: Shift, *, by: User | None, reason: str) -> list[ShiftSignup]:
    """Cancel a locked shift and every place and waitlist entry on it; people hear why."""
    now = timezone.now()
    signups = list(
        ShiftSignup.objects.select_for_update(of=("self",))
        .filter(
            shift=locked,
            status__in=[ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.WAITLISTED],
        )
        .select_related("volunteer")
        .order_by("joined_at", "pk")
    )
    previous = {signup.pk: signup.status for signup in signups}
    for signup in signups:
        signup.status = ShiftSignupStatus.CANCELLED
        signup.cancelled_at = now
        signup.updated_at = now
    ShiftSignup.objects.bulk_update(signups, ["status", "cancelled_at", "updated_at"])
    SwapOffer.objects.filter(signup__shift=locked, status=SwapStatus.OPEN).update(
        status=SwapStatus.WITHDRAWN, decided_at=now
    )
    was_published = locked.status == ShiftStatus.PUBLISHED
    before_status = locked.status
    locked.status = ShiftStatus.CANCELLED
    locked.cancelled_at = now
    locked.cancelled_by = by
    locked.cancellation_reason = reason[:300]
    locked.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancelled_by",
            "cancellation_reason",
            "updated_at",
        ]
    )
    audit.record(
        "volunteers.shift.cancelled",
        actor=by,
        obj=locked,
        changes=audit.changed_fields(
            {"status": before_status, "cancellation_reason": ""},
            {"status": locked.status, "cancellation_reason": locked.cancellation_reason},
        ),
        data={"signups_cancelled": len(signups)},
    )
    for signup in signups:
        audit.record(
            "volunteers.signup.cancelled_with_shift",
            actor=by,
            subject=signup.volunteer,
            obj=signup,
            changes=audit.changed_fields(
                {"status": previous[signup.pk]}, {"status": signup.status}
            ),
            data={"shift": locked.pk},
        )
    if was_published:
        notify_shift_cancelled(locked, signups)
    return signups


def cancel_shift(*, shift: Shift, by: User, reason: str) -> list[ShiftSignup]:
    """Cancel a shift that has not ended. Returns the sign-ups cancelled with it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Write a reason: the people signed up will see it."})
    with transaction.atomic():
        locked = lock_shift(shift.pk)
        if locked.status == ShiftStatus.CANCELLED:
            raise VolunteeringError(gettext("This shift is already cancelled."))
        if locked.ends_at <= timezone.now():
            raise VolunteeringError(
                gettext("This shift has already ended; it cannot be cancelled.")
            )
        signups = cancel_locked_shift(locked, by=by, reason=reason)
    shift.refresh_from_db()
    return signups


def _placement_problems(shift: Shift, volunteer: User, *, leaving: Shift | None) -> list[str]:
    """Why the volunteer should not have a place on the shift (for a coordinator to override)."""
    problems = list(shift_eligibility(shift, volunteer).reasons)
    other = overlapping_shift(
        volunteer.pk,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        exclude_shift_ids=[shift.pk] + ([leaving.pk] if leaving else []),
    )
    if other is not None:
        problems.append(overlap_message(other, you=False))
    taken = places_taken(shift)
    if taken >= shift.capacity:
        problems.append(
            ngettext(
                "The shift is full (%(taken)d of %(capacity)d place taken).",
                "The shift is full (%(taken)d of %(capacity)d places taken).",
                shift.capacity,
            )
            % {"taken": taken, "capacity": shift.capacity}
        )
    return problems


def _place(
    shift: Shift, volunteer: User, *, by: User, override_reason: str, leaving: Shift | None
) -> ShiftSignup:
    """Give the volunteer a confirmed place on the locked shift (shared by assign and move)."""
    if shift.status == ShiftStatus.CANCELLED:
        raise VolunteeringError(gettext("This shift has been cancelled."))
    existing = active_signup(shift, volunteer.pk)
    if existing is not None and existing.status != ShiftSignupStatus.WAITLISTED:
        raise VolunteeringError(gettext("This volunteer already has a place on this shift."))
    problems = _placement_problems(shift, volunteer, leaving=leaving)
    reason = override_reason.strip()
    if problems and not reason:
        raise NotEligible(
            "To place this volunteer anyway, give a reason for the override.", problems
        )
    signup = existing or ShiftSignup(shift=shift, volunteer=volunteer, joined_at=timezone.now())
    before = {"status": existing.status if existing else None, "shift": existing and shift}
    signup.status = ShiftSignupStatus.CONFIRMED
    signup.skip_reason = ""
    if problems:
        signup.override_by = by
        signup.override_reason = reason
    signup.save()
    audit.record(
        "volunteers.signup.moved" if leaving is not None else "volunteers.signup.assigned",
        actor=by,
        subject=volunteer,
        obj=signup,
        changes=audit.changed_fields(before, {"status": signup.status, "shift": shift}),
        data={
            "override_reason": reason if problems else "",
            **({"moved_from_shift": leaving.pk} if leaving is not None else {}),
        },
    )
    signup.shift = shift
    signup.volunteer = volunteer
    notify_signup_confirmed(signup)
    return signup


def assign_volunteer(
    *, shift: Shift, volunteer: User, by: User, override_reason: str = ""
) -> ShiftSignup:
    """A coordinator gives a volunteer a place. If the volunteer is not eligible, overlaps
    another shift or the shift is full, it takes an ``override_reason``, recorded with who."""
    with transaction.atomic():
        locked = lock_shift(shift.pk)
        lock_people(volunteer.pk)
        return _place(locked, volunteer, by=by, override_reason=override_reason, leaving=None)


def move_signup(
    *, signup: ShiftSignup, to_shift: Shift, by: User, override_reason: str = ""
) -> ShiftSignup:
    """A coordinator moves a volunteer's place (or waitlist entry) to another shift.

    Both shifts are locked in pk order; the old place goes to its waitlist."""
    if signup.shift_id == to_shift.pk:
        raise VolunteeringError(gettext("Choose another shift to move this volunteer to."))
    with transaction.atomic():
        shifts = lock_shifts(signup.shift_id, to_shift.pk)
        source, target = shifts[signup.shift_id], shifts[to_shift.pk]
        old = (
            ShiftSignup.objects.select_for_update(of=("self",))
            .select_related("volunteer")
            .get(pk=signup.pk)
        )
        if old.status not in (ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.WAITLISTED):
            raise VolunteeringError(
                gettext("Only a confirmed or waitlisted volunteer can be moved.")
            )
        lock_people(old.volunteer_id)
        new = _place(target, old.volunteer, by=by, override_reason=override_reason, leaving=source)
        now = timezone.now()
        old.status = ShiftSignupStatus.CANCELLED
        old.cancelled_at = now
        old.save(update_fields=["status", "cancelled_at", "updated_at"])
        withdraw_open_offers(old, now)
        old.shift = source
        notify_signup_cancelled(old, "", moved_to=target)
        promote_waitlisted(source, by=by)
    signup.refresh_from_db()
    return new
