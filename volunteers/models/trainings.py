from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from core.forms import limits
from volunteers.models.validity import expiry_after
from volunteers.validators import validate_document


def evidence_path(instance: models.Model, filename: str) -> str:
    """Uploaded documents get a random name: the original name may hold personal data."""
    return f"evidence/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Training(models.Model):
    """A course, e.g. Trauma-informed care, valid for some months after completion."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=limits.NOTE)
    # The coordinators' text in other languages (core.locales.translated).
    translations = models.JSONField(default=dict, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Leave empty when the training never expires.")
    )

    class Meta:
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_months__isnull=True) | Q(validity_months__gte=1),
                name="training_validity_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def expiry_for(self, completed_on: date) -> date | None:
        """The last day a completion on ``completed_on`` is valid (None: never expires)."""
        return expiry_after(completed_on, self.validity_months)


class TrainingSession(models.Model):
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    place = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(blank=True)
    trainer = models.CharField(max_length=150, blank=True)
    capacity = models.PositiveIntegerField()
    notes = models.TextField(blank=True, max_length=limits.NOTE)
    cancelled = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("starts_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.training} on {self.starts_at:%Y-%m-%d}"


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


ACTIVE_SIGNUP_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.ATTENDED)


class SessionSignup(models.Model):
    """A volunteer's place (or place in line) at a training session."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_signups"
    )
    status = models.CharField(max_length=12, choices=SignupStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "volunteer"],
                condition=Q(status__in=ACTIVE_SIGNUP_STATUSES),
                name="one_active_session_signup",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} at {self.session} ({self.status})"


class RecordStatus(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    PENDING = "pending", _("Awaiting verification")
    REJECTED = "rejected", _("Not accepted")


class TrainingRecord(models.Model):
    """A completed training. Only verified records count towards eligibility."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    session = models.ForeignKey(
        TrainingSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    status = models.CharField(
        max_length=10, choices=RecordStatus.choices, default=RecordStatus.VERIFIED
    )
    evidence = models.FileField(upload_to=evidence_path, blank=True, validators=[validate_document])
    provider = models.CharField(
        max_length=200, blank=True, help_text=_("Who gave an outside training.")
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-completed_on", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("completed_on")),
                name="record_expires_after_completion",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "session"],
                condition=Q(session__isnull=False),
                name="one_record_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "training"]),
            models.Index(fields=["expires_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.training} ({self.completed_on})"
