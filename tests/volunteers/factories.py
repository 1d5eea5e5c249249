"""Builders for volunteering data. Each returns a saved, fully typed model instance."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core.dates import org_today
from tests.factories import make_user
from volunteers.models import (
    Clearance,
    ClearanceStatus,
    ClearanceType,
    Location,
    ProfileStatus,
    RecordStatus,
    Shift,
    ShiftStatus,
    Training,
    TrainingRecord,
    TrainingSession,
    VolunteerProfile,
    VolunteerRole,
)


def make_volunteer(
    *,
    status: str = ProfileStatus.ACTIVE,
    date_of_birth: date | None = date(1990, 5, 17),
    **user_fields: Any,
) -> User:
    """A person with the volunteer role and a profile in ``status``."""
    user = make_user(roles=[Role.VOLUNTEER], **user_fields)
    VolunteerProfile.objects.create(user=user, status=status, date_of_birth=date_of_birth)
    return user


def make_training(name: str = "Trauma-informed care", validity_months: int | None = 12) -> Training:
    return Training.objects.create(name=name, validity_months=validity_months)


def make_clearance_type(
    name: str = "Background check", validity_months: int | None = 36
) -> ClearanceType:
    return ClearanceType.objects.create(name=name, validity_months=validity_months)


def make_role(
    name: str = "Crisis text line",
    *,
    trainings: list[Training] = (),  # type: ignore[assignment]
    clearance_types: list[ClearanceType] = (),  # type: ignore[assignment]
    minimum_age: int | None = None,
    is_qualification: bool = False,
) -> VolunteerRole:
    role = VolunteerRole.objects.create(
        name=name, minimum_age=minimum_age, is_qualification=is_qualification
    )
    role.required_trainings.set(trainings)
    role.required_clearance_types.set(clearance_types)
    return role


def make_record(
    volunteer: User,
    training: Training,
    *,
    completed_on: date,
    expires_on: date | str | None = "derive",
    status: str = RecordStatus.VERIFIED,
) -> TrainingRecord:
    return TrainingRecord.objects.create(
        volunteer=volunteer,
        training=training,
        completed_on=completed_on,
        expires_on=training.expiry_for(completed_on) if expires_on == "derive" else expires_on,
        status=status,
    )


def make_clearance(
    volunteer: User,
    clearance_type: ClearanceType,
    *,
    status: str = ClearanceStatus.CLEARED,
    issued_on: date | None = None,
    expires_on: date | None = None,
    reference_number: str = "BC-000123",
) -> Clearance:
    if status == ClearanceStatus.CLEARED and issued_on is None:
        issued_on = org_today() - timedelta(days=30)
    return Clearance.objects.create(
        volunteer=volunteer,
        clearance_type=clearance_type,
        status=status,
        issued_on=issued_on,
        expires_on=expires_on,
        reference_number=reference_number,
    )


def make_session(
    training: Training,
    *,
    starts_at: datetime | None = None,
    hours: int = 3,
    capacity: int = 10,
    time_zone: str = "America/New_York",
    **fields: Any,
) -> TrainingSession:
    start = starts_at or timezone.now() + timedelta(days=7)
    return TrainingSession.objects.create(
        training=training,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        time_zone=time_zone,
        capacity=capacity,
        place=fields.pop("place", "Community hall, room 2"),
        **fields,
    )


# Smallest valid files of each kind, for upload tests.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_location(
    name: str = "Community hall", *, time_zone: str = "America/New_York", **fields: Any
) -> Location:
    location, _ = Location.objects.get_or_create(
        name=name,
        defaults={"time_zone": time_zone, "address": fields.pop("address", "12 Main St"), **fields},
    )
    return location


def make_shift(
    role: VolunteerRole | None = None,
    *,
    location: Location | None = None,
    starts_at: datetime | None = None,
    hours: float = 3,
    capacity: int = 5,
    status: str = ShiftStatus.PUBLISHED,
    **fields: Any,
) -> Shift:
    """A published shift a week ahead (by default) of an unrestricted role."""
    start = starts_at or timezone.now() + timedelta(days=7)
    return Shift.objects.create(
        role=role or VolunteerRole.objects.get_or_create(name="Outreach")[0],
        location=location or make_location(),
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        capacity=capacity,
        status=status,
        **fields,
    )
