from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import limits

SUBJECT_MAX = 120
BODY_MAX = limits.NOTE


class GroupMessage(models.Model):
    """A message a coordinator sent to a group (a shift's team, a role, ...) through the
    outbox: one row here, one outbox message per recipient and channel, keyed
    ``group:<token>:<person>`` so that the same send posted twice delivers once."""

    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=30)
    audience_label = models.CharField(max_length=300)
    parameters = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=SUBJECT_MAX)
    body = models.TextField(max_length=BODY_MAX)
    by_email = models.BooleanField(default=True)
    by_sms = models.BooleanField(default=False)
    essential = models.BooleanField(
        default=False,
        help_text=_("About a place someone holds: sent even to people who opted out."),
    )
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(by_email=True) | Q(by_sms=True), name="group_message_has_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.audience_label}"

    @property
    def key_prefix(self) -> str:
        return f"group:{self.token}:"
