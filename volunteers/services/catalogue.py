"""Roles and trainings: what the organisation offers and what each role requires."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, ngettext

from accounts.models import User
from accounts.services import audit
from volunteers.models import (
    ApplicationQuestion,
    ClearanceType,
    Qualification,
    StaffingRule,
    Training,
    VolunteerRole,
)


def _qualification_still_used(role: VolunteerRole) -> str | None:
    """Why ``role`` cannot stop being a qualification, or None when nothing depends on it."""
    rules = StaffingRule.objects.filter(qualification=role).count()
    holders = Qualification.objects.filter(role=role).count()
    if not rules and not holders:
        return None
    reasons = []
    if rules:
        reasons.append(
            ngettext(
                "%(role)s is still needed by %(count)d staffing rule; remove it first.",
                "%(role)s is still needed by %(count)d staffing rules; remove them first.",
                rules,
            )
            % {"role": role.name, "count": rules}
        )
    if holders:
        reasons.append(
            ngettext(
                "%(role)s is still held by %(count)d volunteer; take it back from them first.",
                "%(role)s is still held by %(count)d volunteers; take it back from them first.",
                holders,
            )
            % {"role": role.name, "count": holders}
        )
    return " ".join(reasons)


def save_role(
    *,
    role: VolunteerRole | None,
    name: str,
    description: str = "",
    minimum_age: int | None = None,
    required_trainings: Iterable[Training] = (),
    required_clearance_types: Iterable[ClearanceType] = (),
    is_qualification: bool = False,
    active: bool = True,
    translations: dict[str, dict[str, str]] | None = None,
    by: User,
) -> VolunteerRole:
    """Create a role (``role=None``) or change one, with its requirements.

    A role stays a qualification while staffing rules need it or volunteers hold it.
    """
    with transaction.atomic():
        before: dict[str, object] = {}
        if role is None:
            target = VolunteerRole()
        else:
            target = VolunteerRole.objects.select_for_update().get(pk=role.pk)
            before = _role_snapshot(target)
            if target.is_qualification and not is_qualification:
                problem = _qualification_still_used(target)
                if problem:
                    raise ValidationError({"is_qualification": problem})
        target.name = name.strip()
        target.description = description.strip()
        target.minimum_age = minimum_age
        target.is_qualification = is_qualification
        target.active = active
        if translations is not None:
            target.translations = translations
        target.full_clean()
        target.save()
        target.required_trainings.set(list(required_trainings))
        target.required_clearance_types.set(list(required_clearance_types))
        audit.record(
            "volunteers.role.created" if role is None else "volunteers.role.changed",
            actor=by,
            obj=target,
            changes=audit.changed_fields(before, _role_snapshot(target)),
        )
    return target


def _role_snapshot(role: VolunteerRole) -> dict[str, object]:
    """A role's audited fields; its requirements as their ids, in order."""
    return {
        **audit.snapshot(
            role, ("name", "description", "minimum_age", "is_qualification", "active")
        ),
        "required_trainings": ", ".join(
            str(pk) for pk in sorted(role.required_trainings.values_list("pk", flat=True))
        ),
        "required_clearance_types": ", ".join(
            str(pk) for pk in sorted(role.required_clearance_types.values_list("pk", flat=True))
        ),
    }


def save_training(
    *,
    training: Training | None,
    name: str,
    description: str = "",
    validity_months: int | None = None,
    translations: dict[str, dict[str, str]] | None = None,
    by: User,
) -> Training:
    """Create a training (``training=None``) or change one.

    A new validity applies to completions recorded from now on; existing records keep theirs.
    """
    if validity_months is not None and validity_months < 1:
        raise ValidationError(
            {
                "validity_months": gettext(
                    "A training that expires stays valid for at least 1 month. "
                    "Leave it empty if it never expires."
                )
            }
        )
    audited = ("name", "description", "validity_months")
    with transaction.atomic():
        before: dict[str, object] = {}
        if training is None:
            target = Training()
        else:
            target = Training.objects.select_for_update().get(pk=training.pk)
            before = audit.snapshot(target, audited)
        target.name = name.strip()
        target.description = description.strip()
        target.validity_months = validity_months
        if translations is not None:
            target.translations = translations
        target.full_clean()
        target.save()
        audit.record(
            "volunteers.training.created" if training is None else "volunteers.training.changed",
            actor=by,
            obj=target,
            changes=audit.changed_fields(before, audit.snapshot(target, audited)),
        )
    return target


QUESTION_FIELDS = ("text", "help_text", "required", "position", "active")


def _question_snapshot(question: ApplicationQuestion) -> dict[str, object]:
    """The audited fields; the translations as JSON (as stored), not Python's repr."""
    texts = json.dumps(question.translations, ensure_ascii=False, sort_keys=True)
    return {**audit.snapshot(question, QUESTION_FIELDS), "translations": texts}


def save_question(
    *,
    question: ApplicationQuestion | None,
    text: str,
    help_text: str = "",
    required: bool = False,
    position: int = 0,
    active: bool = True,
    translations: dict[str, dict[str, str]] | None = None,
    by: User,
) -> ApplicationQuestion:
    """Add a question to the volunteer application (``question=None``) or change one, with
    its text in the other languages (empty: the default language's)."""
    with transaction.atomic():
        before: dict[str, object] = {}
        if question is None:
            target = ApplicationQuestion()
        else:
            target = ApplicationQuestion.objects.select_for_update().get(pk=question.pk)
            before = _question_snapshot(target)
        target.text = text.strip()
        target.help_text = help_text.strip()
        target.required = required
        target.position = position
        target.active = active
        if translations is not None:
            target.translations = translations
        target.full_clean()
        target.save()
        audit.record(
            "volunteers.question.created" if question is None else "volunteers.question.changed",
            actor=by,
            obj=target,
            changes=audit.changed_fields(before, _question_snapshot(target)),
        )
    return target
