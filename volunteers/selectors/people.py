"""Reads about volunteers as people: profiles, the directory, applicants, clearances and
one volunteer's whole file, with their joins, so queries do not grow with rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    DateField,
    DateTimeField,
    F,
    IntegerField,
    Min,
    OrderBy,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Least
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.selectors import person_matches
from core.dates import org_today
from core.locales import month_and_year
from volunteers.models import (
    PLACE_STATUSES,
    ApplicationAnswer,
    Clearance,
    ClearanceStatus,
    HoursEntry,
    HoursStatus,
    ProfileStatus,
    Qualification,
    RecordStatus,
    SavedFilter,
    ShiftSignup,
    TrainingRecord,
    VolunteerProfile,
    VolunteerRole,
)
from volunteers.selectors.eligibility import EligibilityChecker
from volunteers.selectors.trainings import (
    RoleNeeds,
    expiring_between,
    role_needs,
    today_window,
    upcoming_sessions,
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
        parts = {"name": self.name}
        if self.status == ClearanceStatus.CLEARED:
            if self.expires_on is not None:
                parts["month"] = month_and_year(self.expires_on)
            if self.expires_on is None:
                text = gettext("%(name)s: valid") % parts
            elif self.expires_on < org_today():
                text = gettext("%(name)s: expired in %(month)s") % parts
            else:
                text = gettext("%(name)s: valid until %(month)s") % parts
            if self.renewal_pending:
                text = gettext("%(summary)s; renewal pending") % {"summary": text}
            return text
        if self.status in (ClearanceStatus.REQUESTED, ClearanceStatus.PENDING):
            return gettext("%(name)s: pending") % parts
        if self.status == ClearanceStatus.EXPIRED:
            return gettext("%(name)s: expired") % parts
        return gettext("%(name)s: not cleared") % parts


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


def profile_for(user: User) -> VolunteerProfile | None:
    return VolunteerProfile.objects.filter(user=user).first()


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


# The directory's sortable columns: the key in the address, the ordering (ties by name).
DIRECTORY_SORTS: dict[str, tuple[str, bool]] = {
    "name": ("user__last_name", False),
    "last_shift": ("last_shift_at", True),
    "hours": ("minutes_this_year", True),
    "expiry": ("next_expiry", False),
    "status": ("status", False),
}
NAME_ORDER = ("user__last_name", "user__first_name", "user__email", "pk")


def directory_order(sort: str) -> list[str | OrderBy]:
    """The ordering for ``sort`` ("hours", "-hours", ...): an unknown key sorts by name.

    Empty values (no shift yet, no expiry) go last either way."""
    key = sort.removeprefix("-")
    field, _ = DIRECTORY_SORTS.get(key, DIRECTORY_SORTS["name"])
    descending = sort.startswith("-") and key in DIRECTORY_SORTS
    if field == "user__last_name":
        names = [F(name).desc() if descending else F(name).asc() for name in NAME_ORDER[:3]]
        return [*names, "pk"]
    column = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return [column, *NAME_ORDER]


def with_directory_columns(profiles: QuerySet[VolunteerProfile]) -> QuerySet[VolunteerProfile]:
    """Adds ``last_shift_at`` (start of the latest shift begun with a place),
    ``minutes_this_year`` (approved hours worked this calendar year) and ``next_expiry``
    (the soonest coming expiry of a cleared clearance or a verified training), each one
    subquery, so the list costs the same whatever its length."""
    today = org_today()
    last_shift = (
        ShiftSignup.objects.filter(
            volunteer_id=OuterRef("user_id"),
            status__in=PLACE_STATUSES,
            shift__starts_at__lte=timezone.now(),
        )
        .order_by("-shift__starts_at")
        .values("shift__starts_at")[:1]
    )
    minutes = (
        HoursEntry.objects.filter(
            volunteer_id=OuterRef("user_id"),
            status=HoursStatus.APPROVED,
            date__gte=date(today.year, 1, 1),
            date__lte=date(today.year, 12, 31),
        )
        .order_by()
        .values("volunteer_id")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    clearance = Subquery(
        _soonest_expiry(Clearance.objects.filter(status=ClearanceStatus.CLEARED), today),
        output_field=DateField(),
    )
    training = Subquery(
        _soonest_expiry(TrainingRecord.objects.filter(status=RecordStatus.VERIFIED), today),
        output_field=DateField(),
    )
    return profiles.annotate(
        last_shift_at=Subquery(last_shift, output_field=DateTimeField()),
        minutes_this_year=Coalesce(Subquery(minutes, output_field=IntegerField()), 0),
        # A person with only one kind gets that one: PostgreSQL's LEAST skips NULLs, but
        # SQLite's MIN() of a NULL is NULL, so each side falls back on the other.
        next_expiry=Least(Coalesce(clearance, training), Coalesce(training, clearance)),
    )


def volunteer_directory(
    *,
    search: str = "",
    status: str = "",
    qualification: VolunteerRole | None = None,
    eligible_for: VolunteerRole | None = None,
    sort: str = "name",
) -> QuerySet[VolunteerProfile]:
    """Profiles with their person, wanted roles, qualifications and the sortable columns
    (see ``with_directory_columns``), ordered by ``sort``; each search word must
    match a name or e-mail. ``eligible_for``: only people who may do that role today (the
    eligibility of every matching person is checked in a fixed number of queries)."""
    profiles = VolunteerProfile.objects.select_related("user").prefetch_related(
        Prefetch("wanted_roles", queryset=VolunteerRole.objects.order_by("name")),
        Prefetch(
            "user__qualifications",
            queryset=Qualification.objects.select_related("role").order_by("role__name"),
        ),
    )
    if qualification is not None:
        profiles = profiles.filter(
            user__qualifications__role=qualification,
            user__qualifications__revoked_at__isnull=True,
        )
    if search:
        profiles = profiles.filter(person_matches(search, via="user__"))
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
    return with_directory_columns(profiles).order_by(*directory_order(sort))


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


def directory_from_query(query: str) -> QuerySet[VolunteerProfile]:
    """The directory as an address query filters and sorts it (a saved filter's, or the
    page's own); filters that are no longer valid (a deleted role) are left out."""
    params = QueryDict(query)

    def role(key: str, **only: bool) -> VolunteerRole | None:
        value = params.get(key, "")
        if not value.isdigit():
            return None
        return VolunteerRole.objects.filter(pk=int(value), **only).first()

    status = params.get("status", "")
    sort = params.get("sort", "name")
    return volunteer_directory(
        search=params.get("q", "")[:100],
        status=status if status in ProfileStatus.values else "",
        qualification=role("qualification", is_qualification=True),
        eligible_for=role("eligible_for", active=True),
        sort=sort if sort.removeprefix("-") in DIRECTORY_SORTS else "name",
    )


def saved_filters(owner: User) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(owner=owner).order_by("name", "pk")


def _soonest_expiry(records: QuerySet[Any], today: date) -> QuerySet[Any]:
    """The soonest coming expiry among a person's ``records`` (a subquery on the profile)."""
    soonest: QuerySet[Any] = (
        records.filter(volunteer_id=OuterRef("user_id"), expires_on__gte=today)
        .order_by()
        .values("volunteer_id")
        .annotate(soonest=Min("expires_on"))
        .values("soonest")
    )
    return soonest
