"""May this volunteer do this role in this time window? And if not, why not, in plain words.

A training or clearance counts only if it is still valid on the last day of the window (in
the window's time zone): ``volunteers.models.validity.covers``, the rule the expiry warnings
use too. The checker loads everything it needs for a set of volunteers and
roles in a fixed number of queries, then answers any number of (volunteer, role, window)
questions from memory, so a page of 50 shifts or 50 volunteers costs the same as one.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import get_language, gettext, gettext_noop

from accounts.models import User
from core.dates import age_on
from core.locales import format_cldr, year_offset
from volunteers.models import (
    Clearance,
    ClearanceStatus,
    ClearanceType,
    ProfileStatus,
    Qualification,
    RecordStatus,
    Training,
    TrainingRecord,
    VolunteerProfile,
    VolunteerRole,
)
from volunteers.models.validity import LocalDays, covers, local_days


@dataclass(frozen=True)
class Eligibility:
    """The answer: ``eligible``, the ``reasons`` it is not, and what is ``missing`` in brief."""

    eligible: bool
    reasons: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    # The ids of the trainings among ``missing``: what a training session would fix.
    missing_trainings: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return self.eligible

    def once_approved(self) -> Eligibility:
        """The answer leaving the volunteer's own application status out: for an applicant,
        what each role will still need once the application is approved."""
        status_reasons = {gettext(reason) for reason in STATUS_REASONS.values()}
        reasons = tuple(r for r in self.reasons if r not in status_reasons)
        missing = tuple(m for m in self.missing if m != gettext(APPROVED_APPLICATION))
        return Eligibility(
            eligible=not reasons,
            reasons=reasons,
            missing=missing,
            missing_trainings=self.missing_trainings,
        )


def eligibility_note(eligibility: Eligibility) -> str:
    """ "eligible", or "not eligible: " and the reasons, for lists of choices."""
    if eligibility:
        return gettext("eligible")
    return gettext("not eligible: %(reasons)s") % {"reasons": " ".join(eligibility.reasons)}


def format_day(day: date) -> str:
    """A date as people read it in reasons, in the active language: 3 Nov 2026 (Spanish
    3 nov 2026, Thai 3 พ.ย. 2026), the notifications' pattern."""
    language = get_language() or settings.LANGUAGE_CODE
    return _format_day(day, language, year_offset(language))


@functools.lru_cache(maxsize=4096)
def _format_day(day: date, language: str, _year_offset: int) -> str:
    # The same few days (expiry dates, shift days) come back in every reminder of a batch;
    # the era's offset is part of the key, since the organisation may change it.
    return format_cldr(day, "d MMM y", language)


@dataclass
class _Volunteer:
    status: str | None = None
    date_of_birth: date | None = None
    records: dict[int, list[TrainingRecord]] = field(default_factory=lambda: defaultdict(list))
    clearances: dict[int, list[Clearance]] = field(default_factory=lambda: defaultdict(list))
    qualifications: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Window:
    days: LocalDays
    occasion: str | None

    @property
    def first_day(self) -> date:
        return self.days.first

    @property
    def last_day(self) -> date:
        return self.days.last

    def expiry_reason(self, name: str, expires_on: date) -> str:
        """Why something valid until ``expires_on`` does not cover this window."""
        # Only the days the reason names are formatted (Babel's formatting is most of the
        # cost of a reminder's eligibility check).
        parts = {"name": name, "expires": format_day(expires_on)}
        if expires_on < self.first_day:
            if self.occasion is None:
                return gettext("%(name)s expired on %(expires)s.") % parts
            parts["first"] = format_day(self.first_day)
            return (
                gettext("%(name)s expired on %(expires)s, before this shift on %(first)s.") % parts
            )
        if self.occasion is None:
            return gettext("%(name)s expires on %(expires)s.") % parts
        parts["last"] = format_day(self.last_day)
        return (
            gettext("%(name)s expires on %(expires)s, before this shift ends on %(last)s.") % parts
        )


# Translated when used (gettext), in the reader's language.
APPROVED_APPLICATION = gettext_noop("an approved application")
STATUS_REASONS: dict[str | None, str] = {
    None: gettext_noop("You have not applied as a volunteer yet."),
    ProfileStatus.APPLICANT: gettext_noop("Your volunteer application is still being reviewed."),
    ProfileStatus.PAUSED: gettext_noop("Your volunteering is paused."),
    ProfileStatus.LEFT: gettext_noop("You are no longer an active volunteer."),
    ProfileStatus.DECLINED: gettext_noop("Your volunteer application was not accepted."),
}


class EligibilityChecker:
    """Eligibility for many (volunteer, role, window) triples from a fixed number of queries.

    >>> checker = EligibilityChecker(volunteer_ids=[...], roles=[...])
    >>> checker.check(volunteer_id=7, role=role, starts_at=start, ends_at=end)
    """

    def __init__(self, *, volunteer_ids: Iterable[int], roles: Iterable[VolunteerRole]) -> None:
        ids = sorted(set(volunteer_ids))
        role_ids = sorted({role.pk for role in roles})
        self.roles: dict[int, VolunteerRole] = {
            role.pk: role
            for role in VolunteerRole.objects.filter(pk__in=role_ids).prefetch_related(
                Prefetch("required_trainings", queryset=Training.objects.order_by("name")),
                Prefetch(
                    "required_clearance_types", queryset=ClearanceType.objects.order_by("name")
                ),
            )
        }
        training_ids = {t.pk for r in self.roles.values() for t in r.required_trainings.all()}
        type_ids = {c.pk for r in self.roles.values() for c in r.required_clearance_types.all()}
        self.volunteers: dict[int, _Volunteer] = {pk: _Volunteer() for pk in ids}
        if not ids:
            return
        for profile in VolunteerProfile.objects.filter(user_id__in=ids).only(
            "user_id", "status", "date_of_birth"
        ):
            entry = self.volunteers[profile.user_id]
            entry.status = profile.status
            entry.date_of_birth = profile.date_of_birth
        if training_ids:
            for record in TrainingRecord.objects.filter(
                volunteer_id__in=ids, training_id__in=training_ids
            ).only("volunteer_id", "training_id", "status", "completed_on", "expires_on"):
                self.volunteers[record.volunteer_id].records[record.training_id].append(record)
        if type_ids:
            for clearance in Clearance.objects.filter(
                volunteer_id__in=ids, clearance_type_id__in=type_ids
            ).only("volunteer_id", "clearance_type_id", "status", "issued_on", "expires_on"):
                entry = self.volunteers[clearance.volunteer_id]
                entry.clearances[clearance.clearance_type_id].append(clearance)
        qualification_role_ids = [pk for pk, role in self.roles.items() if role.is_qualification]
        if qualification_role_ids:
            for volunteer_id, role_id in Qualification.objects.filter(
                volunteer_id__in=ids, role_id__in=qualification_role_ids
            ).values_list("volunteer_id", "role_id"):
                self.volunteers[volunteer_id].qualifications.add(role_id)

    def check(
        self,
        *,
        volunteer_id: int,
        role: VolunteerRole | int,
        starts_at: datetime,
        ends_at: datetime,
        time_zone: str | None = None,
        occasion: str | None = "this shift",
    ) -> Eligibility:
        """``occasion`` (any value but None) compares with the window in reasons ("... before
        this shift on 12 Dec 2026"); None leaves the comparison out ("... expired on 3 Nov
        2026."). Reasons are in the active language."""
        role_obj = self.roles[role if isinstance(role, int) else role.pk]
        person = self.volunteers[volunteer_id]
        window = _Window(
            local_days(starts_at, ends_at, time_zone or settings.ORG_TIME_ZONE), occasion
        )
        reasons: list[str] = []
        missing: list[str] = []

        if person.status != ProfileStatus.ACTIVE:
            reasons.append(gettext(STATUS_REASONS[person.status]))
            missing.append(gettext(APPROVED_APPLICATION))
        role_name = {"role": role_obj.name}
        if not role_obj.active:
            reasons.append(gettext("%(role)s is not in use at the moment.") % role_name)
        if role_obj.is_qualification and role_obj.pk not in person.qualifications:
            reasons.append(
                gettext("%(role)s is a qualification a coordinator grants; you do not hold it yet.")
                % role_name
            )
            missing.append(gettext("%(role)s qualification") % role_name)
        if role_obj.minimum_age is not None:
            self._check_age(person, role_obj.minimum_age, window.first_day, reasons, missing)
        for training in role_obj.required_trainings.all():
            self._check_training(
                person.records.get(training.pk, []),
                training,
                window,
                reasons,
                missing,
            )
        for clearance_type in role_obj.required_clearance_types.all():
            self._check_clearance(
                person.clearances.get(clearance_type.pk, []),
                clearance_type,
                window,
                reasons,
                missing,
            )
        missing_trainings = tuple(
            t.pk for t in role_obj.required_trainings.all() if t.name in missing
        )
        return Eligibility(
            eligible=not reasons,
            reasons=tuple(reasons),
            missing=tuple(missing),
            missing_trainings=missing_trainings,
        )

    @staticmethod
    def _check_age(
        person: _Volunteer, minimum: int, day: date, reasons: list[str], missing: list[str]
    ) -> None:
        if person.date_of_birth is None:
            reasons.append(
                gettext("Add your date of birth: this role is for people aged %(age)s or older.")
                % {"age": minimum}
            )
            missing.append(gettext("date of birth"))
            return
        if age_on(person.date_of_birth, day) < minimum:
            reasons.append(gettext("You must be %(age)s or older.") % {"age": minimum})
            missing.append(gettext("age %(age)s or over") % {"age": minimum})

    @staticmethod
    def _check_training(
        records: list[TrainingRecord],
        training: Training,
        window: _Window,
        reasons: list[str],
        missing: list[str],
    ) -> None:
        verified = [r for r in records if r.status == RecordStatus.VERIFIED]
        if any(covers(r.expires_on, window.days) for r in verified):
            return
        missing.append(training.name)
        if verified:
            latest = max(r.expires_on for r in verified if r.expires_on is not None)
            reasons.append(window.expiry_reason(training.name, latest))
        elif any(r.status == RecordStatus.PENDING for r in records):
            reasons.append(
                gettext("Your %(training)s certificate is waiting for a coordinator to check it.")
                % {"training": training.name}
            )
        else:
            reasons.append(
                gettext("You have not completed %(training)s.") % {"training": training.name}
            )

    @staticmethod
    def _check_clearance(
        clearances: list[Clearance],
        clearance_type: ClearanceType,
        window: _Window,
        reasons: list[str],
        missing: list[str],
    ) -> None:
        name = clearance_type.name
        cleared = [c for c in clearances if c.status == ClearanceStatus.CLEARED]
        if any(covers(c.expires_on, window.days) for c in cleared):
            return
        missing.append(name[:1].lower() + name[1:])
        statuses = {c.status for c in clearances}
        if statuses & {ClearanceStatus.REQUESTED, ClearanceStatus.PENDING}:
            reasons.append(gettext("%(name)s is pending.") % {"name": name})
        elif cleared:
            # Every cleared one runs out before the window ends (else we returned above).
            latest = max(c.expires_on for c in cleared if c.expires_on is not None)
            reasons.append(window.expiry_reason(name, latest))
        elif ClearanceStatus.EXPIRED in statuses:
            # Marked expired by a coordinator: its date says when, unless it is still ahead.
            dates = [
                c.expires_on
                for c in clearances
                if c.status == ClearanceStatus.EXPIRED and c.expires_on is not None
            ]
            latest_date = max(dates) if dates else None
            if latest_date is None or latest_date >= window.first_day:
                reasons.append(gettext("%(name)s has expired.") % {"name": name})
            else:
                reasons.append(window.expiry_reason(name, latest_date))
        elif ClearanceStatus.REJECTED in statuses:
            reasons.append(gettext("%(name)s was not cleared.") % {"name": name})
        else:
            reasons.append(
                gettext("%(name)s is missing: a coordinator needs to request it.") % {"name": name}
            )


def eligibility_for(
    *,
    volunteer: User | int,
    role: VolunteerRole,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str | None = None,
    occasion: str | None = "this shift",
) -> Eligibility:
    """Eligibility of one volunteer for one role in one window."""
    volunteer_id = volunteer if isinstance(volunteer, int) else volunteer.pk
    checker = EligibilityChecker(volunteer_ids=[volunteer_id], roles=[role])
    return checker.check(
        volunteer_id=volunteer_id,
        role=role,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        occasion=occasion,
    )
