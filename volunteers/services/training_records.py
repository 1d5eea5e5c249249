"""Training records: completions recorded from a session or directly by a coordinator,
certificates from elsewhere sent by volunteers, and their verification."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import audit
from core.dates import org_today
from volunteers.models import (
    RecordStatus,
    SessionSignup,
    SignupStatus,
    Training,
    TrainingRecord,
    TrainingSession,
)
from volunteers.services.errors import VolunteeringError
from volunteers.services.training_sessions import ensure_may_train, session_local_date
from volunteers.validators import detect_document, store_document


def validate_completion_date(completed_on: date) -> None:
    if completed_on > org_today():
        raise ValidationError(
            {"completed_on": "A training cannot be completed in the future. Check the date."}
        )


def record_session_completions(
    *, session: TrainingSession, volunteer_ids: Iterable[int], completed_on: date, by: User
) -> list[TrainingRecord]:
    """Verified training records for everyone who attended; running it again adds nothing."""
    validate_completion_date(completed_on)
    if completed_on < session_local_date(session):
        raise ValidationError({"completed_on": "The completion date cannot be before the session."})
    ids = set(volunteer_ids)
    with transaction.atomic():
        # The session lock makes a double-submitted form wait, then find the records made.
        TrainingSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        attended = set(
            SessionSignup.objects.filter(
                session=session, status=SignupStatus.ATTENDED, volunteer_id__in=ids
            ).values_list("volunteer_id", flat=True)
        )
        if ids - attended:
            raise VolunteeringError(
                gettext(
                    "Mark attendance first: only people who attended can complete the training."
                )
            )
        already = set(
            TrainingRecord.objects.filter(session=session, volunteer_id__in=ids).values_list(
                "volunteer_id", flat=True
            )
        )
        training = session.training
        now = timezone.now()
        records = [
            TrainingRecord(
                volunteer_id=volunteer_id,
                training=training,
                session=session,
                completed_on=completed_on,
                expires_on=training.expiry_for(completed_on),
                status=RecordStatus.VERIFIED,
                verified_by=by,
                verified_at=now,
            )
            for volunteer_id in sorted(ids - already)
        ]
        created = TrainingRecord.objects.bulk_create(records)
        for record in created:
            audit.record(
                "volunteers.training_record.recorded",
                actor=by,
                subject=record.volunteer_id,
                obj=record,
                changes=audit.changed_fields({}, audit.snapshot(record, RECORD_AUDITED_FIELDS)),
                data={"session": session.pk},
            )
        return created


def record_training(
    *, volunteer: User, training: Training, completed_on: date, by: User, provider: str = ""
) -> TrainingRecord:
    """A coordinator records a completion directly (verified at once)."""
    validate_completion_date(completed_on)
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            volunteer=volunteer,
            training=training,
            completed_on=completed_on,
            expires_on=training.expiry_for(completed_on),
            status=RecordStatus.VERIFIED,
            provider=provider,
            verified_by=by,
            verified_at=timezone.now(),
        )
        audit.record(
            "volunteers.training_record.recorded",
            actor=by,
            subject=volunteer,
            obj=record,
            changes=audit.changed_fields({}, audit.snapshot(record, RECORD_AUDITED_FIELDS)),
        )
    return record


# What a training record's audit entries compare.
RECORD_AUDITED_FIELDS = (
    "training",
    "completed_on",
    "expires_on",
    "status",
    "provider",
    "verified_by",
    "verified_at",
    "rejection_reason",
)


def _audit_decision(
    action: str, locked: TrainingRecord, before: dict[str, object], by: User
) -> None:
    audit.record(
        action,
        actor=by,
        subject=locked.volunteer,
        obj=locked,
        changes=audit.changed_fields(before, audit.snapshot(locked, RECORD_AUDITED_FIELDS)),
    )


def submit_outside_training(
    *,
    volunteer: User,
    training: Training,
    completed_on: date,
    provider: str,
    evidence: File[bytes],
) -> TrainingRecord:
    """A volunteer's certificate from elsewhere, waiting for a coordinator to verify it."""
    validate_completion_date(completed_on)
    try:
        kind = detect_document(evidence)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from exc
    ensure_may_train(volunteer)
    record = TrainingRecord(
        volunteer=volunteer,
        training=training,
        completed_on=completed_on,
        expires_on=training.expiry_for(completed_on),
        status=RecordStatus.PENDING,
        provider=provider.strip(),
    )
    store_document(record.evidence, evidence, kind)
    try:
        with transaction.atomic():
            record.save()
            audit.record(
                "volunteers.training_record.submitted",
                actor=volunteer,
                subject=volunteer,
                obj=record,
                changes=audit.changed_fields(
                    {}, audit.snapshot(record, (*RECORD_AUDITED_FIELDS, "evidence"))
                ),
            )
    except Exception:
        record.evidence.delete(save=False)  # no file without its record
        raise
    return record


def verify_training_record(*, record: TrainingRecord, by: User) -> None:
    with transaction.atomic():
        locked = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != RecordStatus.PENDING:
            raise VolunteeringError(gettext("This record was already checked."))
        before = audit.snapshot(locked, RECORD_AUDITED_FIELDS)
        locked.status = RecordStatus.VERIFIED
        locked.verified_by = by
        locked.verified_at = timezone.now()
        locked.save(update_fields=["status", "verified_by", "verified_at"])
        _audit_decision("volunteers.training_record.verified", locked, before, by)
    record.refresh_from_db()


def reject_training_record(*, record: TrainingRecord, by: User, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": "Write a reason: the volunteer will see it."})
    with transaction.atomic():
        locked = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != RecordStatus.PENDING:
            raise VolunteeringError(gettext("This record was already checked."))
        before = audit.snapshot(locked, RECORD_AUDITED_FIELDS)
        locked.status = RecordStatus.REJECTED
        locked.verified_by = by
        locked.verified_at = timezone.now()
        locked.rejection_reason = reason.strip()
        locked.save(update_fields=["status", "verified_by", "verified_at", "rejection_reason"])
        _audit_decision("volunteers.training_record.rejected", locked, before, by)
    record.refresh_from_db()
