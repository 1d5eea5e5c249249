"""Applying to volunteer and the coordinator's review."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from accounts.services import audit, grant_role, refuse_registered_address, register_volunteer
from core.dates import org_today
from volunteers.models import (
    ApplicationAnswer,
    ApplicationQuestion,
    ProfileStatus,
    VolunteerProfile,
    VolunteerRole,
)
from volunteers.services.errors import VolunteeringError


def validate_date_of_birth(date_of_birth: date | None) -> None:
    if date_of_birth is None:
        return
    today = org_today()
    if date_of_birth >= today:
        raise ValidationError({"date_of_birth": "A date of birth must be in the past."})
    if date_of_birth.year < today.year - 120:
        raise ValidationError({"date_of_birth": "Check the year of birth."})


def submit_application(
    *,
    account: Mapping[str, Any],
    profile: Mapping[str, Any],
    answers: Mapping[int, str],
    wanted_roles: Iterable[VolunteerRole] = (),
) -> VolunteerProfile:
    """Create the applicant's account and profile, with their answers, in one transaction.

    ``account`` holds register_volunteer's arguments; ``profile`` the profile's fields.
    Raises ValidationError when a required question is unanswered.
    """
    questions = _validated_questions(profile, answers)
    # Outside the transaction: the owner's notice of a taken address must not roll back.
    refuse_registered_address(email=account["email"], password=account["password"])
    with transaction.atomic():
        user = register_volunteer(**account)
        volunteer = _create_application(user, profile, answers, wanted_roles, questions)
    return volunteer


def _validated_questions(
    profile: Mapping[str, Any], answers: Mapping[int, str]
) -> dict[int, ApplicationQuestion]:
    """The active questions, after checking the date of birth and the required answers."""
    validate_date_of_birth(profile.get("date_of_birth"))
    questions = {q.pk: q for q in ApplicationQuestion.objects.filter(active=True)}
    unanswered = [q for q in questions.values() if q.required and not answers.get(q.pk, "").strip()]
    if unanswered:
        raise ValidationError(
            {f"question_{q.pk}": "Please answer this question." for q in unanswered}
        )
    return questions


def _create_application(
    user: User,
    profile: Mapping[str, Any],
    answers: Mapping[int, str],
    wanted_roles: Iterable[VolunteerRole],
    questions: Mapping[int, ApplicationQuestion],
) -> VolunteerProfile:
    roles = list(wanted_roles)
    volunteer = VolunteerProfile.objects.create(
        user=user, status=ProfileStatus.APPLICANT, **profile
    )
    volunteer.wanted_roles.set(roles)
    created = ApplicationAnswer.objects.bulk_create(
        ApplicationAnswer(profile=volunteer, question_id=pk, answer=text.strip())
        for pk, text in answers.items()
        if pk in questions and text.strip()
    )
    audit.record(
        "volunteers.application.submitted",
        actor=user,
        subject=user,
        obj=volunteer,
        changes=audit.changed_fields({}, {"status": volunteer.status}),
        data={
            "answers": len(created),
            "wanted_roles": sorted(role.pk for role in roles),
        },
    )
    return volunteer


def complete_application(
    *,
    user: User,
    profile: Mapping[str, Any],
    answers: Mapping[int, str],
    wanted_roles: Iterable[VolunteerRole] = (),
) -> VolunteerProfile:
    """The application of someone who has an account but no volunteer profile yet.

    Checks what submit_application checks; raises VolunteeringError when they applied already.
    """
    questions = _validated_questions(profile, answers)
    with transaction.atomic():
        if VolunteerProfile.objects.select_for_update().filter(user=user).exists():
            raise VolunteeringError(
                gettext("You have applied already; a coordinator is looking at it.")
            )
        try:
            with transaction.atomic():
                volunteer = _create_application(user, profile, answers, wanted_roles, questions)
        except IntegrityError as exc:
            raise VolunteeringError(
                gettext("You have applied already; a coordinator is looking at it.")
            ) from exc
    return volunteer


def ensure_profile(*, user: User) -> VolunteerProfile:
    """The volunteer's profile, created as an application when they have none yet."""
    profile, _ = VolunteerProfile.objects.get_or_create(user=user)
    return profile


def _review(profile: VolunteerProfile, reviewer: User, status: str, reason: str) -> None:
    with transaction.atomic():
        locked = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        if locked.status != ProfileStatus.APPLICANT:
            raise VolunteeringError(
                gettext("This application was already reviewed (status: %(status)s).")
                % {"status": locked.get_status_display()}
            )
        fields = ("status", "reviewed_by", "reviewed_at", "decline_reason")
        before = audit.snapshot(locked, fields)
        locked.status = status
        locked.reviewed_by = reviewer
        locked.reviewed_at = timezone.now()
        locked.decline_reason = reason
        locked.save(update_fields=list(fields))
        audit.record(
            "volunteers.application.approved"
            if status == ProfileStatus.ACTIVE
            else "volunteers.application.declined",
            actor=reviewer,
            subject=locked.user_id,
            obj=locked,
            changes=audit.changed_fields(before, audit.snapshot(locked, fields)),
        )
        if status == ProfileStatus.ACTIVE:
            grant_role(user=locked.user, role=Role.VOLUNTEER, by=reviewer)
    profile.refresh_from_db()


def approve_application(*, profile: VolunteerProfile, reviewer: User) -> None:
    _review(profile, reviewer, ProfileStatus.ACTIVE, "")


def decline_application(*, profile: VolunteerProfile, reviewer: User, reason: str) -> None:
    """Decline with a reason the applicant will read."""
    if not reason.strip():
        raise ValidationError({"reason": "Write a reason: the applicant will see it."})
    _review(profile, reviewer, ProfileStatus.DECLINED, reason.strip())


def set_volunteer_status(*, profile: VolunteerProfile, status: str, by: User) -> None:
    """Pause, reactivate or record that a volunteer has left."""
    allowed = {ProfileStatus.ACTIVE, ProfileStatus.PAUSED, ProfileStatus.LEFT}
    if status not in allowed:
        raise ValidationError({"status": "Choose active, paused or left."})
    with transaction.atomic():
        locked = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        if locked.status in {ProfileStatus.APPLICANT, ProfileStatus.DECLINED}:
            raise VolunteeringError(gettext("Review the application first."))
        before = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            "volunteers.profile.status_changed",
            actor=by,
            subject=locked.user,
            obj=locked,
            changes=audit.changed_fields({"status": before}, {"status": status}),
        )
    profile.refresh_from_db()


def set_contact_sharing(*, volunteer: User, share: bool) -> bool:
    """Whether the people on the volunteer's shifts see their phone and e-mail; the new
    choice. Only a volunteer with a profile has a choice to make."""
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().filter(user=volunteer).first()
        if profile is None:
            raise VolunteeringError(gettext("Complete your volunteer application first."))
        if profile.share_contact != share:
            before = profile.share_contact
            profile.share_contact = share
            profile.save(update_fields=["share_contact", "updated_at"])
            audit.record(
                "volunteers.profile.contact_sharing_changed",
                actor=volunteer,
                subject=volunteer,
                obj=profile,
                changes=audit.changed_fields({"share_contact": before}, {"share_contact": share}),
            )
    return share
