"""The volunteering side of the coordinator's home: each read costs a fixed number of queries.

* **Today and tonight**: published shifts starting from today's midnight until 06:00
  tomorrow (the organisation's zone), with places filled, who has checked in and who is
  late (a confirmed place not checked in ``LATE_AFTER`` after the start).
* **Open places** this week and next, worst first: the larger the share of places still
  empty, then the more leads missing, then the sooner.
* **Expiring**: verified trainings and cleared clearances that run out in the next 30 days,
  each with the confirmed places it would block (the shift ends after the expiry day, the
  one rule of ``volunteers.models.validity``).
* **Lapsing**: volunteers whose latest hours are 90 days to a year old and who have no
  place to come.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, Max, Model, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core.dates import day_bounds, org_today
from volunteers.models import (
    PLACE_STATUSES,
    Clearance,
    HoursEntry,
    HoursStatus,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    TrainingRecord,
    VolunteerRole,
)
from volunteers.models.validity import covers, local_days
from volunteers.selectors.shifts import LeadShortfall, lead_shortfalls, with_counts
from volunteers.selectors.trainings import expiring_between

LATE_AFTER = timedelta(minutes=10)
TONIGHT_UNTIL = timedelta(hours=6)  # tonight's shifts: those starting before 06:00 tomorrow
OPEN_PLACES_DAYS = 14
EXPIRY_DAYS = 30
LAPSED_AFTER_DAYS = 90
LAPSED_BEFORE_DAYS = 365
LIST_LIMIT = 10


@dataclass(frozen=True)
class TodayShift:
    shift: Shift
    filled: int
    checked_in: list[User]
    late: list[User]
    expected: list[User]  # confirmed, not checked in, not (yet) late

    @property
    def capacity(self) -> int:
        return self.shift.capacity


def shifts_today(*, now: datetime | None = None) -> list[TodayShift]:
    """Today's and tonight's published shifts, soonest first (two queries)."""
    now = now or timezone.now()
    start, end = day_bounds(org_today())
    shifts = list(
        with_counts(
            Shift.objects.filter(
                status=ShiftStatus.PUBLISHED,
                starts_at__gte=start,
                starts_at__lt=end + TONIGHT_UNTIL,
            )
        ).order_by("starts_at", "pk")
    )
    people: dict[int, list[ShiftSignup]] = defaultdict(list)
    for signup in (
        ShiftSignup.objects.filter(shift__in=shifts, status__in=PLACE_STATUSES)
        .select_related("volunteer")
        .order_by("volunteer__first_name", "volunteer__last_name", "pk")
    ):
        people[signup.shift_id].append(signup)
    result = []
    for shift in shifts:
        signups = people[shift.pk]
        waiting = [
            s for s in signups if s.check_in_at is None and s.status == ShiftSignupStatus.CONFIRMED
        ]
        late = [s.volunteer for s in waiting if now >= shift.starts_at + LATE_AFTER]
        result.append(
            TodayShift(
                shift=shift,
                filled=shift.places_taken,  # type: ignore[attr-defined]
                checked_in=[s.volunteer for s in signups if s.check_in_at is not None],
                late=late,
                expected=[s.volunteer for s in waiting if s.volunteer not in late],
            )
        )
    return result


@dataclass(frozen=True)
class OpenPlaces:
    shift: Shift
    places_left: int
    leads: list[LeadShortfall] = field(default_factory=list)

    @property
    def severity(self) -> tuple[float, int]:
        return (self.places_left / self.shift.capacity, sum(lead.short for lead in self.leads))


def open_places(*, days: int = OPEN_PLACES_DAYS, now: datetime | None = None) -> list[OpenPlaces]:
    """Published shifts of the next ``days`` days short of people or of a lead, worst first
    (three queries)."""
    now = now or timezone.now()
    shifts = list(
        with_counts(
            Shift.objects.filter(
                status=ShiftStatus.PUBLISHED,
                starts_at__gt=now,
                starts_at__lt=now + timedelta(days=days),
            )
        )
    )
    teams: dict[int, list[int]] = defaultdict(list)
    for shift_id, volunteer_id in ShiftSignup.objects.filter(
        shift__in=shifts, status__in=PLACE_STATUSES
    ).values_list("shift_id", "volunteer_id"):
        teams[shift_id].append(volunteer_id)
    leads = lead_shortfalls(shifts, teams)
    found = [
        OpenPlaces(
            shift=shift,
            places_left=max(shift.capacity - shift.places_taken, 0),  # type: ignore[attr-defined]
            leads=leads[shift.pk],
        )
        for shift in shifts
    ]
    found = [gap for gap in found if gap.places_left or gap.leads]
    found.sort(key=lambda g: (-g.severity[0], -g.severity[1], g.shift.starts_at, g.shift.pk))
    return found


@dataclass(frozen=True)
class AtRisk:
    """A training or clearance running out, and the confirmed places it would block."""

    volunteer: User
    name: str
    is_clearance: bool
    expires_on: date
    shifts: list[Shift]


def expiring_at_risk(*, today: date | None = None, days: int = EXPIRY_DAYS) -> list[AtRisk]:
    """Trainings and clearances expiring in ``days`` days with the places they put at risk,
    those with places at risk first, then soonest (three queries)."""
    today = today or org_today()
    records, clearances = expiring_between(start=today, end=today + timedelta(days=days))
    items: list[TrainingRecord | Clearance] = [*records, *clearances]
    volunteer_ids = {item.volunteer_id for item in items}
    # Every query runs whatever was found (the 0 matches no one), so the count is constant.
    places = (
        ShiftSignup.objects.filter(
            volunteer_id__in=volunteer_ids or {0},
            status=ShiftSignupStatus.CONFIRMED,
            shift__status=ShiftStatus.PUBLISHED,
            shift__starts_at__gt=timezone.now(),
        )
        .select_related("shift__role", "shift__location")
        .order_by("shift__starts_at", "pk")
    )
    trainings_of = _requirements(VolunteerRole.required_trainings.through, "training_id")
    clearances_of = _requirements(
        VolunteerRole.required_clearance_types.through, "clearancetype_id"
    )
    by_volunteer: dict[int, list[Shift]] = defaultdict(list)
    for signup in places:
        by_volunteer[signup.volunteer_id].append(signup.shift)
    result = []
    for item in items:
        assert item.expires_on is not None  # expiring_between only finds dated ones
        if isinstance(item, TrainingRecord):
            needed_by, needed = trainings_of, item.training_id
            name, is_clearance = item.training.name, False
        else:
            needed_by, needed = clearances_of, item.clearance_type_id
            name, is_clearance = item.clearance_type.name, True
        blocked = [
            s
            for s in by_volunteer[item.volunteer_id]
            if needed in needed_by[s.role_id]
            and not covers(item.expires_on, local_days(s.starts_at, s.ends_at, s.time_zone))
        ]
        result.append(AtRisk(item.volunteer, name, is_clearance, item.expires_on, blocked))
    result.sort(key=lambda r: (not r.shifts, r.expires_on, str(r.volunteer), r.name))
    return result


def _requirements(through: type[Model], column: str) -> dict[int, set[int]]:
    """Role id -> the ids of what it requires (one query over the whole, small, table)."""
    found: dict[int, set[int]] = defaultdict(set)
    for role_id, required_id in through.objects.values_list("volunteerrole_id", column):  # type: ignore[attr-defined]
        found[role_id].add(required_id)
    return found


@dataclass(frozen=True)
class MonthHours:
    approved_minutes: int
    pending_minutes: int
    volunteers: int


def hours_in_month(*, month: date) -> MonthHours:
    """Hours given in ``month`` (approved, and pending apart) and by how many (one query)."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    totals = (
        HoursEntry.objects.filter(date__gte=first, date__lt=following)
        .exclude(status=HoursStatus.REJECTED)
        .aggregate(
            approved=Coalesce(Sum("minutes", filter=Q(status=HoursStatus.APPROVED)), 0),
            pending=Coalesce(Sum("minutes", filter=Q(status=HoursStatus.PENDING)), 0),
            people=Count("volunteer_id", distinct=True),
        )
    )
    return MonthHours(int(totals["approved"]), int(totals["pending"]), int(totals["people"]))


def approved_hours_by_month(
    *, months: int = 12, today: date | None = None
) -> list[tuple[date, int]]:
    """(first day of the month, approved minutes) for the last ``months`` months, oldest
    first, every month present (one query)."""
    today = today or org_today()
    firsts = [today.replace(day=1)]
    for _ in range(months - 1):
        firsts.insert(0, (firsts[0] - timedelta(days=1)).replace(day=1))
    rows = dict(
        HoursEntry.objects.filter(status=HoursStatus.APPROVED, date__gte=firsts[0])
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(total=Sum("minutes"))
        .values_list("month", "total")
    )
    return [(first, int(rows.get(first, 0))) for first in firsts]


@dataclass(frozen=True)
class Lapsing:
    volunteer: User
    last_day: date


def lapsing_volunteers(
    *, today: date | None = None, limit: int = LIST_LIMIT
) -> tuple[int, list[Lapsing]]:
    """Active volunteers whose latest hours are 90 days to a year old and who have no place
    to come: how many, and the ``limit`` who stopped longest ago (two queries)."""
    today = today or org_today()
    upcoming = ShiftSignup.objects.filter(
        volunteer=OuterRef("pk"),
        status__in=(ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.WAITLISTED),
        shift__starts_at__gt=timezone.now(),
        shift__status=ShiftStatus.PUBLISHED,
    )
    people = (
        User.objects.filter(is_active=True, groups__name=Role.VOLUNTEER.value)
        .annotate(
            last_day=Max(
                "hours_entries__date", filter=~Q(hours_entries__status=HoursStatus.REJECTED)
            )
        )
        .filter(
            last_day__lte=today - timedelta(days=LAPSED_AFTER_DAYS),
            last_day__gt=today - timedelta(days=LAPSED_BEFORE_DAYS),
        )
        .exclude(Exists(upcoming))
    )
    count = people.count()
    shown = [
        Lapsing(volunteer=person, last_day=person.last_day)
        for person in people.order_by("last_day", "pk")[:limit]
    ]
    return count, shown
