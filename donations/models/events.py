"""Every Stripe webhook event we accepted, stored before it is acted on."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations.models.common import STRIPE_ID_LENGTH, choices_check


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    DEFERRED = "deferred", _("Waiting for the payment it refers to")
    IGNORED = "ignored", _("Ignored (no handler for this type)")


class EventDelivery(models.TextChoices):
    WEBHOOK = "webhook", _("Sent to our endpoint")
    RECONCILIATION = "reconciliation", _("Found late, in Stripe's event list")


class StripeEvent(models.Model):
    """One Stripe event, stored once (the event id is unique) with what became of it.

    ``payload`` is the event exactly as Stripe signed it. ``attempts`` counts handler runs;
    ``error`` holds the last failure (its class and message, with secrets removed), and
    ``permanent_failure`` whether it is one that retrying cannot mend.
    """

    event_id = models.CharField(max_length=STRIPE_ID_LENGTH, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    api_version = models.CharField(max_length=40, blank=True)
    livemode = models.BooleanField(default=False)
    stripe_created = models.DateTimeField(
        null=True, blank=True, help_text=_("When Stripe created the event.")
    )
    payload = models.JSONField()
    status = models.CharField(
        max_length=20, choices=StripeEventStatus.choices, default=StripeEventStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    # The last failure can never succeed as sent (an amount no payment can have, a record
    # that does not exist): answered 200, so Stripe does not retry it.
    permanent_failure = models.BooleanField(default=False)
    # A refund or dispute that arrived before the payment it refers to waits here under that
    # payment intent's id; linking the payment re-runs it.
    waiting_for = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # How it reached us: our endpoint, or the nightly read of Stripe's event list (an event
    # the endpoint never received: applied late, and listed for the administrator).
    delivered_by = models.CharField(
        max_length=20, choices=EventDelivery.choices, default=EventDelivery.WEBHOOK
    )
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-received_at", "-pk")
        constraints = [
            choices_check("status", StripeEventStatus, "stripe_event_status_valid"),
            choices_check("delivered_by", EventDelivery, "stripe_event_delivered_by_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="stripe_event_status_idx"),
            models.Index(
                fields=["waiting_for"],
                condition=~models.Q(waiting_for=""),
                name="stripe_event_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} ({self.status})"


class StripeDisagreement(models.Model):
    """A Stripe object whose amount, status or fee disagrees with our ledger, as the last
    reconciliation found it (``stripe_integration.disagreements``). One row per object,
    replaced at each check; removed when a check finds them agreeing again.

    ``differences`` is a list of ``{"field": ..., "ours": ..., "stripe": ...}`` with
    amounts in minor units of ``currency``.
    """

    stripe_id = models.CharField(max_length=STRIPE_ID_LENGTH, unique=True)
    object_type = models.CharField(max_length=20)  # "charge" or "subscription"
    donation = models.ForeignKey(
        "donations.Donation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recurring_gift = models.ForeignKey(
        "donations.RecurringGift",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    currency = models.CharField(max_length=3, blank=True)
    differences = models.JSONField(default=list)
    first_found_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-first_found_at", "-pk")

    def __str__(self) -> str:
        return f"{self.object_type} {self.stripe_id}"
