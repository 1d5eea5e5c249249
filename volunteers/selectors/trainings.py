"""Reads that volunteering pages share, with their joins, so queries do not grow with rows."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
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
from core.dates import org_today
from volunteers.models import (
    ApplicationAnswer,
    Clearance,
    ClearanceStatus,
    ClearanceType,
    ProfileStatus,
    Qualification,
    RecordStatus,
    SessionSignup,
    SignupStatus,
    StaffingRule,
    Training,
    TrainingRecord,
    TrainingSession,
    VolunteerProfile,
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


@dataclass(frozen=True)
class ClearanceSummary:
    """What a volunteer may see of a clearance: its type, status and expiry, nothing more."""

    name: str
    status: str
    status_label: str
    expires_on: date | None
    renewal_pending: bool = False

    @property
    def text(self) -> str:
        """e.g. "Background check: valid until March 2027" or "Background check: pending"."""
        if self.status == ClearanceStatus.CLEARED:
            if self.expires_on is None:
                text = f"{self.name}: valid"
            elif self.expires_on < org_today():
                text = f"{self.name}: expired in {self.expires_on:%B %Y}"
            else:
                text = f"{self.name}: valid until {self.expires_on:%B %Y}"
            return text + ("; renewal pending" if self.renewal_pending else "")
        if self.status in (ClearanceStatus.REQUESTED, ClearanceStatus.PENDING):
            return f"{self.name}: pending"
        if self.status == ClearanceStatus.EXPIRED:
            return f"{self.name}: expired"
        return f"{self.name}: not cleared"


def today_window(day: date | None = None) -> tuple[datetime, datetime]:
    """The whole of ``day`` (default today) in the organisation's zone, as a window."""
    zone = zoneinfo.ZoneInfo(settings.ORG_TIME_ZONE)
    day = day or timezone.localdate(timezone=zone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1) - timedelta(microseconds=1)


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


def clearance_summaries(volunteer: User) -> list[ClearanceSummary]:
    """One line per clearance type, reduced to what the volunteer may see.

    The clearance that counts is the cleared one lasting longest (as eligibility sees it),
    with "renewal pending" when a newer one is on its way; without a cleared one, the
    latest recorded.
    """
    by_type: dict[int, list[Clearance]] = {}
    for clearance in (
        Clearance.objects.filter(volunteer=volunteer)
        .select_related("clearance_type")
        .only("clearance_type__name", "status", "expires_on", "updated_at")
        .order_by("updated_at", "pk")
    ):
        by_type.setdefault(clearance.clearance_type_id, []).append(clearance)
    summaries = []
    for items in by_type.values():
        cleared = [c for c in items if c.status == ClearanceStatus.CLEARED]
        pending = any(
            c.status in (ClearanceStatus.REQUESTED, ClearanceStatus.PENDING) for c in items
        )
        shown = max(cleared, key=lambda c: c.expires_on or date.max) if cleared else items[-1]
        summaries.append(
            ClearanceSummary(
                name=shown.clearance_type.name,
                status=shown.status,
                status_label=shown.get_status_display(),
                expires_on=shown.expires_on,
                renewal_pending=bool(cleared) and pending,
            )
        )
    return sorted(summaries, key=lambda s: s.name)


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


def profile_for(user: User) -> VolunteerProfile | None:
    return VolunteerProfile.objects.filter(user=user).first()


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


def clearance_list(*, status: str = "", within_days: int | None = None) -> QuerySet[Clearance]:
    """Clearances with their volunteer and type, soonest expiry first (no expiry last).

    ``within_days`` keeps those expiring from today to today + ``within_days``.
    """
    clearances = Clearance.objects.select_related("volunteer", "clearance_type").order_by(
        F("expires_on").asc(nulls_last=True), "volunteer__last_name", "pk"
    )
    if status:
        clearances = clearances.filter(status=status)
    if within_days is not None:
        today = org_today()
        clearances = clearances.filter(
            expires_on__gte=today, expires_on__lte=today + timedelta(days=within_days)
        )
    return clearances


def volunteer_directory(
    *,
    search: str = "",
    status: str = "",
    qualification: VolunteerRole | None = None,
    eligible_for: VolunteerRole | None = None,
) -> QuerySet[VolunteerProfile]:
    """Profiles with their person, wanted roles and qualifications; each search word must
    match a name or e-mail. ``eligible_for``: only people who may do that role today (the
    eligibility of every matching person is checked in a fixed number of queries)."""
    profiles = (
        VolunteerProfile.objects.select_related("user")
        .prefetch_related(
            Prefetch("wanted_roles", queryset=VolunteerRole.objects.order_by("name")),
            Prefetch(
                "user__qualifications",
                queryset=Qualification.objects.select_related("role").order_by("role__name"),
            ),
        )
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    if qualification is not None:
        profiles = profiles.filter(user__qualifications__role=qualification)
    for word in search.split():
        profiles = profiles.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    if status:
        profiles = profiles.filter(status=status)
    if eligible_for is not None:
        ids = list(profiles.values_list("user_id", flat=True))
        checker = EligibilityChecker(volunteer_ids=ids, roles=[eligible_for])
        start, end = today_window()
        eligible = [
            pk
            for pk in ids
            if checker.check(
                volunteer_id=pk, role=eligible_for, starts_at=start, ends_at=end, occasion=None
            )
        ]
        profiles = profiles.filter(user_id__in=eligible)
    return profiles


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


def applicants() -> QuerySet[VolunteerProfile]:
    """Applications waiting for review, oldest first, with answers and wanted roles."""
    return (
        VolunteerProfile.objects.filter(status=ProfileStatus.APPLICANT)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=ApplicationAnswer.objects.select_related("question").order_by(
                    "question__position", "question__pk"
                ),
            ),
            Prefetch("wanted_roles", queryset=VolunteerRole.objects.order_by("name")),
        )
        .order_by("applied_at", "pk")
    )


def pending_evidence() -> QuerySet[TrainingRecord]:
    """Outside-training certificates waiting for a coordinator, oldest first."""
    return (
        TrainingRecord.objects.filter(status=RecordStatus.PENDING)
        .select_related("volunteer", "training")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class VolunteerFile:
    """Everything a coordinator sees about one volunteer."""

    person: User
    profile: VolunteerProfile | None
    answers: list[ApplicationAnswer]
    wanted_roles: list[VolunteerRole]
    records: list[TrainingRecord]
    clearances: list[Clearance]
    qualifications: list[Qualification]
    needs: list[RoleNeeds]


def volunteer_file(person: User, *, day: date | None = None) -> VolunteerFile:
    profile = (
        VolunteerProfile.objects.filter(user=person)
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=ApplicationAnswer.objects.select_related("question").order_by(
                    "question__position", "question__pk"
                ),
            ),
            Prefetch("wanted_roles", queryset=VolunteerRole.objects.order_by("name")),
        )
        .first()
    )
    return VolunteerFile(
        person=person,
        profile=profile,
        answers=list(profile.answers.all()) if profile else [],
        wanted_roles=list(profile.wanted_roles.all()) if profile else [],
        records=list(
            TrainingRecord.objects.filter(volunteer=person)
            .select_related("training", "verified_by")
            .order_by("training__name", "-completed_on", "pk")
        ),
        clearances=list(
            Clearance.objects.filter(volunteer=person)
            .select_related("clearance_type", "recorded_by")
            .order_by("clearance_type__name", "-updated_at", "pk")
        ),
        qualifications=list(
            Qualification.objects.filter(volunteer=person)
            .select_related("role", "granted_by")
            .order_by("role__name")
        ),
        needs=role_needs(person, day=day),
    )


def volunteering_counts() -> dict[str, int]:
    """The figures on the coordinator's home page, in a fixed number of queries."""
    today = org_today()
    records, clearances = expiring_between(start=today, end=today + timedelta(days=60))
    return {
        "applicants": VolunteerProfile.objects.filter(status=ProfileStatus.APPLICANT).count(),
        "evidence": TrainingRecord.objects.filter(status=RecordStatus.PENDING).count(),
        "expiring": len(records) + len(clearances),
        "sessions": upcoming_sessions().count(),
    }


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
