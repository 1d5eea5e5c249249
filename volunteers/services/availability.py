"""A volunteer's usual days and hours, and the days they are away."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
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
        updated = VolunteerProfile.objects.filter(user=volunteer).update(
            available_days="".join(str(day) for day in chosen),
            available_from=starts,
            available_until=ends,
        )
    if not updated:
        raise VolunteeringError(_("Complete your volunteer application first."))


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
        return AwayPeriod.objects.create(
            volunteer=volunteer, first_day=first_day, last_day=last_day
        )


def remove_away_period(*, volunteer: User, period_id: int) -> int:
    with transaction.atomic():
        return AwayPeriod.objects.filter(volunteer=volunteer, pk=period_id).delete()[0]
