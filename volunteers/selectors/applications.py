"""Applications waiting for a decision, each as a coordinator reads it: the person, their
answers, and where they stand on the clearances the roles they want require."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from volunteers.models import (
    ApplicationAnswer,
    Clearance,
    ClearanceType,
    ProfileStatus,
    VolunteerProfile,
    VolunteerRole,
)


@dataclass(frozen=True)
class ClearanceLine:
    name: str
    status: str  # a ClearanceStatus value, or "" when none is recorded
    status_label: str
    expires_on: date | None
    required: bool  # one of the wanted roles requires it


@dataclass(frozen=True)
class Application:
    profile: VolunteerProfile
    clearances: list[ClearanceLine]

    @property
    def missing_clearances(self) -> int:
        return sum(1 for line in self.clearances if line.required and line.status != "cleared")


def _lines(profile: VolunteerProfile) -> list[ClearanceLine]:
    held: dict[int, Clearance] = {}
    for clearance in profile.user.clearances.all():  # newest last: the latest wins
        held[clearance.clearance_type_id] = clearance
    required: dict[int, ClearanceType] = {}
    for role in profile.wanted_roles.all():
        for kind in role.required_clearance_types.all():
            required[kind.pk] = kind
    kinds = {c.clearance_type_id: c.clearance_type for c in held.values()} | required
    lines = []
    for pk, kind in sorted(kinds.items(), key=lambda item: (item[1].name, item[0])):
        found = held.get(pk)
        lines.append(
            ClearanceLine(
                name=kind.name,
                status=found.status if found else "",
                status_label=str(found.get_status_display()) if found else "",
                expires_on=found.expires_on if found else None,
                required=pk in required,
            )
        )
    return lines


def applications() -> list[Application]:
    """Applications waiting for review, oldest first, in a constant number of queries."""
    profiles = (
        VolunteerProfile.objects.filter(status=ProfileStatus.APPLICANT)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=ApplicationAnswer.objects.select_related("question").order_by(
                    "question__position", "question__pk"
                ),
            ),
            Prefetch(
                "user__clearances",
                queryset=Clearance.objects.select_related("clearance_type").order_by(
                    "updated_at", "pk"
                ),
            ),
            Prefetch(
                "wanted_roles",
                queryset=VolunteerRole.objects.order_by("name").prefetch_related(
                    "required_clearance_types"
                ),
            ),
        )
        .order_by("applied_at", "pk")
    )
    return [Application(profile=p, clearances=_lines(p)) for p in profiles]
