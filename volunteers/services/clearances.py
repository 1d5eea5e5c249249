"""Recording clearances (background checks, references). Coordinators only."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEntry, User
from accounts.services import audit
from core.dates import org_today
from volunteers.models import Clearance, ClearanceStatus, ClearanceType
from volunteers.models.validity import expiry_after
from volunteers.validators import detect_document, store_document


def record_clearance(
    *,
    volunteer: User,
    clearance_type: ClearanceType,
    status: str,
    by: User,
    requested_on: date | None = None,
    issued_on: date | None = None,
    expires_on: date | None = None,
    reference_number: str = "",
    notes: str = "",
    document: File[bytes] | None = None,
    clearance: Clearance | None = None,
) -> Clearance:
    """Create a clearance, or update ``clearance``, after checking its dates.

    A cleared clearance without an expiry date gets one from its type's validity.
    """
    errors: dict[str, str] = {}
    today = org_today()
    if status not in ClearanceStatus.values:
        errors["status"] = "Choose a status."
    if issued_on and issued_on > today:
        errors["issued_on"] = "The issue date cannot be in the future."
    if issued_on and expires_on and expires_on < issued_on:
        errors["expires_on"] = "The expiry date must be on or after the issue date."
    if status == ClearanceStatus.CLEARED and issued_on is None:
        errors["issued_on"] = "Enter the date the clearance was issued."
    kind = None
    if document is not None:
        try:
            kind = detect_document(document)
        except ValidationError as exc:
            errors["document"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    if status == ClearanceStatus.CLEARED and expires_on is None and issued_on is not None:
        expires_on = expiry_after(issued_on, clearance_type.validity_months)
    with transaction.atomic():
        if clearance is None:
            clearance = Clearance(volunteer=volunteer, clearance_type=clearance_type)
        else:
            clearance = Clearance.objects.select_for_update().get(pk=clearance.pk)
        created = clearance.pk is None
        before = {} if created else audit.snapshot(clearance, AUDITED_FIELDS)
        clearance.status = status
        clearance.requested_on = (
            requested_on
            or clearance.requested_on
            or (today if status in (ClearanceStatus.REQUESTED, ClearanceStatus.PENDING) else None)
        )
        clearance.issued_on = issued_on
        clearance.expires_on = expires_on
        clearance.reference_number = reference_number.strip()
        clearance.notes = notes
        clearance.recorded_by = by
        if document is not None:
            store_document(clearance.document, document, kind)
        clearance.save()
        audit.record(
            "volunteers.clearance.recorded" if created else "volunteers.clearance.changed",
            actor=by,
            subject=clearance.volunteer,
            obj=clearance,
            changes=audit.changed_fields(before, audit.snapshot(clearance, AUDITED_FIELDS)),
        )
    return clearance


# What a clearance's audit entries compare (the document by its stored name).
AUDITED_FIELDS = (
    "clearance_type",
    "status",
    "requested_on",
    "issued_on",
    "expires_on",
    "reference_number",
    "notes",
    "document",
)


def document_opened(*, clearance: Clearance, by: User, request: HttpRequest | None = None) -> None:
    """Record that ``by`` opened ``clearance``'s document (a read of sensitive data)."""
    audit.record(
        "volunteers.clearance.document_opened",
        kind=AuditEntry.Kind.READ,
        actor=by,
        subject=clearance.volunteer,
        obj=clearance,
        request=request,
    )
