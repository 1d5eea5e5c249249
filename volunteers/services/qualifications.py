"""Qualification roles (e.g. Shift lead) and the staffing rules that need them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from accounts.services import audit
from core.dates import org_today
from volunteers.models import Qualification, StaffingRule, VolunteerRole
from volunteers.services.errors import VolunteeringError


def grant_qualification(*, volunteer: User, role: VolunteerRole, by: User) -> Qualification:
    with transaction.atomic():
        # Locked, so that save_role cannot untick "is a qualification" at the same moment.
        role = VolunteerRole.objects.select_for_update().get(pk=role.pk)
        if not role.is_qualification:
            raise VolunteeringError(
                gettext("%(role)s is not a qualification that can be granted.")
                % {"role": role.name}
            )
        grant, created = Qualification.objects.get_or_create(
            volunteer=volunteer,
            role=role,
            defaults={"granted_on": org_today(), "granted_by": by},
        )
        if created:
            audit.record(
                "volunteers.qualification.granted",
                actor=by,
                subject=volunteer,
                obj=grant,
                changes=audit.changed_fields(
                    {}, {"role": role, "granted_on": grant.granted_on, "granted_by": by}
                ),
            )
    return grant


def revoke_qualification(*, volunteer: User, role: VolunteerRole, by: User) -> None:
    """Mark the grant revoked (kept, with who and when); eligibility no longer counts it."""
    with transaction.atomic():
        grant = (
            Qualification.objects.select_for_update().filter(volunteer=volunteer, role=role).first()
        )
        if grant is None:
            return
        grant.revoked_at = timezone.now()
        grant.revoked_by = by
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            "volunteers.qualification.revoked",
            actor=by,
            subject=volunteer,
            obj=grant,
            changes=audit.changed_fields(
                {"revoked_at": None, "revoked_by": None},
                {"revoked_at": grant.revoked_at, "revoked_by": by},
            ),
            data={"role": role.name},
        )


def staffing_gaps(*, role: VolunteerRole, volunteer_ids: Iterable[int]) -> list[str]:
    """What a team on a ``role`` shift lacks, e.g. ["needs 1 more Shift lead"]."""
    ids = set(volunteer_ids)
    rules = list(StaffingRule.objects.filter(role=role).select_related("qualification"))
    if not rules:
        return []
    held: dict[int, int] = {}
    for role_id in Qualification.objects.filter(
        role_id__in=[rule.qualification_id for rule in rules], volunteer_id__in=ids
    ).values_list("role_id", flat=True):
        held[role_id] = held.get(role_id, 0) + 1
    gaps = []
    for rule in rules:
        short = rule.minimum - held.get(rule.qualification_id, 0)
        if short > 0:
            gaps.append(
                ngettext("needs %(count)s more %(role)s", "needs %(count)s more %(role)s", short)
                % {"count": short, "role": rule.qualification.name}
            )
    return gaps


def set_staffing_rule(
    *, role: VolunteerRole, qualification: VolunteerRole, minimum: int
) -> StaffingRule:
    """Require at least ``minimum`` holders of ``qualification`` on each ``role`` shift.

    Setting a rule for a pair that already has one changes its minimum.
    """
    if qualification.pk == role.pk:
        raise VolunteeringError(gettext("A role cannot require itself."))
    if minimum < 1:
        raise VolunteeringError(gettext("A staffing rule needs at least 1 person."))
    with transaction.atomic():
        # Both roles locked in pk order (as save_role locks one), then checked.
        locked = {
            r.pk: r
            for r in VolunteerRole.objects.select_for_update()
            .filter(pk__in=[role.pk, qualification.pk])
            .order_by("pk")
        }
        qualification = locked[qualification.pk]
        if not qualification.is_qualification:
            raise VolunteeringError(
                gettext("%(qualification)s is not a qualification.")
                % {"qualification": qualification.name}
            )
        rule, _ = StaffingRule.objects.update_or_create(
            role=role, qualification=qualification, defaults={"minimum": minimum}
        )
    return rule


def remove_staffing_rule(*, rule: StaffingRule) -> None:
    StaffingRule.objects.filter(pk=rule.pk).delete()
