"""Composing a message to a group: who, what, by which channel; every mistake a form error."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.permissions import user_can
from dashboard.models import BODY_MAX, SUBJECT_MAX
from dashboard.selectors.audiences import (
    GIVING_AUDIENCES,
    OPERATIONAL,
    Audience,
    AudienceKind,
    resolve,
)
from donations.models import DonorSegment
from notifications.services.sms import sms_segments
from volunteers.models import SavedFilter, Shift, ShiftStatus, Training, VolunteerRole
from volunteers.shift_text import describe_shift

MAX_SMS_SEGMENTS = 10
SHIFT_AUDIENCES = (
    AudienceKind.SHIFT_TEAM,
    AudienceKind.SHIFT_WAITLIST,
    AudienceKind.SHIFT_ELIGIBLE,
)


class ShiftChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return describe_shift(obj)


class GroupMessageForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    audience = forms.ChoiceField(label=_("Send to"), choices=AudienceKind.choices)
    shift = ShiftChoice(
        label=_("Shift"),
        queryset=Shift.objects.none(),
        required=False,
        help_text=_("For the audiences about a shift."),
    )
    role = forms.ModelChoiceField(
        label=_("Role"), queryset=VolunteerRole.objects.filter(active=True), required=False
    )
    training = forms.ModelChoiceField(
        label=_("Training"), queryset=Training.objects.all(), required=False
    )
    before = forms.DateField(
        label=_("Expiring before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    saved_filter = forms.ModelChoiceField(
        label=_("Saved filter"),
        queryset=SavedFilter.objects.none(),
        required=False,
        help_text=_(
            "Your saved filters of the volunteer list; who matches is worked out on sending."
        ),
    )
    segment = forms.ModelChoiceField(
        label=_("Donor segment"),
        queryset=DonorSegment.objects.none(),
        required=False,
        help_text=_(
            "A saved segment of the donor list; who is in it is worked out on sending. "
            "Donors without a login are not reached."
        ),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Each person's message starts with a greeting by their name."),
    )
    by_email = forms.BooleanField(label=_("By e-mail"), required=False, initial=True)
    by_sms = forms.BooleanField(
        label=_("By text message, to those who chose texts"), required=False
    )
    essential = forms.BooleanField(
        label=_("Essential: about their place on the shift (sent even to those who opted out)"),
        required=False,
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Volunteers' audiences for volunteering's managers, donors' for giving's.
        allowed = [
            (value, label)
            for value, label in AudienceKind.choices
            if user is None
            or user_can(
                user, "giving.manage" if value in GIVING_AUDIENCES else "volunteering.manage"
            )
        ]
        self.fields["audience"].choices = allowed  # type: ignore[attr-defined]
        self.fields["saved_filter"].queryset = (  # type: ignore[attr-defined]
            SavedFilter.objects.filter(owner=user).order_by("name", "pk")
            if user is not None
            else SavedFilter.objects.none()
        )
        if user is None or user_can(user, "giving.manage"):
            self.fields["segment"].queryset = DonorSegment.objects.order_by(  # type: ignore[attr-defined]
                "name", "pk"
            )
        else:
            del self.fields["segment"]
        now = timezone.now()
        self.fields["shift"].queryset = (  # type: ignore[attr-defined]
            Shift.objects.filter(
                status=ShiftStatus.PUBLISHED,
                ends_at__gt=now - timedelta(days=1),
                starts_at__lt=now + timedelta(days=60),
            )
            .select_related("role", "location")
            .order_by("starts_at", "pk")
        )
        if not self.is_bound and "token" not in self.initial:
            self.initial["token"] = uuid.uuid4()
        self.resolved: Audience | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("audience")
        if not kind:
            return data
        needs = {
            **dict.fromkeys(SHIFT_AUDIENCES, ("shift",)),
            AudienceKind.ROLE: ("role",),
            AudienceKind.TRAINING_EXPIRING: ("training", "before"),
            AudienceKind.SAVED_FILTER: ("saved_filter",),
            AudienceKind.DONOR_SEGMENT: ("segment",),
        }.get(kind, ())
        missing = [name for name in needs if not data.get(name)]
        for name in missing:
            self.add_error(name, _("Choose one for this audience."))
        if not (data.get("by_email") or data.get("by_sms")):
            self.add_error("by_email", _("Choose e-mail, text message or both."))
        if data.get("essential") and kind not in OPERATIONAL:
            self.add_error(
                "essential",
                _("Only a message to a shift's team or waitlist can be essential."),
            )
        body = data.get("body", "")
        if data.get("by_sms") and body:
            parts = sms_segments(f"{settings.ORG_NAME}: {body}")
            if parts > MAX_SMS_SEGMENTS:
                self.add_error(
                    "body",
                    ngettext(
                        "As a text message this is %(parts)d part; at most %(most)d are sent.",
                        "As a text message this is %(parts)d parts; at most %(most)d are sent. "
                        "Shorten it, or send it by e-mail only.",
                        parts,
                    )
                    % {"parts": parts, "most": MAX_SMS_SEGMENTS},
                )
        if missing or self.errors:
            return data
        self.resolved = resolve(
            kind,
            shift=data.get("shift"),
            role=data.get("role"),
            training=data.get("training"),
            before=data.get("before"),
            saved_filter=data.get("saved_filter"),
            segment=data.get("segment"),
        )
        if not self.resolved.people:
            self.add_error("audience", _("Nobody is in this group: there is no one to send to."))
        return data

    def parameters(self) -> dict[str, str | int]:
        data = self.cleaned_data
        found: dict[str, str | int] = {}
        for name in ("shift", "role", "training", "saved_filter", "segment"):
            if data.get(name) is not None:
                found[name] = data[name].pk
        if data.get("before"):
            found["before"] = data["before"].isoformat()
        return found
