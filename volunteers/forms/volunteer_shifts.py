"""Forms of the volunteers' shift pages: finding shifts, checking in, entering hours."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, NameChoiceField
from volunteers.models import Location, VolunteerRole


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class ShiftFilterForm(forms.Form):
    """Filters of the open shifts list (all optional; a bad value is ignored with an error)."""

    role = NameChoiceField(
        label=_("Role"),
        queryset=VolunteerRole.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("Any role"),
    )
    location = NameChoiceField(
        label=_("Location"),
        queryset=Location.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("Anywhere"),
    )
    day_from = BoundedDateField(label=_("From"), required=False, widget=DateInput())
    day_to = BoundedDateField(label=_("To"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day_from: date | None = data.get("day_from")
        day_to: date | None = data.get("day_to")
        if day_from and day_to and day_to < day_from:
            self.add_error("day_to", _("The last day must be on or after the first day."))
        return data


def code_from(text: str) -> str:
    """The check-in code in what was typed: the code itself, or the link the QR code holds."""
    text = text.strip()
    if "/" in text:
        parts = [part for part in urlsplit(text).path.split("/") if part]
        return parts[-1] if parts else ""
    return text


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code or link"),
        max_length=500,
        help_text=_("Scan the QR code shown where your shift is, or paste the link under it."),
    )

    def clean_code(self) -> str:
        code = code_from(self.cleaned_data["code"])
        if not code:
            raise ValidationError(_("Paste the code or the link shown where your shift is."))
        return code


class SwapOfferForm(forms.Form):
    note = forms.CharField(
        label=_("A note for whoever takes it"),
        max_length=300,
        required=False,
        help_text=_("e.g. why you cannot come, or what to bring."),
    )


class ManualHoursForm(forms.Form):
    """Work done off-shift, on one local day, in the volunteer's own time zone."""

    role = NameChoiceField(
        label=_("What did you do?"),
        queryset=VolunteerRole.objects.filter(active=True).order_by("name"),
        empty_label=_("Choose a role"),
    )
    day = BoundedDateField(label=_("Day"), widget=DateInput())
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(
        label=_("Until"),
        widget=TimeInput(),
        help_text=_("For work past midnight, add a second entry for the next day."),
    )
    note = forms.CharField(
        label=_("What was it?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. prepared leaflets for the school visit"),
    )

    # The service names the times starts_at / ends_at; these are the form's fields for them.
    SERVICE_FIELDS = {"starts_at": "start", "ends_at": "end"}

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: time | None = data.get("start")
        end: time | None = data.get("end")
        if start is not None and end is not None and end <= start:
            self.add_error(
                "end",
                _(
                    "The end must be after the start. For work past midnight, add a second "
                    "entry for the next day."
                ),
            )
        return data

    def moments(self) -> tuple[datetime, datetime]:
        """The start and end as aware datetimes in the volunteer's zone (after is_valid)."""
        zone = zoneinfo.ZoneInfo(self.time_zone)
        day: date = self.cleaned_data["day"]
        return (
            datetime.combine(day, self.cleaned_data["start"], tzinfo=zone),
            datetime.combine(day, self.cleaned_data["end"], tzinfo=zone),
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        for field, errors in exc.message_dict.items():
            name = self.SERVICE_FIELDS.get(field, field)
            self.add_error(name if name in self.fields else None, errors)
