from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from core.forms import limits


def new_token() -> str:
    """A long random token for links that must not be guessed (check-in codes, feeds)."""
    return secrets.token_urlsafe(32)


class Location(models.Model):
    """Where shifts happen. A remote "location" (e.g. the text line) has its own zone too."""

    name = models.CharField(max_length=150, unique=True)
    address = models.TextField(blank=True, max_length=limits.ADDRESS)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    is_remote = models.BooleanField(default=False, help_text=_("Done from home, online."))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name as pages show it: a remote location is marked "(remote)", unless its
        name says so already ("Crisis text line (remote)" is not marked twice)."""
        if not self.is_remote:
            return self.name
        words = {"remote", str(_("remote")).lower()}
        if any(word in self.name.lower() for word in words):
            return self.name
        return str(_("%(name)s (remote)") % {"name": self.name})


class ShiftStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class ShiftSeries(models.Model):
    """A recurring shift: an RFC 5545 rule of local dates, each at ``start_time`` local time.

    Shifts are generated for ``window_weeks`` ahead; each keeps its local start across DST.
    """

    role = models.ForeignKey(
        "volunteers.VolunteerRole", on_delete=models.PROTECT, related_name="series"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="series")
    rrule = models.CharField(
        max_length=500, help_text=_("e.g. FREQ=WEEKLY;BYDAY=TU,TH (RFC 5545).")
    )
    dtstart = models.DateField(_("first day"))
    until = models.DateField(_("last day"), null=True, blank=True)
    start_time = models.TimeField(_("local start time"))
    duration = models.DurationField()
    capacity = models.PositiveIntegerField()
    notes = models.TextField(blank=True, max_length=limits.NOTE)
    # A remote series' meeting link, copied to each shift it generates.
    online_link = models.URLField(
        _("online link"),
        max_length=limits.URL,
        blank=True,
        validators=[URLValidator(schemes=["https"])],
    )
    shift_status = models.CharField(
        max_length=10,
        choices=[(ShiftStatus.DRAFT, _("Draft")), (ShiftStatus.PUBLISHED, _("Published"))],
        default=ShiftStatus.PUBLISHED,
    )
    window_weeks = models.PositiveSmallIntegerField(default=8)
    generated_until = models.DateField(null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continuations",
        help_text=_("The series this one continues after an edit of 'this and following'."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("dtstart", "pk")
        verbose_name_plural = _("shift series")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gt=timedelta(0)), name="series_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("dtstart")),
                name="series_until_after_start",
            ),
            models.CheckConstraint(
                condition=Q(window_weeks__gte=1) & Q(window_weeks__lte=52),
                name="series_window_in_range",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="series_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.role} at {self.location} ({self.rrule})"


class Shift(models.Model):
    role = models.ForeignKey(
        "volunteers.VolunteerRole", on_delete=models.PROTECT, related_name="shifts"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="shifts")
    series = models.ForeignKey(
        ShiftSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts"
    )
    occurrence_date = models.DateField(
        null=True, blank=True, help_text=_("The local date its series gave it.")
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    notes = models.TextField(blank=True, max_length=limits.NOTE)
    # A remote shift's meeting link, shown only to the people with a place on it.
    online_link = models.URLField(
        _("online link"),
        max_length=limits.URL,
        blank=True,
        validators=[URLValidator(schemes=["https"])],
    )
    status = models.CharField(
        max_length=10, choices=ShiftStatus.choices, default=ShiftStatus.PUBLISHED
    )
    check_in_code = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("starts_at", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
            # A shift with no place is no shift: a coordinator cancels it instead.
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
            models.UniqueConstraint(
                fields=["series", "occurrence_date"],
                condition=Q(series__isnull=False),
                name="one_shift_per_series_date",
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.role} on {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def time_zone(self) -> str:
        """The zone the shift is shown in: its location's."""
        return self.location.time_zone


class ShiftSignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


# Every status but cancelled: one of these per (shift, volunteer).
ACTIVE_SHIFT_SIGNUP_STATUSES = (
    ShiftSignupStatus.CONFIRMED,
    ShiftSignupStatus.WAITLISTED,
    ShiftSignupStatus.ATTENDED,
    ShiftSignupStatus.NO_SHOW,
)
# The statuses that take one of the shift's places.
PLACE_STATUSES = (
    ShiftSignupStatus.CONFIRMED,
    ShiftSignupStatus.ATTENDED,
    ShiftSignupStatus.NO_SHOW,
)


class ShiftSignup(models.Model):
    """A volunteer's place (or place in line) on a shift."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_signups"
    )
    status = models.CharField(max_length=12, choices=ShiftSignupStatus.choices)
    joined_at = models.DateTimeField(help_text=_("Waitlist order: earliest first."))
    skip_reason = models.TextField(
        blank=True,
        max_length=limits.NOTE,
        help_text=_("Why a freed place was not given to this person."),
    )
    check_in_at = models.DateTimeField(null=True, blank=True)
    check_out_at = models.DateTimeField(null=True, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(blank=True, max_length=limits.NOTE)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The volunteer answered YES to a text reminder (the roster shows it).
    confirmed_by_text_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("joined_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=Q(status__in=ACTIVE_SHIFT_SIGNUP_STATUSES),
                name="one_active_shift_signup",
            ),
            models.CheckConstraint(
                condition=Q(check_out_at__isnull=True)
                | (Q(check_in_at__isnull=False) & Q(check_out_at__gt=F("check_in_at"))),
                name="signup_check_out_after_check_in",
            ),
        ]
        indexes = [
            models.Index(fields=["shift", "status", "joined_at"]),
            models.Index(fields=["volunteer", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} on {self.shift} ({self.status})"


class SwapStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class SwapOffer(models.Model):
    """A volunteer offers their confirmed place; another eligible volunteer may take it."""

    signup = models.ForeignKey(ShiftSignup, on_delete=models.CASCADE, related_name="swap_offers")
    status = models.CharField(max_length=10, choices=SwapStatus.choices, default=SwapStatus.OPEN)
    note = models.CharField(max_length=300, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_signup = models.ForeignKey(
        ShiftSignup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["signup"], condition=Q(status="open"), name="one_open_offer_per_signup"
            )
        ]

    def __str__(self) -> str:
        return f"Swap of {self.signup} ({self.status})"


class ShiftInvitation(models.Model):
    """A volunteer asked to fill a gap in a shift ("ask eligible volunteers"): once each."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="invitations")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_invitations"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    signup = models.ForeignKey(
        ShiftSignup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("asked_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} asked for {self.shift}"
