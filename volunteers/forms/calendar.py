"""The calendar's choices: which view, around which day, and which role and location."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from volunteers.models import Location, VolunteerRole


class CalendarForm(forms.Form):
    view = forms.ChoiceField(
        label=_("Show"),
        choices=[("month", _("Month")), ("week", _("Week")), ("day", _("Day"))],
        required=False,
    )
    date = forms.DateField(
        label=_("Around"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    role = forms.ModelChoiceField(
        label=_("Role"),
        queryset=VolunteerRole.objects.filter(active=True),
        required=False,
        empty_label=_("Any role"),
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.filter(active=True),
        required=False,
        empty_label=_("Any location"),
    )

    def choices(self, today: Any) -> dict[str, Any]:
        """The view, the day, the role id and the location id (defaults for bad input)."""
        data = self.cleaned_data if self.is_valid() else {}
        role = data.get("role")
        location = data.get("location")
        return {
            "view": data.get("view") or "month",
            "anchor": data.get("date") or today,
            "role_id": role.pk if role else None,
            "location_id": location.pk if location else None,
        }
