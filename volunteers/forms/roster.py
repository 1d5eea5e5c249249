"""Forms of a shift's roster: place a volunteer, move or remove a place, record attendance."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from volunteers.forms.coordinator import TimeInput
from volunteers.forms.shifts import ONE_DAY, SKIPPED_TIME, local_moment


class AssignForm(forms.Form):
    """Give a volunteer a place; the choices carry each person's eligibility for the shift."""

    volunteer = forms.TypedChoiceField(label=_("Volunteer"), coerce=int)
    override_reason = forms.CharField(
        label=_("Reason for an override"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when the person is not eligible, has another shift then, or the shift "
            "is full. Kept with your name."
        ),
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_assign_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["volunteer"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Choose a volunteer")), *choices]


class MoveForm(forms.Form):
    to_shift = forms.TypedChoiceField(label=_("Move to"), coerce=int)
    override_reason = AssignForm.base_fields["override_reason"]

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_shift"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Choose a shift")), *choices]


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("The volunteer will read this."),
    )


class AttendanceForm(forms.Form):
    """Check-in and check-out times on the shift's local day (a check-out before the
    check-in is on the next day)."""

    check_in = forms.TimeField(label=_("Checked in"), widget=TimeInput)
    check_out = forms.TimeField(label=_("Checked out"), required=False, widget=TimeInput)
    override_reason = forms.CharField(
        label=_("Reason for an override"),
        required=False,
        max_length=500,
        help_text=_("Needed when the person is not eligible for the shift."),
    )

    def __init__(self, *args: Any, signup_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_att_{signup_id}_%s")
        super().__init__(*args, **kwargs)

    def moments(self, shift: Any) -> tuple[datetime, datetime | None] | None:
        zone = shift.location.time_zone
        day = shift.starts_at.astimezone(zoneinfo.ZoneInfo(zone)).date()
        data = self.cleaned_data
        check_in = local_moment(day, data["check_in"], zone)
        if check_in is None:
            self.add_error("check_in", SKIPPED_TIME)
            return None
        check_out = None
        if data.get("check_out") is not None:
            out_day = day + (ONE_DAY if data["check_out"] <= data["check_in"] else timedelta(0))
            check_out = local_moment(out_day, data["check_out"], zone)
            if check_out is None:
                self.add_error("check_out", SKIPPED_TIME)
                return None
        return check_in, check_out

    ERROR_FIELDS = {"check_in_at": "check_in", "check_out_at": "check_out"}
