"""Forms of the coordinators' hours pages: reject or edit an entry, filter the totals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, NameChoiceField, limits
from volunteers.forms.coordinator import DateInput, TimeInput
from volunteers.forms.shifts import ONE_DAY, SKIPPED_TIME, local_moment
from volunteers.models import VolunteerRole


class HoursRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not?"),
        max_length=300,
        help_text=_("The volunteer will read this."),
        error_messages={"required": _("Write a reason: the volunteer will see it.")},
    )

    def __init__(self, *args: Any, entry_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_reject_{entry_id}_%s")
        super().__init__(*args, **kwargs)


class HoursEditForm(forms.Form):
    """An entry's local start and end (in the shift's zone, or the organisation's)."""

    day = BoundedDateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("To"), widget=TimeInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ERROR_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}

    def moments(self, zone: str) -> tuple[datetime, datetime] | None:
        data = self.cleaned_data
        starts_at = local_moment(data["day"], data["start_time"], zone)
        end_day = data["day"] + (
            ONE_DAY if data["end_time"] <= data["start_time"] else timedelta(0)
        )
        ends_at = local_moment(end_day, data["end_time"], zone)
        if starts_at is None:
            self.add_error("start_time", SKIPPED_TIME)
        if ends_at is None:
            self.add_error("end_time", SKIPPED_TIME)
        if starts_at is None or ends_at is None:
            return None
        return starts_at, ends_at


class HoursTotalsFilterForm(forms.Form):
    role = NameChoiceField(
        label=_("Role"),
        queryset=VolunteerRole.objects.order_by("name"),
        required=False,
        empty_label=_("Any role"),
    )
    date_from = BoundedDateField(label=_("From"), required=False, widget=DateInput)
    date_to = BoundedDateField(label=_("To"), required=False, widget=DateInput)
