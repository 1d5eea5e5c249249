"""Does a shift fall when the volunteer said they can usually help, and not while away?"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from django.utils import timezone

from accounts.models import User
from volunteers.models import AwayPeriod, Shift, VolunteerProfile


@dataclass(frozen=True)
class Availability:
    days: frozenset[int]  # 0 = Monday; empty: any day
    starts: time | None
    ends: time | None
    away: tuple[tuple[date, date], ...]
    zone: str

    def fits(self, shift: Shift) -> bool:
        """The shift, in the volunteer's zone, is on one of their days, within their hours,
        and on no day they are away."""
        tz = zoneinfo.ZoneInfo(self.zone)
        start = timezone.localtime(shift.starts_at, tz)
        end = timezone.localtime(shift.ends_at, tz)
        if self.days and start.weekday() not in self.days:
            return False
        if self.starts is not None and start.time() < self.starts:
            return False
        if self.ends is not None and (end.date() > start.date() or end.time() > self.ends):
            return False
        return not any(
            first <= day <= last for first, last in self.away for day in (start.date(), end.date())
        )


def availability_of(volunteer: User, *, today: date) -> Availability:
    """The volunteer's stated availability and their away periods to come (two queries)."""
    return availabilities_of([volunteer], today=today)[volunteer.pk]


def availabilities_of(volunteers: Sequence[User], *, today: date) -> dict[int, Availability]:
    """Each volunteer's availability by id (two queries whatever their number)."""
    ids = [person.pk for person in volunteers]
    profiles = {
        profile.user_id: profile for profile in VolunteerProfile.objects.filter(user_id__in=ids)
    }
    away: dict[int, list[tuple[date, date]]] = {}
    for volunteer_id, first, last in AwayPeriod.objects.filter(
        volunteer_id__in=ids, last_day__gte=today
    ).values_list("volunteer_id", "first_day", "last_day"):
        away.setdefault(volunteer_id, []).append((first, last))
    result: dict[int, Availability] = {}
    for person in volunteers:
        profile = profiles.get(person.pk)
        result[person.pk] = Availability(
            days=frozenset(int(d) for d in (profile.available_days if profile else "")),
            starts=profile.available_from if profile else None,
            ends=profile.available_until if profile else None,
            away=tuple(away.get(person.pk, ())),
            zone=person.time_zone,
        )
    return result
