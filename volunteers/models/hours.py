from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.forms import limits
from volunteers.models.shifts import Shift, ShiftSignup, new_token


class HoursSource(models.TextChoices):
    DERIVED = "derived", _("From check-in and check-out")
    MANUAL = "manual", _("Entered by hand")
    EDITED = "edited", _("Edited")


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not accepted")


class HoursEntry(models.Model):
    """Time a volunteer gave. Hours from check-in/out count at once; others wait for approval."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hours_entries"
    )
    shift = models.ForeignKey(
        Shift, on_delete=models.SET_NULL, null=True, blank=True, related_name="hours_entries"
    )
    signup = models.OneToOneField(
        ShiftSignup, on_delete=models.SET_NULL, null=True, blank=True, related_name="hours_entry"
    )
    role = models.ForeignKey(
        "volunteers.VolunteerRole", on_delete=models.PROTECT, related_name="hours_entries"
    )
    date = models.DateField(help_text=_("The local day the work started."))
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    minutes = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=HoursSource.choices)
    status = models.CharField(
        max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING
    )
    note = models.TextField(blank=True, max_length=limits.NOTE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-date", "-starts_at", "pk")
        verbose_name_plural = _("hours entries")
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="hours_minutes_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="hours_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "date"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer}: {self.minutes} min on {self.date} ({self.status})"


class CalendarFeed(models.Model):
    """A volunteer's private iCal feed address; resetting the token kills the old link."""

    volunteer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.volunteer}"
