"""Reads that volunteering pages share, with their joins, so queries do not grow with rows."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from volunteers.eligibility import Eligibility, EligibilityChecker
from volunteers.models import (
    Clearance,
    ClearanceStatus,
    RecordStatus,
    SessionSignup,
    SignupStatus,
    Training,
    TrainingRecord,
    TrainingSession,
    VolunteerProfile,
    VolunteerRole,
)


@dataclass(frozen=True)
class RoleNeeds:
    role: VolunteerRole
    eligibility: Eligibility


@dataclass(frozen=True)
class TrainingStatus:
    """A volunteer's standing for one training: their best record, if any."""

    training: Training
    record: TrainingRecord | None
    pending: TrainingRecord | None

    @property
    def valid_today(self) -> bool:
        today = timezone.localdate()
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

    @property
    def text(self) -> str:
        """e.g. "Background check: valid until March 2027" or "Background check: pending"."""
        if self.status == ClearanceStatus.CLEARED:
            if self.expires_on is None:
                return f"{self.name}: valid"
            if self.expires_on < timezone.localdate():
                return f"{self.name}: expired in {self.expires_on:%B %Y}"
            return f"{self.name}: valid until {self.expires_on:%B %Y}"
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
    """The latest clearance of each type, reduced to what the volunteer may see."""
    latest: dict[int, Clearance] = {}
    for clearance in (
        Clearance.objects.filter(volunteer=volunteer)
        .select_related("clearance_type")
        .only("clearance_type__name", "status", "expires_on", "updated_at")
        .order_by("updated_at", "pk")
    ):
        latest[clearance.clearance_type_id] = clearance
    return sorted(
        (
            ClearanceSummary(
                name=c.clearance_type.name,
                status=c.status,
                status_label=c.get_status_display(),
                expires_on=c.expires_on,
            )
            for c in latest.values()
        ),
        key=lambda s: s.name,
    )


def role_needs(volunteer: User, *, day: date | None = None) -> list[RoleNeeds]:
    """For every active role, whether the volunteer may do it today, and what is missing."""
    roles = list(VolunteerRole.objects.filter(active=True).order_by("name"))
    checker = EligibilityChecker(volunteer_ids=[volunteer.pk], roles=roles)
    start, end = today_window(day)
    return [
        RoleNeeds(
            role=role,
            eligibility=checker.check(
                volunteer_id=volunteer.pk, role=role, starts_at=start, ends_at=end
            ),
        )
        for role in roles
    ]


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
