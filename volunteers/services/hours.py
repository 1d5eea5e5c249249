"""Hours entered by hand or edited, and the coordinators' approval queue."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.permissions import user_can
from accounts.services import audit
from core.dates import org_zone
from volunteers.models import HoursEntry, HoursSource, HoursStatus, VolunteerRole
from volunteers.services.errors import VolunteeringError
from volunteers.services.signups import lock_people
from volunteers.shift_text import time_range_text

LONGEST_ENTRY = timedelta(hours=24)


def validate_hours(
    *,
    volunteer_id: int,
    starts_at: datetime,
    ends_at: datetime,
    zone: str,
    exclude_id: int | None = None,
) -> int:
    """The minutes from ``starts_at`` to ``ends_at``, or a ValidationError naming the field."""
    if ends_at <= starts_at or (ends_at - starts_at) < timedelta(minutes=1):
        raise ValidationError({"ends_at": "The end must be after the start."})
    if ends_at - starts_at > LONGEST_ENTRY:
        raise ValidationError(
            {"ends_at": "One entry covers at most 24 hours; add another for the next day."}
        )
    if ends_at > timezone.now():
        raise ValidationError({"ends_at": "Hours can only be entered once they are worked."})
    overlap = (
        HoursEntry.objects.filter(
            volunteer_id=volunteer_id, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(status=HoursStatus.REJECTED)
        .exclude(pk__in=[exclude_id] if exclude_id else [])
        .select_related("role")
        .order_by("starts_at")
        .first()
    )
    if overlap is not None:
        when = time_range_text(overlap.starts_at, overlap.ends_at, zone)
        raise ValidationError(
            {
                "starts_at": f"These hours overlap hours already recorded: {overlap.role.name}, "
                f"{when}."
            }
        )
    return int((ends_at - starts_at).total_seconds() // 60)


def add_manual_hours(
    *,
    volunteer: User,
    role: VolunteerRole,
    starts_at: datetime,
    ends_at: datetime,
    by: User,
    note: str = "",
    time_zone: str | None = None,
) -> HoursEntry:
    """Work done off-shift. A volunteer's own entry waits for approval; one a coordinator
    enters for someone else counts at once. ``time_zone`` gives the entry's local date."""
    if by.pk != volunteer.pk and not user_can(by, "volunteering.manage"):
        raise VolunteeringError(gettext("You can only enter your own hours."))
    zone = time_zone or org_zone().key
    with transaction.atomic():
        lock_people(volunteer.pk)  # two entries sent at once cannot both pass the overlap check
        minutes = validate_hours(
            volunteer_id=volunteer.pk, starts_at=starts_at, ends_at=ends_at, zone=zone
        )
        by_coordinator = user_can(by, "volunteering.manage") and by.pk != volunteer.pk
        entry = HoursEntry.objects.create(
            volunteer=volunteer,
            role=role,
            date=timezone.localtime(starts_at, zoneinfo.ZoneInfo(zone)).date(),
            starts_at=starts_at,
            ends_at=ends_at,
            minutes=minutes,
            source=HoursSource.MANUAL,
            status=HoursStatus.APPROVED if by_coordinator else HoursStatus.PENDING,
            note=note.strip(),
            created_by=by,
            decided_by=by if by_coordinator else None,
            decided_at=timezone.now() if by_coordinator else None,
        )
        audit.record(
            "volunteers.hours.added",
            actor=by,
            subject=volunteer,
            obj=entry,
            changes=audit.changed_fields({}, audit.snapshot(entry, HOURS_AUDITED_FIELDS)),
        )
    return entry


# What an hours entry's audit entries compare.
HOURS_AUDITED_FIELDS = (
    "role",
    "date",
    "starts_at",
    "ends_at",
    "minutes",
    "source",
    "status",
    "note",
    "decided_by",
    "decided_at",
    "decision_note",
)


def edit_hours(
    *,
    entry: HoursEntry,
    by: User,
    starts_at: datetime,
    ends_at: datetime,
    note: str | None = None,
) -> HoursEntry:
    """Correct an entry. Edited by its volunteer, it waits for approval again."""
    with transaction.atomic():
        lock_people(entry.volunteer_id)
        locked = (
            HoursEntry.objects.select_for_update(of=("self",))
            .select_related("shift__location")
            .get(pk=entry.pk)
        )
        if locked.volunteer_id != by.pk and not user_can(by, "volunteering.manage"):
            raise VolunteeringError(gettext("You can only change your own hours."))
        zone = locked.shift.location.time_zone if locked.shift else org_zone().key
        before = audit.snapshot(locked, HOURS_AUDITED_FIELDS)
        locked.minutes = validate_hours(
            volunteer_id=locked.volunteer_id,
            starts_at=starts_at,
            ends_at=ends_at,
            zone=zone,
            exclude_id=locked.pk,
        )
        by_coordinator = user_can(by, "volunteering.manage") and by.pk != locked.volunteer_id
        locked.starts_at = starts_at
        locked.ends_at = ends_at
        locked.date = timezone.localtime(starts_at, zoneinfo.ZoneInfo(zone)).date()
        if locked.source == HoursSource.DERIVED:
            locked.source = HoursSource.EDITED
        if note is not None:
            locked.note = note.strip()
        locked.status = HoursStatus.APPROVED if by_coordinator else HoursStatus.PENDING
        locked.decided_by = by if by_coordinator else None
        locked.decided_at = timezone.now() if by_coordinator else None
        locked.decision_note = ""
        locked.save()
        audit.record(
            "volunteers.hours.edited",
            actor=by,
            subject=locked.volunteer,
            obj=locked,
            changes=audit.changed_fields(before, audit.snapshot(locked, HOURS_AUDITED_FIELDS)),
        )
    entry.refresh_from_db()
    return entry


def _decide(entry: HoursEntry, by: User, status: str, note: str) -> None:
    if not user_can(by, "volunteering.manage"):
        raise VolunteeringError(gettext("Only a coordinator can approve hours."))
    with transaction.atomic():
        locked = HoursEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
        if locked.volunteer_id == by.pk:
            raise VolunteeringError(gettext("Another coordinator must decide on your own hours."))
        if locked.status != HoursStatus.PENDING:
            raise VolunteeringError(gettext("These hours were already decided on."))
        fields = ("status", "decided_by", "decided_at", "decision_note")
        before = audit.snapshot(locked, fields)
        locked.status = status
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(update_fields=[*fields, "updated_at"])
        audit.record(
            f"volunteers.hours.{status}",
            actor=by,
            subject=locked.volunteer,
            obj=locked,
            changes=audit.changed_fields(before, audit.snapshot(locked, fields)),
        )
    entry.refresh_from_db()


def approve_hours(*, entry: HoursEntry, by: User) -> None:
    _decide(entry, by, HoursStatus.APPROVED, "")


def reject_hours(*, entry: HoursEntry, by: User, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Write a reason: the volunteer will see it."})
    _decide(entry, by, HoursStatus.REJECTED, reason[:300])
