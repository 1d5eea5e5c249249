"""Forms for the coordinator's volunteering pages. They parse input; services hold the rules."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import time_zone_choices
from core.forms import BoundedDateField, NameChoiceField, limits
from core.forms.translations import add_translation_fields, cleaned_translations
from volunteers.models import (
    ApplicationQuestion,
    ClearanceStatus,
    ClearanceType,
    ProfileStatus,
    SessionSignup,
    Training,
    TrainingSession,
    VolunteerProfile,
    VolunteerRole,
)
from volunteers.validators import validate_document


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


# Roles and trainings: the forms parse the input; the services in volunteers.services.catalogue
# check the rules and save it.


class RoleForm(forms.ModelForm[VolunteerRole]):
    TRANSLATED = ("name", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_translation_fields(self, self.TRANSLATED, self.instance.translations)

    def translations(self) -> dict[str, dict[str, str]]:
        return cleaned_translations(self, self.TRANSLATED)

    class Meta:
        model = VolunteerRole
        fields = (
            "name",
            "description",
            "minimum_age",
            "required_trainings",
            "required_clearance_types",
            "is_qualification",
            "active",
        )
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "minimum_age": _("Minimum age"),
            "required_trainings": _("Trainings needed"),
            "required_clearance_types": _("Clearances needed"),
            "is_qualification": _("This role is a qualification a coordinator grants"),
            "active": _("In use"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "required_trainings": forms.CheckboxSelectMultiple,
            "required_clearance_types": forms.CheckboxSelectMultiple,
        }


class QuestionForm(forms.ModelForm[ApplicationQuestion]):
    """A question of the volunteer application, with its text in the other languages."""

    TRANSLATED = ("text", "help_text")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_translation_fields(self, self.TRANSLATED, self.instance.translations)

    def translations(self) -> dict[str, dict[str, str]]:
        return cleaned_translations(self, self.TRANSLATED)

    class Meta:
        model = ApplicationQuestion
        fields = ("text", "help_text", "required", "position", "active")
        labels = {
            "text": _("Question"),
            "help_text": _("Hint shown under the question"),
            "required": _("An answer is required"),
            "position": _("Position (lower comes first)"),
            "active": _("Asked on the application"),
        }


class StaffingRuleForm(forms.Form):
    """Choices come from the roles already loaded for the page, so many forms cost no queries."""

    qualification = forms.TypedChoiceField(label=_("Qualification"), coerce=int)
    minimum = forms.IntegerField(
        label=_("At least this many people on each shift"),
        min_value=1,
        max_value=50,
        initial=1,
    )

    def __init__(
        self, *args: Any, role: VolunteerRole, qualifications: list[VolunteerRole], **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", f"id_rule_{role.pk}_%s")
        super().__init__(*args, **kwargs)
        self.choices = {q.pk: q for q in qualifications if q.pk != role.pk and q.is_qualification}
        field = self.fields["qualification"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Choose a qualification"))] + [
            (pk, q.name) for pk, q in self.choices.items()
        ]

    def clean_qualification(self) -> VolunteerRole:
        return self.choices[self.cleaned_data["qualification"]]


class TrainingForm(forms.Form):
    """A plain form: save_training checks the validity and the name (model checks included)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        required=False,
        max_value=1200,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("Leave empty when the training never expires."),
    )

    TRANSLATED = ("name", "description")

    def __init__(self, *args: Any, training: Training | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_translation_fields(self, self.TRANSLATED, training.translations if training else None)

    def translations(self) -> dict[str, dict[str, str]]:
        return cleaned_translations(self, self.TRANSLATED)

    @staticmethod
    def initial_for(training: Training) -> dict[str, Any]:
        return {
            "name": training.name,
            "description": training.description,
            "validity_months": training.validity_months,
        }


# Sessions and their roster.


class SessionForm(forms.Form):
    """A session in local time: a date, start and end times, and the zone they are in."""

    day = BoundedDateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput)
    end_date = BoundedDateField(
        label=_("Ends on"),
        required=False,
        widget=DateInput,
        help_text=_("Only for a session that runs past midnight or over several days."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(
        label=_("Online link"), required=False, assume_scheme="https", max_length=200
    )
    trainer = forms.CharField(label=_("Trainer"), max_length=150, required=False)
    capacity = forms.IntegerField(
        label=_("Places"),
        max_value=1000,
        widget=forms.NumberInput(attrs={"min": 1, "max": 1000}),
        initial=12,
        error_messages={"max_value": _("A session can have at most 1000 places.")},
    )
    notes = forms.CharField(
        label=_("Notes for participants"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = settings.ORG_TIME_ZONE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("place", "").strip() and not cleaned.get("online_url"):
            self.add_error("place", _("Enter a place, an online link, or both."))
        return cleaned

    def _local(self, day: date, at: time, field: str) -> datetime | None:
        zone = zoneinfo.ZoneInfo(self.cleaned_data["time_zone"])
        moment = datetime.combine(day, at, tzinfo=zone)
        # A time skipped when the clocks go forward does not survive a round trip.
        if moment.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(zone).time() != at:
            self.add_error(field, _("This time does not exist that day: the clocks change."))
            return None
        return moment

    @staticmethod
    def initial_for(session: TrainingSession) -> dict[str, Any]:
        """The form's values for an existing session, in the session's own time zone."""
        zone = zoneinfo.ZoneInfo(session.time_zone)
        starts_at = session.starts_at.astimezone(zone)
        ends_at = session.ends_at.astimezone(zone)
        return {
            "day": starts_at.date(),
            "start_time": starts_at.time(),
            "end_time": ends_at.time(),
            "end_date": ends_at.date() if ends_at.date() != starts_at.date() else None,
            "time_zone": session.time_zone,
            "place": session.place,
            "online_url": session.online_url,
            "trainer": session.trainer,
            "capacity": session.capacity,
            "notes": session.notes,
        }

    def session_fields(self) -> dict[str, Any] | None:
        """The keyword arguments of create_ or update_training_session (None after an error)."""
        data = self.cleaned_data
        starts_at = self._local(data["day"], data["start_time"], "start_time")
        ends_at = self._local(data["end_date"] or data["day"], data["end_time"], "end_time")
        if starts_at is None or ends_at is None:
            return None
        return {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "time_zone": data["time_zone"],
            "place": data["place"].strip(),
            "online_url": data["online_url"],
            "trainer": data["trainer"].strip(),
            "capacity": data["capacity"],
            "notes": data["notes"],
        }


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label=_("Who came"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, signups: list[SessionSignup], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_attendance_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["attended"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(s.volunteer_id), str(s.volunteer)) for s in signups]

    def attended_ids(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["attended"]]


class CompletionsForm(forms.Form):
    volunteers = forms.MultipleChoiceField(
        label=_("Completed the training"), widget=forms.CheckboxSelectMultiple
    )
    completed_on = BoundedDateField(label=_("Completed on"), widget=DateInput)

    def __init__(self, *args: Any, signups: list[SessionSignup], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_completions_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["volunteers"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(s.volunteer_id), str(s.volunteer)) for s in signups]

    def volunteer_ids(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["volunteers"]]


# Clearances.


class ClearanceForm(forms.Form):
    clearance_type = NameChoiceField(
        queryset=ClearanceType.objects.order_by("name"),
        label=_("Type"),
        empty_label=_("Choose a type"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ClearanceStatus.choices)
    requested_on = BoundedDateField(label=_("Requested on"), required=False, widget=DateInput)
    issued_on = BoundedDateField(label=_("Issued on"), required=False, widget=DateInput)
    expires_on = BoundedDateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty to use the type's usual validity."),
    )
    reference_number = forms.CharField(label=_("Reference number"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    document = forms.FileField(
        label=_("Document"),
        required=False,
        validators=[validate_document],
        help_text=_("Optional: a PDF or a photo (JPEG, PNG, WebP or HEIC)."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["clearance_type"].disabled = True
            self.fields["document"].help_text = _("Upload a new file to replace the current one.")


class ClearanceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ClearanceStatus.choices],
    )
    within_days = forms.IntegerField(
        label=_("Expiring within (days)"), required=False, min_value=0, max_value=3650
    )


# A volunteer's qualification page.


class NotesForm(forms.ModelForm[VolunteerProfile]):
    class Meta:
        model = VolunteerProfile
        fields = ("coordinator_notes",)
        labels = {"coordinator_notes": _("Coordinator notes")}
        widgets = {"coordinator_notes": forms.Textarea(attrs={"rows": 4})}


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (ProfileStatus.ACTIVE, ProfileStatus.ACTIVE.label),
            (ProfileStatus.PAUSED, ProfileStatus.PAUSED.label),
            (ProfileStatus.LEFT, ProfileStatus.LEFT.label),
        ],
    )


class GrantForm(forms.Form):
    role = NameChoiceField(
        queryset=VolunteerRole.objects.filter(is_qualification=True).order_by("name"),
        label=_("Qualification"),
        empty_label=_("Choose a qualification"),
    )


class RecordTrainingForm(forms.Form):
    training = NameChoiceField(
        queryset=Training.objects.order_by("name"),
        label=_("Training"),
        empty_label=_("Choose a training"),
    )
    completed_on = BoundedDateField(label=_("Completed on"), widget=DateInput)
    provider = forms.CharField(
        label=_("Given by"),
        max_length=200,
        required=False,
        help_text=_("e.g. the organisation that ran an outside course"),
    )


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ProfileStatus.choices]
    )
    qualification = NameChoiceField(
        label=_("Holds the qualification"),
        queryset=VolunteerRole.objects.filter(is_qualification=True).order_by("name"),
        required=False,
        empty_label=_("Any"),
    )
    eligible_for = NameChoiceField(
        label=_("May do the role today"),
        queryset=VolunteerRole.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("Any"),
    )


# Reviews: applications and evidence.


class ReasonForm(forms.Form):
    """A reason the person will read. Whether one is needed is the service's rule."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, key: str, help_text: str = "", max_length: int = 1000, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", f"id_{key}_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        assert isinstance(field, forms.CharField)
        field.help_text = help_text
        if max_length != field.max_length:
            field.max_length = max_length
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ] + [MaxLengthValidator(max_length)]
            field.widget.attrs["maxlength"] = str(max_length)
