"""Bringing an existing Stripe account in: a cursor per object type, and each Stripe customer
linked to a donor (or proposed for merge with one, never merged silently)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from donations.models.common import STRIPE_ID_LENGTH
from donations.models.donors import Donor


class StripeImportCursor(models.Model):
    """How far the import has read one Stripe list: the last id imported (``starting_after``
    for the next page), whether the list is done, and how many objects it read."""

    object_type = models.CharField(max_length=30, unique=True)
    starting_after = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    finished = models.BooleanField(default=False)
    read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.object_type}: {self.read} read"


class StripeCustomerLink(models.Model):
    """One Stripe customer and the donor its payments belong to.

    ``proposed_merge_with``: the customer's e-mail is already another customer's donor's, so
    the import made a donor of its own (without the e-mail, which is unique) and proposes
    merging it into that one; a coordinator decides on the merge page.
    """

    customer_id = models.CharField(max_length=STRIPE_ID_LENGTH, unique=True)
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="stripe_customers")
    email = models.EmailField(max_length=254, blank=True)
    proposed_merge_with = models.ForeignKey(
        Donor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Another donor with the same e-mail: merge them?"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.customer_id


class StripeCustomerErasure(models.Model):
    """An erased donor's customer record at Stripe, still to be cleared (or cleared).

    The erasure itself is local and all or nothing; Stripe is asked afterwards, by a task
    sent once the erasure commits and retried (then swept hourly) until Stripe answers.
    Until then the donor's pages say that Stripe still holds their details.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for Stripe")
        DONE = "done", _("Cleared at Stripe")

    customer_id = models.CharField(max_length=STRIPE_ID_LENGTH, unique=True)
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="stripe_erasures")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.customer_id} ({self.status})"
