from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import limits


class VolunteerRole(models.Model):
    """What a volunteer does (e.g. Crisis text line), and what it requires.

    A role marked ``is_qualification`` (e.g. Shift lead) is also something a coordinator
    grants to a person; holding it is then one of its own requirements.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=limits.NOTE)
    # The coordinators' text in other languages (core.locales.translated).
    translations = models.JSONField(default=dict, blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Leave empty when there is no age limit.")
    )
    required_trainings = models.ManyToManyField(
        "volunteers.Training", blank=True, related_name="required_by_roles"
    )
    required_clearance_types = models.ManyToManyField(
        "volunteers.ClearanceType", blank=True, related_name="required_by_roles"
    )
    is_qualification = models.BooleanField(
        default=False,
        help_text=_("A coordinator grants this role to a person (e.g. Shift lead)."),
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("role")

    def __str__(self) -> str:
        return self.name


class CurrentQualificationManager(models.Manager["Qualification"]):
    """Grants in force: a revoked grant is kept (who revoked it, when) but counts nowhere."""

    def get_queryset(self) -> models.QuerySet[Qualification]:
        return super().get_queryset().filter(revoked_at__isnull=True)


class Qualification(models.Model):
    """A qualification role granted to a volunteer by a coordinator.

    Revoking keeps the row (``revoked_at``, ``revoked_by``): ``objects`` sees only grants in
    force, ``with_revoked`` every grant ever made. A lookup across the relation
    (``qualifications__role=...``) must add ``qualifications__revoked_at__isnull=True``.
    """

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualifications"
    )
    role = models.ForeignKey(
        VolunteerRole,
        on_delete=models.CASCADE,
        related_name="holders",
        limit_choices_to={"is_qualification": True},
    )
    granted_on = models.DateField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    with_revoked = models.Manager()
    objects = CurrentQualificationManager()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "with_revoked"
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_grant_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer}: {self.role}"


class StaffingRule(models.Model):
    """A shift of ``role`` needs at least ``minimum`` people holding ``qualification``."""

    role = models.ForeignKey(VolunteerRole, on_delete=models.CASCADE, related_name="staffing_rules")
    qualification = models.ForeignKey(
        VolunteerRole,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"is_qualification": True},
    )
    minimum = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "qualification"], name="one_rule_per_pair"),
            models.CheckConstraint(condition=Q(minimum__gte=1), name="staffing_minimum_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: at least {self.minimum} {self.qualification}"
