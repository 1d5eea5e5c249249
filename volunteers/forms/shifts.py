"""Forms for the coordinator's shift pages. Times are entered in the shift's own zone.

The forms parse input; the services (volunteers.services) hold the rules and raise a
ValidationError naming the field, which the views put back on the form.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, NameChoiceField, limits
from volunteers.forms.coordinator import DateInput, TimeInput
from volunteers.models import Location, ShiftStatus, VolunteerRole
from volunteers.services.shifts import NO_PLACES

WEEKDAYS = (
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
)
ONE_DAY = timedelta(days=1)


def local_moment(day: date, at: time, zone: str) -> datetime | None:
    """``at`` on ``day`` in ``zone`` as an aware datetime; None when the clocks skip it."""
    tz = zoneinfo.ZoneInfo(zone)
    moment = datetime.combine(day, at, tzinfo=tz)
    if moment.astimezone(UTC).astimezone(tz).time() != at:
        return None
    return moment


SKIPPED_TIME = _("This time does not exist that day: the clocks change.")


def _roles() -> Any:
    return VolunteerRole.objects.filter(active=True).order_by("name")


def _locations() -> Any:
    return Location.objects.filter(active=True).order_by("name")


class ShiftFilterForm(forms.Form):
    role = NameChoiceField(
        label=_("Role"),
        queryset=VolunteerRole.objects.order_by("name"),
        required=False,
        empty_label=_("Any role"),
    )
    location = NameChoiceField(
        label=_("Location"),
        queryset=Location.objects.order_by("name"),
        required=False,
        empty_label=_("Any location"),
    )
    date_from = BoundedDateField(label=_("From"), required=False, widget=DateInput)
    date_to = BoundedDateField(label=_("To"), required=False, widget=DateInput)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ShiftStatus.choices],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last day cannot be before the first day."))
        elif start and end and (end - start).days > 366:
            self.add_error("date_to", _("Show at most a year at a time."))
        return cleaned


class _TimesMixin(forms.Form):
    """A local start and end time, the end on the next day when it is ticked."""

    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput)
    ends_next_day = forms.BooleanField(
        label=_("Ends the next day"),
        required=False,
        help_text=_("For a shift that runs past midnight."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if (
            start is not None
            and end is not None
            and not cleaned.get("ends_next_day")
            and end <= start
        ):
            self.add_error(
                "end_time",
                _(
                    "The shift must end after it starts. For a shift past midnight, "
                    "tick “Ends the next day”."
                ),
            )
        return cleaned

    def duration(self) -> timedelta:
        data = self.cleaned_data
        start = datetime.combine(date(2000, 1, 3), data["start_time"])
        end = datetime.combine(date(2000, 1, 3), data["end_time"])
        if data.get("ends_next_day"):
            end += ONE_DAY
        return end - start


def places_field() -> forms.IntegerField:
    """How many people a shift (or each shift of a series) takes: 1 to 1000."""
    return forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=1000,
        widget=forms.NumberInput(attrs={"min": 1, "max": 1000}),
        error_messages={
            "min_value": NO_PLACES,
            "max_value": _("A shift can have at most 1000 places."),
        },
    )


def notes_field() -> forms.CharField:
    return forms.CharField(
        label=_("Notes for volunteers"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def online_link_field() -> forms.URLField:
    return forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=limits.URL,
        assume_scheme="https",
        help_text=_(
            "For a shift done online: the meeting's https:// link. Only the people with a "
            "place see it, instead of directions."
        ),
        validators=[
            URLValidator(schemes=["https"], message=_("Give an https:// link."), code="https")
        ],
        widget=forms.URLInput(attrs={"maxlength": limits.URL, "inputmode": "url"}),
    )


class ShiftForm(_TimesMixin):
    """One shift: its role, place, local date and times (in the location's zone), places."""

    role = NameChoiceField(label=_("Role"), queryset=VolunteerRole.objects.none())
    location = NameChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        help_text=_("Times are in the location's time zone."),
    )
    day = BoundedDateField(label=_("Date"), widget=DateInput)
    capacity = places_field()
    notes = notes_field()
    online_link = online_link_field()
    status = forms.ChoiceField(
        label=_("Publish"),
        choices=[(ShiftStatus.PUBLISHED, _("Published")), (ShiftStatus.DRAFT, _("Draft"))],
        initial=ShiftStatus.PUBLISHED,
        help_text=_("A draft is not shown to volunteers until you publish it."),
    )

    field_order = (
        "role",
        "location",
        "day",
        "start_time",
        "end_time",
        "ends_next_day",
        "capacity",
        "notes",
        "online_link",
        "status",
    )
    # Service field -> form field, for errors the services raise.
    ERROR_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        location = self.fields["location"]
        assert isinstance(role, forms.ModelChoiceField)
        assert isinstance(location, forms.ModelChoiceField)
        role.queryset = VolunteerRole.objects.order_by("name") if editing else _roles()
        location.queryset = Location.objects.order_by("name") if editing else _locations()
        if editing:
            del self.fields["status"]

    @staticmethod
    def initial_for(shift: Any) -> dict[str, Any]:
        zone = zoneinfo.ZoneInfo(shift.location.time_zone)
        start = shift.starts_at.astimezone(zone)
        end = shift.ends_at.astimezone(zone)
        return {
            "role": shift.role_id,
            "location": shift.location_id,
            "day": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "ends_next_day": end.date() > start.date(),
            "capacity": shift.capacity,
            "notes": shift.notes,
            "online_link": shift.online_link,
        }

    def shift_fields(self) -> dict[str, Any] | None:
        """Keyword arguments for create_shift / update_shift (None after a form error)."""
        data = self.cleaned_data
        location: Location = data["location"]
        zone = location.time_zone
        starts_at = local_moment(data["day"], data["start_time"], zone)
        end_day = data["day"] + (ONE_DAY if data.get("ends_next_day") else timedelta(0))
        ends_at = local_moment(end_day, data["end_time"], zone)
        if starts_at is None:
            self.add_error("start_time", SKIPPED_TIME)
        if ends_at is None:
            self.add_error("end_time", SKIPPED_TIME)
        if starts_at is None or ends_at is None:
            return None
        if ends_at - starts_at > timedelta(hours=24):
            self.add_error("end_time", _("A shift lasts at most 24 hours."))
            return None
        fields = {
            "role": data["role"],
            "location": location,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "capacity": data["capacity"],
            "notes": data["notes"],
            "online_link": data["online_link"],
        }
        if "status" in self.fields:
            fields["status"] = data["status"]
        return fields


class CancelShiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the shift cancelled?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
        help_text=_("The people signed up will read this."),
        error_messages={"required": _("Write a reason: the people signed up will see it.")},
    )


class SeriesForm(_TimesMixin):
    """A repeating shift: a weekly pattern built here, or an RFC 5545 rule typed in."""

    role = NameChoiceField(label=_("Role"), queryset=VolunteerRole.objects.none())
    location = NameChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        help_text=_("Times are in the location's time zone; they stay the same across DST."),
    )
    first_day = BoundedDateField(label=_("First day"), widget=DateInput)
    repeat = forms.ChoiceField(
        label=_("Repeat"),
        choices=[("weekly", _("Weekly, on the days below")), ("rrule", _("By a rule (RFC 5545)"))],
        initial="weekly",
        widget=forms.RadioSelect,
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    interval = forms.IntegerField(
        label=_("Every how many weeks"), min_value=1, max_value=52, initial=1
    )
    ends = forms.ChoiceField(
        label=_("Ends"),
        choices=[
            ("never", _("Never (shifts are planned a few weeks ahead)")),
            ("until", _("On the last day below")),
            ("count", _("After a number of shifts")),
        ],
        initial="never",
        widget=forms.RadioSelect,
    )
    until = BoundedDateField(label=_("Last day"), required=False, widget=DateInput)
    count = forms.IntegerField(
        label=_("Number of shifts"), required=False, min_value=1, max_value=500
    )
    rrule = forms.CharField(
        label=_("Rule"),
        required=False,
        max_length=500,
        help_text=_("e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH or FREQ=MONTHLY;BYDAY=1SA"),
    )
    capacity = places_field()
    notes = notes_field()
    online_link = online_link_field()
    status = forms.ChoiceField(
        label=_("Publish"),
        choices=[(ShiftStatus.PUBLISHED, _("Published")), (ShiftStatus.DRAFT, _("Draft"))],
        initial=ShiftStatus.PUBLISHED,
    )
    window_weeks = forms.IntegerField(
        label=_("Plan how many weeks ahead"), min_value=1, max_value=52, initial=8
    )

    field_order = (
        "role",
        "location",
        "first_day",
        "start_time",
        "end_time",
        "ends_next_day",
        "repeat",
        "weekdays",
        "interval",
        "rrule",
        "ends",
        "until",
        "count",
        "capacity",
        "notes",
        "online_link",
        "status",
        "window_weeks",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        location = self.fields["location"]
        assert isinstance(role, forms.ModelChoiceField)
        assert isinstance(location, forms.ModelChoiceField)
        role.queryset = VolunteerRole.objects.order_by("name") if editing else _roles()
        location.queryset = Location.objects.order_by("name") if editing else _locations()
        self.editing = editing
        if editing:
            for name in ("first_day", "status", "window_weeks"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        repeat = cleaned.get("repeat")
        if repeat == "weekly" and not cleaned.get("weekdays"):
            self.add_error("weekdays", _("Choose at least one day of the week."))
        if repeat == "rrule" and not cleaned.get("rrule", "").strip():
            self.add_error("rrule", _("Write the rule, such as FREQ=WEEKLY;BYDAY=TU."))
        ends = cleaned.get("ends")
        if ends == "until" and not cleaned.get("until"):
            self.add_error("until", _("Give the last day."))
        if ends == "count" and not cleaned.get("count"):
            self.add_error("count", _("Give the number of shifts."))
        if ends == "count" and repeat == "rrule":
            self.add_error("count", _("With a typed rule, write COUNT= in the rule itself."))
        return cleaned

    def rule_text(self) -> str:
        data = self.cleaned_data
        if data["repeat"] == "rrule":
            text: str = data["rrule"].strip()
            return text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text
        days = [code for code, _label in WEEKDAYS if code in data["weekdays"]]
        parts = ["FREQ=WEEKLY"]
        if data["interval"] > 1:
            parts.append(f"INTERVAL={data['interval']}")
        parts.append("BYDAY=" + ",".join(days))
        if data["ends"] == "count":
            parts.append(f"COUNT={data['count']}")
        return ";".join(parts)

    def error_fields(self) -> dict[str, str]:
        """Service field -> form field (a rule error shows where the rule was entered)."""
        rule_field = "rrule" if self.cleaned_data.get("repeat") == "rrule" else "weekdays"
        return {
            "rrule": rule_field,
            "dtstart": "first_day",
            "duration": "end_time",
            "until": "until",
        }

    def series_fields(self) -> dict[str, Any]:
        """Keyword arguments for create_series / update_series_from."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            "role": data["role"],
            "location": data["location"],
            "rrule": self.rule_text(),
            "start_time": data["start_time"],
            "duration": self.duration(),
            "capacity": data["capacity"],
            "notes": data["notes"],
            "online_link": data["online_link"],
            "until": data["until"] if data["ends"] == "until" else None,
        }
        if not self.editing:
            fields["dtstart"] = data["first_day"]
            fields["shift_status"] = data["status"]
            fields["window_weeks"] = data["window_weeks"]
        return fields

    @staticmethod
    def initial_for(series: Any) -> dict[str, Any]:
        start = datetime.combine(date(2000, 1, 3), series.start_time)
        end = start + series.duration
        return {
            "role": series.role_id,
            "location": series.location_id,
            "start_time": series.start_time,
            "end_time": end.time(),
            "ends_next_day": end.date() > start.date(),
            "repeat": "rrule",
            "rrule": series.rrule,
            "interval": 1,
            "ends": "until" if series.until else "never",
            "until": series.until,
            "capacity": series.capacity,
            "notes": series.notes,
            "online_link": series.online_link,
        }


class GapsFilterForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Look ahead"),
        coerce=int,
        required=False,
        choices=[(7, _("7 days")), (14, _("14 days")), (28, _("4 weeks")), (56, _("8 weeks"))],
        initial=14,
    )
