"""Calendars of shifts: a month, a week or a day, in the viewer's time zone.

Each entry is placed on the viewer's local day and carries its times in the viewer's zone;
when the shift's own zone (its location's) differs, its local times are named too ("18:00
in Los Angeles, 21:00 your time"). A fixed number of queries whatever the shifts: one for
the shifts with their counts, and for a volunteer one for their sign-ups and eligibility's.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from volunteers.models import (
    ACTIVE_SHIFT_SIGNUP_STATUSES,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
)
from volunteers.selectors.eligibility import EligibilityChecker
from volunteers.selectors.shifts import with_counts

VIEWS = ("month", "week", "day")
SHOWN_OWN = (ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.WAITLISTED)


def place_name(zone: str) -> str:
    """A zone as people say it: "America/Los_Angeles" -> "Los Angeles" (never the raw name)."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


@dataclass(frozen=True)
class Entry:
    shift: Shift
    starts: datetime  # in the viewer's zone
    ends: datetime
    own_starts: datetime | None  # in the shift's zone, when that differs from the viewer's
    own_ends: datetime | None
    own_place: str
    filled: int
    mine: str  # "", "confirmed" or "waitlisted": the volunteer's own sign-up

    @property
    def times(self) -> str:
        """Start and end in the viewer's zone (strftime: no template re-conversion)."""
        return f"{self.starts:%H:%M}\u2013{self.ends:%H:%M}"

    @property
    def own_start(self) -> str:
        return f"{self.own_starts:%H:%M}" if self.own_starts else ""

    @property
    def start(self) -> str:
        return f"{self.starts:%H:%M}"

    @property
    def fill(self) -> str:
        """For the colour: "full", "low" (under half) or "some"."""
        if self.filled >= self.shift.capacity:
            return "full"
        return "low" if self.filled * 2 < self.shift.capacity else "some"


@dataclass(frozen=True)
class Day:
    day: date
    entries: list[Entry]
    in_range: bool  # False for the days of the grid outside the month


def period(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first day shown, day after the last shown, first day of the period, day after it)."""
    if view == "day":
        return anchor, anchor + timedelta(days=1), anchor, anchor + timedelta(days=1)
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return monday, monday + timedelta(days=7), monday, monday + timedelta(days=7)
    first = anchor.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = following + timedelta(days=(7 - following.weekday()) % 7)
    return grid_start, grid_end, first, following


def _entry(shift: Shift, viewer: zoneinfo.ZoneInfo, mine: str) -> Entry:
    own = zoneinfo.ZoneInfo(shift.time_zone)
    starts, ends = shift.starts_at.astimezone(viewer), shift.ends_at.astimezone(viewer)
    differs = starts.utcoffset() != shift.starts_at.astimezone(own).utcoffset() or (
        ends.utcoffset() != shift.ends_at.astimezone(own).utcoffset()
    )
    return Entry(
        shift=shift,
        starts=starts,
        ends=ends,
        own_starts=shift.starts_at.astimezone(own) if differs else None,
        own_ends=shift.ends_at.astimezone(own) if differs else None,
        own_place=place_name(shift.time_zone) if differs else "",
        filled=int(getattr(shift, "places_taken", 0)),
        mine=mine,
    )


def _days(
    shifts: Sequence[Shift], view: str, anchor: date, zone: str, mine: dict[int, str]
) -> list[Day]:
    viewer = zoneinfo.ZoneInfo(zone)
    start, end, first, following = period(view, anchor)
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for shift in shifts:
        entry = _entry(shift, viewer, mine.get(shift.pk, ""))
        by_day[entry.starts.date()].append(entry)
    days = []
    day = start
    while day < end:
        days.append(Day(day, by_day.get(day, []), first <= day < following))
        day += timedelta(days=1)
    return days


def _window(view: str, anchor: date, zone: str) -> tuple[datetime, datetime]:
    start, end, _, _ = period(view, anchor)
    tz = zoneinfo.ZoneInfo(zone)
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.min, tzinfo=tz)


def _shifts(view: str, anchor: date, zone: str) -> QuerySet[Shift]:
    start, end = _window(view, anchor, zone)
    return with_counts(Shift.objects.filter(starts_at__gte=start, starts_at__lt=end)).order_by(
        "starts_at", "pk"
    )


def coordinator_calendar(
    *,
    view: str,
    anchor: date,
    zone: str,
    role_id: int | None = None,
    location_id: int | None = None,
) -> list[Day]:
    """Every shift but cancelled ones (drafts included) of the period (one query)."""
    shifts = _shifts(view, anchor, zone).exclude(status=ShiftStatus.CANCELLED)
    if role_id:
        shifts = shifts.filter(role_id=role_id)
    if location_id:
        shifts = shifts.filter(location_id=location_id)
    return _days(list(shifts), view, anchor, zone, {})


def volunteer_calendar(
    *,
    volunteer: User,
    view: str,
    anchor: date,
    zone: str,
    role_id: int | None = None,
    location_id: int | None = None,
) -> list[Day]:
    """What a volunteer may see: their own shifts (a place or the waitlist), and published
    shifts with a place free that they may do. Never a draft, never someone else's place."""
    shifts = (
        _shifts(view, anchor, zone)
        .filter(status=ShiftStatus.PUBLISHED)
        .prefetch_related(
            Prefetch(
                "signups",
                queryset=ShiftSignup.objects.filter(
                    volunteer=volunteer, status__in=ACTIVE_SHIFT_SIGNUP_STATUSES
                ),
                to_attr="my_signups",
            )
        )
    )
    if role_id:
        shifts = shifts.filter(role_id=role_id)
    if location_id:
        shifts = shifts.filter(location_id=location_id)
    rows = list(shifts)
    checker = EligibilityChecker(volunteer_ids=[volunteer.pk], roles={s.role for s in rows})
    shown = []
    status: dict[int, str] = {}
    for shift in rows:
        own = [
            s for s in getattr(shift, "my_signups", []) if s.status in ("confirmed", "waitlisted")
        ]
        if own:
            status[shift.pk] = own[0].status
            shown.append(shift)
            continue
        free = shift.capacity > shift.places_taken  # type: ignore[attr-defined]
        if free and checker.check(
            volunteer_id=volunteer.pk,
            role=shift.role,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            time_zone=shift.time_zone,
        ):
            shown.append(shift)
    return _days(shown, view, anchor, zone, status)
