"""The people a coordinator can write to: a shift's team or waitlist, a role's volunteers,
those who may fill a shift, those whose training runs out. Each is a fixed number of
queries and returns active people in name order."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.roles import Role
from volunteers.models import (
    ACTIVE_SHIFT_SIGNUP_STATUSES,
    PLACE_STATUSES,
    ProfileStatus,
    RecordStatus,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    Training,
    TrainingRecord,
    VolunteerRole,
)
from volunteers.selectors.eligibility import EligibilityChecker

ORDER = ("first_name", "last_name", "email", "pk")


def _people() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by(*ORDER)


def shift_team(shift: Shift) -> QuerySet[User]:
    """The people holding a place on ``shift``."""
    return _people().filter(shift_signups__shift=shift, shift_signups__status__in=PLACE_STATUSES)


def shift_waitlist(shift: Shift) -> QuerySet[User]:
    return _people().filter(
        shift_signups__shift=shift, shift_signups__status=ShiftSignupStatus.WAITLISTED
    )


def role_volunteers(role: VolunteerRole) -> QuerySet[User]:
    """Active volunteers who want to do ``role`` or hold it (a qualification such as lead)."""
    return (
        _people()
        .filter(groups__name=Role.VOLUNTEER.value, volunteer_profile__status=ProfileStatus.ACTIVE)
        .filter(
            Q(volunteer_profile__wanted_roles=role)
            | Q(qualifications__role=role, qualifications__revoked_at__isnull=True)
        )
        .distinct()
    )


def training_expiring_before(training: Training, day: date) -> QuerySet[User]:
    """Volunteers whose verified ``training`` runs out before ``day``, not renewed since."""
    renewed = TrainingRecord.objects.filter(
        volunteer=OuterRef("pk"), training=training, status=RecordStatus.VERIFIED
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
    expiring = TrainingRecord.objects.filter(
        volunteer=OuterRef("pk"),
        training=training,
        status=RecordStatus.VERIFIED,
        expires_on__lt=day,
    )
    return (
        _people()
        .filter(groups__name=Role.VOLUNTEER.value)
        .filter(Exists(expiring))
        .exclude(Exists(renewed))
    )


def free_eligible_volunteers(shift: Shift, *, exclude_ids: set[int] | None = None) -> list[User]:
    """Active volunteers who may do the shift's role on its date, are not on it (or its
    waitlist) and hold no place on a shift overlapping it (four queries and eligibility's)."""
    on_shift = ShiftSignup.objects.filter(
        shift=shift, volunteer=OuterRef("pk"), status__in=ACTIVE_SHIFT_SIGNUP_STATUSES
    )
    busy = (
        ShiftSignup.objects.filter(
            volunteer=OuterRef("pk"),
            status__in=(ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.ATTENDED),
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift__status=ShiftStatus.CANCELLED)
        .exclude(shift=shift)
    )
    candidates = list(
        _people()
        .filter(groups__name=Role.VOLUNTEER.value, volunteer_profile__status=ProfileStatus.ACTIVE)
        .exclude(Exists(on_shift))
        .exclude(Exists(busy))
        .exclude(pk__in=exclude_ids or set())
    )
    checker = EligibilityChecker(volunteer_ids=[p.pk for p in candidates], roles=[shift.role])
    return [
        person
        for person in candidates
        if checker.check(
            volunteer_id=person.pk,
            role=shift.role,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            time_zone=shift.time_zone,
        )
    ]
