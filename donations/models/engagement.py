"""A fundraiser's work with a donor: interactions (calls, meetings, letters, e-mails) and
tasks (thank for a first gift, call about a failed monthly gift), each on the donor record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from donations.models.common import choices_check
from donations.models.donors import Donor
from donations.models.gifts import Donation

INTERACTION_TEXT_LIMIT = 4000
TASK_TITLE_LIMIT = 200


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")


class Interaction(models.Model):
    """One contact with a donor, written down by a staff member."""

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(max_length=10, choices=InteractionKind.choices)
    happened_on = models.DateField()
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=INTERACTION_TEXT_LIMIT)
    # The gift this contact acknowledged (a thank-you call or letter), if any.
    donation = models.ForeignKey(
        Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="interactions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-happened_on", "-pk")
        constraints = [choices_check("kind", InteractionKind, "interaction_kind_valid")]
        indexes = [models.Index(fields=["donor", "-happened_on"], name="interaction_donor_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"


class TaskTrigger(models.TextChoices):
    MANUAL = "manual", _("Added by hand")
    FIRST_GIFT = "first_gift", _("First gift")
    LARGE_GIFT = "large_gift", _("Large gift")
    FAILED_MONTHLY = "failed_monthly", _("Monthly gift failed, not recovered")


class DonorTask(models.Model):
    """Something a staff member should do for a donor, by a date.

    Tasks made by a trigger carry a unique ``trigger_key`` (e.g. ``first-gift:<donor>``):
    the database keeps one per key, so two events for one gift, or two first gifts paid at
    once, make one task.
    """

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=TASK_TITLE_LIMIT)
    trigger = models.CharField(
        max_length=20, choices=TaskTrigger.choices, default=TaskTrigger.MANUAL
    )
    trigger_key = models.CharField(max_length=100, blank=True)
    donation = models.ForeignKey(
        Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="donor_tasks",
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("done_at", "due_on", "pk")
        constraints = [
            choices_check("trigger", TaskTrigger, "donor_task_trigger_valid"),
            models.UniqueConstraint(
                fields=["trigger_key"],
                condition=~Q(trigger_key=""),
                name="donor_task_unique_trigger_key",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_on"], name="donor_task_assignee_idx")
        ]

    def __str__(self) -> str:
        return self.title
