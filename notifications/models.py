"""The outbox: one row per message to send, and each person's choice of what to receive."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    PUSH = "push", _("Push notification")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    # Reserved by the sweep (``claimed_at``: when) or taken by a worker (``claimed_at``: when
    # its lease was last renewed).
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Message(models.Model):
    """One message to one person on one channel, sent at most once (``dedupe_key``).

    Life cycle: pending -> sending (a conditional UPDATE that names the claim in
    ``claimed_by``) -> sent, or back to pending with a later ``scheduled_for`` after a
    failure, until ``attempts`` reaches the limit (failed). Pending rows may be cancelled.
    ``claimed_by`` keeps the last claim after a row goes back to pending, so a worker that
    sent it and could not say so in time can still record it (services.sending).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(
        _("kind"), max_length=64, help_text=_("Names the templates, e.g. shift.reminder.")
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=255, unique=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    essential = models.BooleanField(
        _("essential"),
        default=False,
        help_text=_("Receipts and login links: sent whatever the recipient opted out of."),
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), default=timezone.now)
    # Both have a database default too, so code of the release before (during a rolling
    # deploy) still inserts rows.
    urgent = models.BooleanField(
        _("urgent"),
        default=False,
        db_default=False,
        help_text=_("Login links, a shift cancelled or changed at short notice: sent first."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # How many times a coordinator sent it again: part of its Message-ID, so a deliberate
    # resend is a new e-mail while a retry of the same send keeps the same Message-ID.
    resends = models.PositiveSmallIntegerField(_("resends"), default=0, db_default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ("-scheduled_for", "-id")
        indexes = [
            # The sweep: pending rows in order of their due time (partial: sent rows,
            # the vast majority, are not in it).
            models.Index(
                fields=["scheduled_for"],
                condition=Q(status="pending"),
                name="outbox_pending_due_idx",
            ),
            # The sweep's first pass: urgent pending rows in order of their due time.
            models.Index(
                fields=["scheduled_for"],
                condition=Q(status="pending", urgent=True),
                name="outbox_urgent_due_idx",
            ),
            # The sweep's reclaim of rows a dead worker left in 'sending'.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="outbox_sending_claimed_idx",
            ),
            # The coordinator page's filters.
            models.Index(fields=["status", "-scheduled_for"], name="outbox_status_idx"),
            models.Index(fields=["kind", "-scheduled_for"], name="outbox_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="outbox_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} ({self.channel}, {self.status})"


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


class NotificationPreference(models.Model):
    """What a person wants to receive. Essential messages ignore all of it but the address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("e-mail"), default=True)
    sms_enabled = models.BooleanField(
        _("text messages"), default=False, help_text=_("Reminders by SMS to your phone number.")
    )
    push_enabled = models.BooleanField(
        _("push notifications"),
        default=False,
        db_default=False,
        help_text=_("Reminders on the phones where you turned notifications on for this site."),
    )
    # The kinds (``MessageKind.sms``) the person wants as push notifications; null: every
    # kind, until they first choose.
    push_kinds = models.JSONField(_("push notifications for"), null=True, blank=True)
    non_essential_opt_out = models.BooleanField(
        _("no reminders or updates"),
        default=False,
        help_text=_("Receipts and login links are still sent."),
    )
    unsubscribe_token = models.CharField(
        _("unsubscribe token"), max_length=64, unique=True, default=new_unsubscribe_token
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    def wants(self, *, channel: str, essential: bool, kind: str) -> bool:
        """Whether a message of ``kind`` on ``channel`` may go to this person now."""
        if channel == Channel.EMAIL:
            return essential or (self.email_enabled and not self.non_essential_opt_out)
        if channel == Channel.PUSH and self.push_kinds is not None and kind not in self.push_kinds:
            return False
        enabled = self.push_enabled if channel == Channel.PUSH else self.sms_enabled
        return enabled and (essential or not self.non_essential_opt_out)


class InboundSms(models.Model):
    """A text message someone sent us (a reply to a reminder, STOP, HELP...), kept once per
    provider id: a webhook delivered twice finds its row and does nothing more."""

    provider_sid = models.CharField(_("provider id"), max_length=64, unique=True)
    from_number = models.CharField(_("from"), max_length=32)
    body = models.TextField(_("text"), max_length=1600, blank=True)
    keyword = models.CharField(_("understood as"), max_length=16, blank=True)
    answered = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("answers"),
        help_text=_("The text message this one replies to."),
    )
    reply = models.TextField(_("our answer"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("text message received")
        verbose_name_plural = _("text messages received")
        ordering = ("-received_at", "-id")

    def __str__(self) -> str:
        return f"{self.keyword or 'text'} from {self.from_number[-4:]}"


class PushSubscription(models.Model):
    """One browser's Web Push subscription (its push service endpoint and keys)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("user"),
    )
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key"), max_length=200)
    auth = models.CharField(_("auth secret"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"push subscription of {self.user_id}"
