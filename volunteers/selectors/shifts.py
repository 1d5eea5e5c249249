"""Reads that shift pages share: each costs a fixed number of queries, whatever the rows."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from core.dates import org_midnight
from volunteers.models import (
    ACTIVE_SHIFT_SIGNUP_STATUSES,
    PLACE_STATUSES,
    CalendarFeed,
    HoursEntry,
    HoursStatus,
    Qualification,
    Shift,
    ShiftInvitation,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    StaffingRule,
    SwapOffer,
    SwapStatus,
)
from volunteers.selectors.eligibility import Eligibility, EligibilityChecker


def _signup_count(**status: Any) -> Coalesce:
    """The number of one shift's sign-ups with ``status``, as a correlated subquery."""
    counted = (
        ShiftSignup.objects.filter(shift=OuterRef("pk"), **status)
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """Shifts with role and location, ``places_taken`` and ``waitlist_count`` annotated.

    Counted per shift by a subquery (the sign-ups index on shift and status), not by joining
    and grouping every sign-up: PostgreSQL then counts only for the rows a page shows, after
    its LIMIT, instead of for every upcoming shift (23,728 shifts and 242,236 sign-ups in the
    benchmark made the open-shifts page take 350 ms); a paginator's COUNT(*) leaves the
    unused counts out altogether.
    """
    return shifts.select_related("role", "location").annotate(
        places_taken=_signup_count(status__in=PLACE_STATUSES),
        waitlist_count=_signup_count(status=ShiftSignupStatus.WAITLISTED),
    )


def open_shifts(
    *,
    volunteer: User | None = None,
    role_id: int | None = None,
    location_id: int | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
) -> QuerySet[Shift]:
    """Published shifts still to come, soonest first, filtered by role, location and days
    (days in the organisation's zone). With ``volunteer``: ``my_signups`` (their active
    sign-up, a list of 0 or 1) on each."""
    shifts = Shift.objects.filter(status=ShiftStatus.PUBLISHED, starts_at__gt=timezone.now())
    if role_id:
        shifts = shifts.filter(role_id=role_id)
    if location_id:
        shifts = shifts.filter(location_id=location_id)
    if day_from:
        shifts = shifts.filter(starts_at__gte=org_midnight(day_from))
    if day_to:
        shifts = shifts.filter(starts_at__lt=org_midnight(day_to + timedelta(days=1)))
    shifts = with_counts(shifts).order_by("starts_at", "pk")
    if volunteer is not None:
        shifts = shifts.prefetch_related(
            Prefetch(
                "signups",
                queryset=ShiftSignup.objects.filter(
                    volunteer=volunteer, status__in=ACTIVE_SHIFT_SIGNUP_STATUSES
                ),
                to_attr="my_signups",
            )
        )
    return shifts


@dataclass(frozen=True)
class ShiftCard:
    """A shift as one volunteer sees it: places left, their sign-up, their eligibility."""

    shift: Shift
    places_left: int
    my_signup: ShiftSignup | None
    eligibility: Eligibility


def shift_cards(shifts: QuerySet[Shift] | list[Shift], volunteer: User) -> list[ShiftCard]:
    """``shifts`` from ``open_shifts(volunteer=...)`` with eligibility (fixed queries)."""
    rows = list(shifts)
    checker = EligibilityChecker(volunteer_ids=[volunteer.pk], roles={s.role for s in rows})
    return [
        ShiftCard(
            shift=s,
            places_left=max(s.capacity - s.places_taken, 0),  # type: ignore[attr-defined]
            my_signup=next(iter(getattr(s, "my_signups", [])), None),
            eligibility=checker.check(
                volunteer_id=volunteer.pk,
                role=s.role,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                time_zone=s.time_zone,
            ),
        )
        for s in rows
    ]


def shift_with_counts(shift_id: int) -> Shift:
    """One shift (any status) with its counts, for its page. Raises Shift.DoesNotExist."""
    return with_counts(Shift.objects.filter(pk=shift_id)).get()


def coordinator_shifts(
    *,
    start: datetime,
    end: datetime,
    role_id: int | None = None,
    location_id: int | None = None,
) -> QuerySet[Shift]:
    """Every shift (drafts and cancelled ones too) starting in [start, end), with counts."""
    shifts = Shift.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if role_id:
        shifts = shifts.filter(role_id=role_id)
    if location_id:
        shifts = shifts.filter(location_id=location_id)
    return with_counts(shifts).order_by("starts_at", "pk")


# The widest UTC offsets: a shift's local day may start this far from UTC midnight.
ZONE_MARGIN = timedelta(hours=14)


def shifts_by_local_day(
    *,
    first: date,
    days: int,
    role_id: int | None = None,
    location_id: int | None = None,
    status: str = "",
) -> dict[date, list[Shift]]:
    """The shifts of ``days`` days from ``first``, each on its own local day (in its
    location's zone, so an evening shift in Los Angeles is not moved to the next day),
    every day present (an empty list where there is none), in order; counts included."""
    last = first + timedelta(days=days)
    shifts = coordinator_shifts(
        start=datetime.combine(first, time.min, tzinfo=UTC) - ZONE_MARGIN,
        end=datetime.combine(last, time.min, tzinfo=UTC) + ZONE_MARGIN,
        role_id=role_id,
        location_id=location_id,
    )
    if status:
        shifts = shifts.filter(status=status)
    columns: dict[date, list[Shift]] = {first + timedelta(days=n): [] for n in range(days)}
    for shift in shifts:
        local_day = shift.starts_at.astimezone(zoneinfo.ZoneInfo(shift.time_zone)).date()
        if local_day in columns:
            columns[local_day].append(shift)
    return columns


def _signups_with_shift() -> QuerySet[ShiftSignup]:
    return ShiftSignup.objects.select_related("shift__role", "shift__location")


@dataclass(frozen=True)
class Schedule:
    upcoming: list[ShiftSignup]  # confirmed and waitlisted, soonest first
    past: list[ShiftSignup]  # attended, no-show, and confirmed ones that ended; latest first
    waitlist_positions: dict[int, int]  # signup id -> place in line (1 = next)


def my_schedule(volunteer: User) -> Schedule:
    now = timezone.now()
    signups: list[ShiftSignup] = list(
        _signups_with_shift()
        .filter(volunteer=volunteer, status__in=ACTIVE_SHIFT_SIGNUP_STATUSES)
        .exclude(shift__status=ShiftStatus.CANCELLED)
        .annotate(ahead=Coalesce(_waiting_ahead(), 0))
        .order_by("shift__starts_at", "pk")
    )
    upcoming = [
        s
        for s in signups
        if s.shift.ends_at > now
        and s.status in (ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.WAITLISTED)
    ]
    past = [s for s in reversed(signups) if s not in upcoming and s.shift.starts_at <= now]
    positions = {
        s.pk: int(getattr(s, "ahead", 0)) + 1
        for s in upcoming
        if s.status == ShiftSignupStatus.WAITLISTED
    }
    return Schedule(upcoming=upcoming, past=past, waitlist_positions=positions)


def _waiting_ahead() -> Subquery:
    ahead = (
        ShiftSignup.objects.filter(shift=OuterRef("shift"), status=ShiftSignupStatus.WAITLISTED)
        .filter(
            Q(joined_at__lt=OuterRef("joined_at"))
            | Q(joined_at=OuterRef("joined_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("shift")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(ahead, output_field=IntegerField())


def waitlist_position(signup: ShiftSignup) -> int | None:
    """The sign-up's place in line (1 = next), or None when it is not waitlisted."""
    if signup.status != ShiftSignupStatus.WAITLISTED:
        return None
    ahead = ShiftSignup.objects.filter(
        shift_id=signup.shift_id, status=ShiftSignupStatus.WAITLISTED
    ).filter(Q(joined_at__lt=signup.joined_at) | Q(joined_at=signup.joined_at, pk__lt=signup.pk))
    return ahead.count() + 1


@dataclass(frozen=True)
class ShiftRoster:
    """A shift's people: places (confirmed, attended, no-show) and the waitlist, in order,
    each person's eligibility, and what the team lacks under the staffing rules."""

    shift: Shift
    places: list[ShiftSignup]
    waitlist: list[ShiftSignup]
    eligibility: dict[int, Eligibility]  # volunteer id ->
    gaps: list[str]


def shift_roster(shift: Shift) -> ShiftRoster:
    signups = list(
        ShiftSignup.objects.filter(shift=shift, status__in=ACTIVE_SHIFT_SIGNUP_STATUSES)
        .select_related("volunteer__volunteer_profile", "override_by", "hours_entry")
        .order_by("joined_at", "pk")
    )
    ids = [s.volunteer_id for s in signups]
    checker = EligibilityChecker(volunteer_ids=ids, roles=[shift.role])
    eligibility = {
        pk: checker.check(
            volunteer_id=pk,
            role=shift.role,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            time_zone=shift.time_zone,
        )
        for pk in ids
    }
    places = [s for s in signups if s.status != ShiftSignupStatus.WAITLISTED]
    gaps = team_gaps([shift], {shift.pk: [s.volunteer_id for s in places]})[shift.pk]
    return ShiftRoster(
        shift=shift,
        places=places,
        waitlist=[s for s in signups if s.status == ShiftSignupStatus.WAITLISTED],
        eligibility=eligibility,
        gaps=gaps,
    )


@dataclass(frozen=True)
class LeadShortfall:
    qualification: str
    short: int


def lead_shortfalls(
    shifts: list[Shift], teams: dict[int, list[int]]
) -> dict[int, list[LeadShortfall]]:
    """Shift id -> the qualified people its team lacks under the staffing rules (two queries)."""
    rules: dict[int, list[StaffingRule]] = defaultdict(list)
    for rule in StaffingRule.objects.filter(role_id__in={s.role_id for s in shifts}).select_related(
        "qualification"
    ):
        rules[rule.role_id].append(rule)
    members = {pk for team in teams.values() for pk in team}
    held: dict[int, set[int]] = defaultdict(set)
    if members and rules:
        for volunteer_id, role_id in Qualification.objects.filter(
            volunteer_id__in=members
        ).values_list("volunteer_id", "role_id"):
            held[volunteer_id].add(role_id)
    result: dict[int, list[LeadShortfall]] = {}
    for shift in shifts:
        team = teams.get(shift.pk, [])
        result[shift.pk] = []
        for rule in sorted(rules[shift.role_id], key=lambda r: r.qualification.name):
            short = rule.minimum - sum(1 for pk in team if rule.qualification_id in held[pk])
            if short > 0:
                result[shift.pk].append(LeadShortfall(rule.qualification.name, short))
    return result


def team_gaps(shifts: list[Shift], teams: dict[int, list[int]]) -> dict[int, list[str]]:
    """Shift id -> what its team lacks, e.g. ["needs 1 more Shift lead"] (two queries)."""
    return {
        shift_id: [
            ngettext("needs %(count)s more %(role)s", "needs %(count)s more %(role)s", lead.short)
            % {"count": lead.short, "role": lead.qualification}
            for lead in leads
        ]
        for shift_id, leads in lead_shortfalls(shifts, teams).items()
    }


@dataclass(frozen=True)
class StaffingGap:
    shift: Shift
    places_left: int
    gaps: list[str] = field(default_factory=list)


def staffing_gaps(*, days: int = 14) -> list[StaffingGap]:
    """Published shifts in the next ``days`` below capacity or lacking a required lead."""
    now = timezone.now()
    shifts = list(
        with_counts(
            Shift.objects.filter(
                status=ShiftStatus.PUBLISHED,
                starts_at__gt=now,
                starts_at__lt=now + timedelta(days=days),
            )
        ).order_by("starts_at", "pk")
    )
    teams: dict[int, list[int]] = defaultdict(list)
    for shift_id, volunteer_id in ShiftSignup.objects.filter(
        shift__in=shifts, status__in=PLACE_STATUSES
    ).values_list("shift_id", "volunteer_id"):
        teams[shift_id].append(volunteer_id)
    gaps = team_gaps(shifts, teams)
    result = []
    for shift in shifts:
        left = max(shift.capacity - shift.places_taken, 0)  # type: ignore[attr-defined]
        if left or gaps[shift.pk]:
            result.append(StaffingGap(shift=shift, places_left=left, gaps=gaps[shift.pk]))
    return result


@dataclass(frozen=True)
class SwapCard:
    offer: SwapOffer
    eligibility: Eligibility


def open_swap_offers(*, volunteer: User) -> list[SwapCard]:
    """Open offers on shifts still to come, from others, with the volunteer's eligibility."""
    offers = list(
        SwapOffer.objects.filter(
            status=SwapStatus.OPEN,
            signup__shift__starts_at__gt=timezone.now(),
            signup__shift__status=ShiftStatus.PUBLISHED,
        )
        .exclude(signup__volunteer=volunteer)
        .select_related("signup__volunteer", "signup__shift__role", "signup__shift__location")
        .order_by("signup__shift__starts_at", "pk")
    )
    checker = EligibilityChecker(
        volunteer_ids=[volunteer.pk], roles={o.signup.shift.role for o in offers}
    )
    return [
        SwapCard(
            offer=o,
            eligibility=checker.check(
                volunteer_id=volunteer.pk,
                role=o.signup.shift.role,
                starts_at=o.signup.shift.starts_at,
                ends_at=o.signup.shift.ends_at,
                time_zone=o.signup.shift.time_zone,
            ),
        )
        for o in offers
    ]


def shift_invitations(shift: Shift) -> list[ShiftInvitation]:
    """Who was asked to fill a gap in ``shift`` and what they answered (one query)."""
    return list(
        ShiftInvitation.objects.filter(shift=shift)
        .select_related("volunteer", "signup")
        .order_by("asked_at", "volunteer__first_name", "pk")
    )


def hours_for(volunteer: User) -> QuerySet[HoursEntry]:
    """A volunteer's hours, newest first, with role and shift."""
    return HoursEntry.objects.filter(volunteer=volunteer).select_related(
        "role", "shift__location", "decided_by"
    )


def pending_hours() -> QuerySet[HoursEntry]:
    """The approval queue: hours waiting for a coordinator, oldest first."""
    return (
        HoursEntry.objects.filter(status=HoursStatus.PENDING)
        .select_related("volunteer", "role", "shift__location")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class HoursTotal:
    volunteer_id: int
    role_id: int
    role_name: str
    month: date  # first day of the month
    approved_minutes: int
    pending_minutes: int


def hours_totals(
    *,
    volunteer: User | None = None,
    role_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[HoursTotal]:
    """Minutes per volunteer, role and month (approved, and pending apart), in one query."""
    entries = HoursEntry.objects.exclude(status=HoursStatus.REJECTED)
    if volunteer is not None:
        entries = entries.filter(volunteer=volunteer)
    if role_id:
        entries = entries.filter(role_id=role_id)
    if start:
        entries = entries.filter(date__gte=start)
    if end:
        entries = entries.filter(date__lte=end)
    rows = (
        entries.annotate(month=TruncMonth("date"))
        .values("volunteer_id", "role_id", "role__name", "month")
        .annotate(
            approved=Coalesce(Sum("minutes", filter=Q(status=HoursStatus.APPROVED)), 0),
            pending=Coalesce(Sum("minutes", filter=Q(status=HoursStatus.PENDING)), 0),
        )
        .order_by("-month", "role__name", "volunteer_id")
    )
    return [
        HoursTotal(
            volunteer_id=row["volunteer_id"],
            role_id=row["role_id"],
            role_name=row["role__name"],
            month=row["month"],
            approved_minutes=row["approved"],
            pending_minutes=row["pending"],
        )
        for row in rows
    ]


def volunteer_for_feed(token: str) -> User | None:
    """The owner of a calendar feed token, or None (a wrong or reset token)."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("volunteer").filter(token=token).first()
    if feed is None or not feed.volunteer.is_active:
        return None
    return feed.volunteer
