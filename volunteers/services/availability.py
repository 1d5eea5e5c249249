"""A volunteer's usual days and hours, and the days they are away."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit
from core.dates import org_today
from volunteers.models import AwayPeriod, VolunteerProfile
from volunteers.services.errors import VolunteeringError

MAX_AWAY_PERIODS = 20


def set_availability(
    *, volunteer: User, days: Iterable[int], starts: time | None, ends: time | None
) -> None:
    """Save the days (0 = Monday; none: any day) and hours the volunteer can usually help."""
    chosen = sorted(set(days))
    if any(day not in range(7) for day in chosen):
        raise ValidationError({"days": _("Choose days of the week.")})
    if starts is not None and ends is not None and ends <= starts:
        raise ValidationError({"ends": _("The end must be after the start.")})
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().filter(user=volunteer).first()
        if profile is None:
            raise VolunteeringError(_("Complete your volunteer application first."))
        before = audit.snapshot(profile, AVAILABILITY_FIELDS)
        profile.available_days = "".join(str(day) for day in chosen)
        profile.available_from = starts
        profile.available_until = ends
        changes = audit.changed_fields(before, audit.snapshot(profile, AVAILABILITY_FIELDS))
        if changes:
            profile.save(update_fields=[*AVAILABILITY_FIELDS, "updated_at"])
            audit.record(
                "volunteers.profile.availability_changed",
                actor=volunteer,
                subject=volunteer,
                obj=profile,
                changes=changes,
            )


AVAILABILITY_FIELDS = ("available_days", "available_from", "available_until")


def add_away_period(*, volunteer: User, first_day: date, last_day: date) -> AwayPeriod:
    if last_day < first_day:
        raise ValidationError({"last_day": _("The last day cannot be before the first.")})
    if last_day < org_today():
        raise ValidationError({"last_day": _("These days are over already.")})
    with transaction.atomic():
        coming = AwayPeriod.objects.select_for_update().filter(
            volunteer=volunteer, last_day__gte=org_today()
        )
        if len(coming) >= MAX_AWAY_PERIODS:
            raise VolunteeringError(_("Remove a period you no longer need first."))
        period = AwayPeriod.objects.create(
            volunteer=volunteer, first_day=first_day, last_day=last_day
        )
        audit.record(
            "volunteers.away_period.added",
            actor=volunteer,
            subject=volunteer,
            obj=period,
            changes=audit.changed_fields({}, audit.snapshot(period, AWAY_FIELDS)),
        )
        return period


AWAY_FIELDS = ("first_day", "last_day")


def remove_away_period(*, volunteer: User, period_id: int) -> int:
    with transaction.atomic():
        period = (
            AwayPeriod.objects.select_for_update().filter(volunteer=volunteer, pk=period_id).first()
        )
        if period is None:
            return 0
        audit.record(
            "volunteers.away_period.removed",
            actor=volunteer,
            subject=volunteer,
            obj=period,
            changes=audit.changed_fields(audit.snapshot(period, AWAY_FIELDS), {}),
        )
        period.delete()
        return 1
