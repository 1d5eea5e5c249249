from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.forms import limits
from volunteers.validators import validate_document


def clearance_document_path(instance: models.Model, filename: str) -> str:
    return f"clearances/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class ClearanceType(models.Model):
    """e.g. Background check, Reference check."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=limits.NOTE)
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Leave empty when a clearance never expires.")
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ClearanceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PENDING = "pending", _("Pending")
    CLEARED = "cleared", _("Cleared")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class Clearance(models.Model):
    """A clearance of a volunteer. Its details are for coordinators only."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clearances"
    )
    clearance_type = models.ForeignKey(
        ClearanceType, on_delete=models.PROTECT, related_name="clearances"
    )
    status = models.CharField(
        max_length=10, choices=ClearanceStatus.choices, default=ClearanceStatus.REQUESTED
    )
    requested_on = models.DateField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    reference_number = models.CharField(max_length=100, blank=True)
    document = models.FileField(
        upload_to=clearance_document_path, blank=True, validators=[validate_document]
    )
    notes = models.TextField(blank=True, max_length=limits.NOTE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("expires_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(expires_on__gte=F("issued_on")),
                name="clearance_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=~Q(status="cleared") | Q(issued_on__isnull=False),
                name="cleared_has_issue_date",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "clearance_type"]),
            models.Index(fields=["status", "expires_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.clearance_type} for {self.volunteer} ({self.status})"
