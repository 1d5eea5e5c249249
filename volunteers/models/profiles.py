from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.dates import age_on
from core.forms import limits


def profile_photo_path(instance: models.Model, filename: str) -> str:
    """A new random name for every photo (a replaced photo's old address never works again);
    always JPEG, as the photo service re-encodes it."""
    return f"photos/{uuid.uuid4().hex}.jpg"


class ProfileStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    LEFT = "left", _("Left")
    DECLINED = "declined", _("Declined")


class VolunteerProfile(models.Model):
    """What the organisation knows about a volunteer beyond their account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_profile"
    )
    status = models.CharField(
        max_length=12, choices=ProfileStatus.choices, default=ProfileStatus.APPLICANT
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_phone = PhoneNumberField(blank=True)
    skills = models.TextField(
        blank=True, max_length=limits.NOTE, help_text=_("e.g. counselling, teaching, first aid")
    )
    languages = models.CharField(
        max_length=200, blank=True, help_text=_("Languages spoken, e.g. English, Spanish")
    )
    availability = models.TextField(
        blank=True,
        max_length=limits.NOTE,
        help_text=_("When you can usually help, e.g. weekday evenings"),
    )
    share_contact = models.BooleanField(
        _("share my contact details"),
        default=False,
        help_text=_(
            "Show my phone number and e-mail address to the volunteers on my shifts. "
            "Otherwise they see only my first name."
        ),
    )
    # When the volunteer can usually help (shift suggestions use it): weekdays as digits,
    # 0 = Monday ("" = any day), and the hours of the day, in the volunteer's own zone.
    available_days = models.CharField(_("days I can usually help"), max_length=7, blank=True)
    available_from = models.TimeField(_("from"), null=True, blank=True)
    available_until = models.TimeField(_("until"), null=True, blank=True)
    wanted_roles = models.ManyToManyField(
        "volunteers.VolunteerRole", blank=True, related_name="interested_profiles"
    )
    coordinator_notes = models.TextField(
        blank=True,
        max_length=limits.LONG_TEXT,
        help_text=_("Seen by coordinators only, never by the volunteer."),
    )
    # Shown to the people on the same shifts and to coordinators, through a view that checks
    # who asks (never a public media address); re-encoded without its EXIF data.
    photo = models.ImageField(_("photo"), upload_to=profile_photo_path, blank=True)
    applied_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decline_reason = models.TextField(
        blank=True,
        max_length=limits.NOTE,
        help_text=_("Shown to the applicant when the application is declined."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("user__last_name", "user__first_name")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return str(self.user)

    def age_on(self, day: date) -> int | None:
        return None if self.date_of_birth is None else age_on(self.date_of_birth, day)


class AwayPeriod(models.Model):
    """Days a volunteer is away (holiday, exams): no shift is suggested to them then."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away_periods"
    )
    first_day = models.DateField(_("first day away"))
    last_day = models.DateField(_("last day away"))

    class Meta:
        ordering = ("first_day", "pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="away_period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} away {self.first_day}..{self.last_day}"


class ApplicationQuestion(models.Model):
    """A question coordinators add to the public volunteer application."""

    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    # The coordinators' text in other languages (core.locales.translated).
    translations = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.text


class ApplicationAnswer(models.Model):
    profile = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ApplicationQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(blank=True, max_length=limits.LONG_TEXT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.answer[:40]}"
