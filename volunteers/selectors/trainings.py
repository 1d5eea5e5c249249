"""Reads about trainings and what roles need: a volunteer's training status and role needs,
sessions and their waitlists and rosters, certificates to verify, what expires soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from core.dates import day_bounds, org_today
from volunteers.models import (
    Clearance,
    ClearanceStatus,
    ClearanceType,
    RecordStatus,
    SessionSignup,
    SignupStatus,
    StaffingRule,
    Training,
    TrainingRecord,
    TrainingSession,
    VolunteerRole,
)
from volunteers.selectors.eligibility import Eligibility, EligibilityChecker


@dataclass(frozen=True)
class RoleNeeds:
    role: VolunteerRole
    eligibility: Eligibility
    wanted: bool = False  # the volunteer asked for this role when applying


@dataclass(frozen=True)
class TrainingStatus:
    """A volunteer's standing for one training: their best record, if any."""

    training: Training
    record: TrainingRecord | None
    pending: TrainingRecord | None

    @property
    def valid_today(self) -> bool:
        today = org_today()
        return self.record is not None and (
            self.record.expires_on is None or self.record.expires_on >= today
        )


def today_window(day: date | None = None) -> tuple[datetime, datetime]:
    """The whole of ``day`` (default today) in the organisation's zone, as an eligibility
    window: its end is the day's last instant, so the window's last day is ``day`` itself."""
    start, end = day_bounds(day or org_today())
    return start, end - timedelta(microseconds=1)


def training_statuses(volunteer: User) -> list[TrainingStatus]:
    """Each training the volunteer has a record of, with the record that counts."""
    by_training: dict[int, list[TrainingRecord]] = {}
    records = TrainingRecord.objects.filter(volunteer=volunteer).select_related("training")
    for record in records:
        by_training.setdefault(record.training_id, []).append(record)
    statuses = []
    for items in by_training.values():
        verified = [r for r in items if r.status == RecordStatus.VERIFIED]
        pending = next((r for r in items if r.status == RecordStatus.PENDING), None)
        best = max(verified, key=lambda r: r.expires_on or date.max, default=None)
        statuses.append(TrainingStatus(training=items[0].training, record=best, pending=pending))
    return sorted(statuses, key=lambda s: s.training.name)


def role_needs(volunteer: User, *, day: date | None = None) -> list[RoleNeeds]:
    """For every active role, whether the volunteer may do it today, and what is missing.

    The roles the volunteer asked for come first: that is their onboarding checklist.
    """
    roles = list(VolunteerRole.objects.filter(active=True).order_by("name"))
    wanted = set(
        VolunteerRole.objects.filter(interested_profiles__user=volunteer).values_list(
            "pk", flat=True
        )
    )
    checker = EligibilityChecker(volunteer_ids=[volunteer.pk], roles=roles)
    start, end = today_window(day)
    needs = [
        RoleNeeds(
            role=role,
            eligibility=checker.check(
                volunteer_id=volunteer.pk, role=role, starts_at=start, ends_at=end, occasion=None
            ),
            wanted=role.pk in wanted,
        )
        for role in roles
    ]
    return sorted(needs, key=lambda need: not need.wanted)


def upcoming_sessions(*, volunteer: User | None = None) -> QuerySet[TrainingSession]:
    """Sessions still to come, with places taken and (for a volunteer) their own sign-up."""
    sessions = (
        TrainingSession.objects.filter(starts_at__gt=timezone.now(), cancelled=False)
        .select_related("training")
        .annotate(
            confirmed_count=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
            waitlist_count=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
        )
        .order_by("starts_at")
    )
    if volunteer is not None:
        sessions = sessions.prefetch_related(
            Prefetch(
                "signups",
                queryset=SessionSignup.objects.filter(
                    volunteer=volunteer,
                    status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED],
                ),
                to_attr="my_signups",
            )
        )
    return sessions


def expiring_between(*, start: date, end: date) -> tuple[list[TrainingRecord], list[Clearance]]:
    """Verified training records and cleared clearances whose expiry falls in [start, end].

    Those already renewed (a later record or clearance of the same kind outlasts ``end``)
    are left out: nothing needs doing about them.
    """
    renewed_record = TrainingRecord.objects.filter(
        volunteer=OuterRef("volunteer"),
        training=OuterRef("training"),
        status=RecordStatus.VERIFIED,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=end))
    renewed_clearance = Clearance.objects.filter(
        volunteer=OuterRef("volunteer"),
        clearance_type=OuterRef("clearance_type"),
        status=ClearanceStatus.CLEARED,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=end))
    records = list(
        TrainingRecord.objects.filter(
            status=RecordStatus.VERIFIED, expires_on__gte=start, expires_on__lte=end
        )
        .exclude(Exists(renewed_record))
        .select_related("volunteer", "training")
        .order_by("expires_on", "pk")
    )
    clearances = list(
        Clearance.objects.filter(
            status=ClearanceStatus.CLEARED, expires_on__gte=start, expires_on__lte=end
        )
        .exclude(Exists(renewed_clearance))
        .select_related("volunteer", "clearance_type")
        .order_by("expires_on", "pk")
    )
    return records, clearances


def _waitlist_places_ahead() -> Subquery:
    """How many people wait before the outer sign-up at its session (earlier sign-ups)."""
    ahead = (
        SessionSignup.objects.filter(session=OuterRef("session"), status=SignupStatus.WAITLISTED)
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(ahead, output_field=IntegerField())


def waitlist_positions(volunteer: User) -> dict[int, int]:
    """Session id -> the volunteer's place in its waitlist (1 = next in line), in one query."""
    rows = (
        SessionSignup.objects.filter(
            volunteer=volunteer,
            status=SignupStatus.WAITLISTED,
            session__starts_at__gt=timezone.now(),
        )
        .annotate(ahead=Coalesce(_waitlist_places_ahead(), 0))
        .values_list("session_id", "ahead")
    )
    return {session_id: ahead + 1 for session_id, ahead in rows}


def waitlist_position(signup: SessionSignup) -> int | None:
    """The sign-up's place in its session's waitlist, or None when it is not waitlisted."""
    if signup.status != SignupStatus.WAITLISTED:
        return None
    ahead = (
        SessionSignup.objects.filter(session_id=signup.session_id, status=SignupStatus.WAITLISTED)
        .filter(
            Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, pk__lt=signup.pk)
        )
        .count()
    )
    return ahead + 1


def latest_rejections(volunteer: User) -> dict[int, TrainingRecord]:
    """Training id -> the volunteer's rejected certificate, when nothing newer was sent since."""
    newer = TrainingRecord.objects.filter(
        volunteer=OuterRef("volunteer"),
        training=OuterRef("training"),
        created_at__gt=OuterRef("created_at"),
    )
    rejected = (
        TrainingRecord.objects.filter(volunteer=volunteer, status=RecordStatus.REJECTED)
        .exclude(Exists(newer))
        .order_by("created_at", "pk")
    )
    return {record.training_id: record for record in rejected}


# Coordinator pages (roles, trainings, rosters, clearances, directory, reviews).


def roles_with_requirements() -> QuerySet[VolunteerRole]:
    """Every role with its trainings, clearance types and staffing rules, in four queries."""
    return VolunteerRole.objects.order_by("-active", "name").prefetch_related(
        Prefetch("required_trainings", queryset=Training.objects.order_by("name")),
        Prefetch("required_clearance_types", queryset=ClearanceType.objects.order_by("name")),
        Prefetch(
            "staffing_rules",
            queryset=StaffingRule.objects.select_related("qualification").order_by(
                "qualification__name"
            ),
        ),
    )


def trainings_with_upcoming_sessions() -> QuerySet[Training]:
    """Every training, each with ``upcoming`` (its sessions still to come, places counted)."""
    return Training.objects.order_by("name").prefetch_related(
        Prefetch("sessions", queryset=sessions_to_come(), to_attr="upcoming")
    )


def recent_sessions(*, days: int = 60) -> QuerySet[TrainingSession]:
    """Sessions that started in the last ``days`` days, newest first, with attendance counted."""
    now = timezone.now()
    return (
        TrainingSession.objects.filter(
            starts_at__lte=now, starts_at__gte=now - timedelta(days=days)
        )
        .select_related("training")
        .annotate(
            confirmed_count=Count(
                "signups", filter=Q(signups__status=SignupStatus.CONFIRMED), distinct=True
            ),
            attended_count=Count(
                "signups", filter=Q(signups__status=SignupStatus.ATTENDED), distinct=True
            ),
            record_count=Count("records", distinct=True),
        )
        .order_by("-starts_at")
    )


@dataclass(frozen=True)
class Roster:
    """A session's people: those with a place (in sign-up order) and the waitlist, in order."""

    places: list[SessionSignup]
    waitlist: list[SessionSignup]
    recorded_ids: frozenset[int]

    @property
    def attended(self) -> list[SessionSignup]:
        return [s for s in self.places if s.status == SignupStatus.ATTENDED]

    @property
    def confirmed_count(self) -> int:
        return sum(1 for s in self.places if s.status == SignupStatus.CONFIRMED)

    @property
    def places_taken(self) -> int:
        """Confirmed, attended and no-show: every place the capacity has to hold."""
        return len(self.places)


def session_roster(session: TrainingSession) -> Roster:
    signups = list(
        SessionSignup.objects.filter(session=session)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("volunteer")
        .order_by("created_at", "pk")
    )
    recorded = TrainingRecord.objects.filter(session=session).values_list("volunteer_id", flat=True)
    return Roster(
        places=[s for s in signups if s.status != SignupStatus.WAITLISTED],
        waitlist=[s for s in signups if s.status == SignupStatus.WAITLISTED],
        recorded_ids=frozenset(recorded),
    )


@dataclass(frozen=True)
class ExpiringItem:
    """A training record or a clearance that runs out soon, for the coordinator's list."""

    kind: str
    name: str
    volunteer: User
    expires_on: date
    days_left: int


def expiring_items(*, today: date | None = None, days: int = 60) -> list[ExpiringItem]:
    """Trainings and clearances expiring from today to today + ``days``, soonest first."""
    today = today or org_today()
    records, clearances = expiring_between(start=today, end=today + timedelta(days=days))
    items = [
        ExpiringItem(
            kind="Training",
            name=r.training.name,
            volunteer=r.volunteer,
            expires_on=r.expires_on,
            days_left=(r.expires_on - today).days,
        )
        for r in records
        if r.expires_on is not None
    ] + [
        ExpiringItem(
            kind="Clearance",
            name=c.clearance_type.name,
            volunteer=c.volunteer,
            expires_on=c.expires_on,
            days_left=(c.expires_on - today).days,
        )
        for c in clearances
        if c.expires_on is not None
    ]
    return sorted(items, key=lambda i: (i.expires_on, str(i.volunteer), i.name))


def pending_evidence() -> QuerySet[TrainingRecord]:
    """Outside-training certificates waiting for a coordinator, oldest first."""
    return (
        TrainingRecord.objects.filter(status=RecordStatus.PENDING)
        .select_related("volunteer", "training")
        .order_by("created_at", "pk")
    )


def sessions_to_come() -> QuerySet[TrainingSession]:
    """Sessions still to come for coordinators, cancelled ones included, with places counted."""
    return (
        TrainingSession.objects.filter(starts_at__gt=timezone.now())
        .select_related("training")
        .annotate(
            confirmed_count=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
            waitlist_count=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
        )
        .order_by("starts_at")
    )
