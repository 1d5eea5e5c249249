"""Forms of the volunteer-facing pages: applying, and sending evidence of an outside training."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.forms import VolunteerRegistrationForm
from core.forms import BoundedDateField, limits
from core.locales import translated
from volunteers.models import ApplicationQuestion, Training, VolunteerRole
from volunteers.services.onboarding import validate_date_of_birth
from volunteers.services.training_records import validate_completion_date
from volunteers.validators import validate_document

PROFILE_FIELDS = (
    "date_of_birth",
    "emergency_contact_name",
    "emergency_contact_phone",
    "skills",
    "languages",
    "availability",
)
ACCOUNT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "preferred_language",
    "time_zone",
    "password1",
    "password2",
)


class DateInput(forms.DateInput):
    input_type = "date"


class ApplicationDetailsForm(forms.Form):
    """About the applicant, the roles they want and the coordinators' questions."""

    date_of_birth = BoundedDateField(
        label=_("Date of birth"),
        widget=DateInput(),
        help_text=_("Some roles have a minimum age, e.g. 21 for school outreach."),
    )
    emergency_contact_name = forms.CharField(
        label=_("Emergency contact: name"), max_length=150, required=False
    )
    emergency_contact_phone = PhoneNumberField(
        label=_("Emergency contact: phone"),
        required=False,
        help_text=_("Include the country code if they live outside the organisation's country."),
    )
    skills = forms.CharField(
        label=_("Skills"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. counselling, teaching, first aid"),
    )
    languages = forms.CharField(
        label=_("Languages you speak"),
        max_length=200,
        required=False,
        help_text=_("e.g. English, Spanish"),
    )
    availability = forms.CharField(
        label=_("When you can usually help"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. weekday evenings, one Saturday a month"),
    )
    wanted_roles = forms.ModelMultipleChoiceField(
        label=_("What would you like to do?"),
        queryset=VolunteerRole.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        questions: Iterable[ApplicationQuestion] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        roles = self.fields["wanted_roles"]
        assert isinstance(roles, forms.ModelMultipleChoiceField)
        roles.queryset = VolunteerRole.objects.filter(active=True).order_by("name")
        roles.label_from_instance = lambda role: translated(role, "name")  # type: ignore[method-assign,assignment]
        if questions is None:
            questions = ApplicationQuestion.objects.filter(active=True).order_by("position", "pk")
        self.questions = list(questions)
        for question in self.questions:
            self.fields[self.question_field(question)] = forms.CharField(
                label=translated(question, "text"),
                required=question.required,
                max_length=limits.LONG_TEXT,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=translated(question, "help_text"),  # escaped by includes/field.html
            )

    @staticmethod
    def question_field(question: ApplicationQuestion) -> str:
        return f"question_{question.pk}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        born: date | None = cleaned.get("date_of_birth")
        try:
            validate_date_of_birth(born)
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned

    def profile_data(self) -> dict[str, Any]:
        """The profile's fields, as submit_application and complete_application take them."""
        data = {name: self.cleaned_data[name] for name in PROFILE_FIELDS}
        data["emergency_contact_phone"] = data["emergency_contact_phone"] or ""
        return data

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(self.question_field(q), "") for q in self.questions}

    def chosen_roles(self) -> list[VolunteerRole]:
        return list(self.cleaned_data["wanted_roles"])

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in titled groups, for a long form that reads well on a phone."""
        groups: list[tuple[str, tuple[str, ...]]] = [
            (str(_("Your account")), tuple(n for n in ACCOUNT_FIELDS if n in self.fields)),
            (str(_("About you")), PROFILE_FIELDS),
            (str(_("Roles")), ("wanted_roles",)),
            (
                str(_("A few questions")),
                tuple(self.question_field(q) for q in self.questions),
            ),
        ]
        return [(title, [self[name] for name in names]) for title, names in groups if names]


class ApplicationForm(VolunteerRegistrationForm, ApplicationDetailsForm):
    """The public application: an account, the profile, roles wanted and the questions."""

    field_order = [*ACCOUNT_FIELDS, *PROFILE_FIELDS, "wanted_roles"]

    def account_data(self) -> dict[str, Any]:
        """register_volunteer's arguments."""
        data = self.cleaned_data
        return {
            "email": data["email"],
            "password": data["password1"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "phone": data["phone"].as_e164 if data["phone"] else "",
            "preferred_language": data["preferred_language"],
            "time_zone": data["time_zone"],
        }


class OutsideTrainingForm(forms.Form):
    """Evidence of a training done elsewhere, for a coordinator to check."""

    training = forms.ModelChoiceField(
        label=_("Training"),
        queryset=Training.objects.none(),
        empty_label=_("Choose a training"),
    )
    completed_on = BoundedDateField(label=_("Completed on"), widget=DateInput())
    provider = forms.CharField(
        label=_("Who gave the training"),
        max_length=200,
        help_text=_("e.g. the Red Cross, or the name of your previous organisation"),
    )
    evidence = forms.FileField(
        label=_("Certificate"),
        validators=[validate_document],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
        help_text=_(
            "A PDF or a photo (JPEG, PNG, WebP or HEIC). A clear photo of a paper certificate "
            "is fine."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        training = self.fields["training"]
        assert isinstance(training, forms.ModelChoiceField)
        training.queryset = Training.objects.order_by("name")

    def clean_completed_on(self) -> date:
        completed_on: date = self.cleaned_data["completed_on"]
        try:
            validate_completion_date(completed_on)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["completed_on"]) from exc
        return completed_on


class ContactSharingForm(forms.Form):
    share_contact = forms.BooleanField(
        label=_("Show my phone number and e-mail address to the volunteers on my shifts"),
        required=False,
        help_text=_("Otherwise they see only your first name."),
    )


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class AvailabilityForm(forms.Form):
    days = forms.TypedMultipleChoiceField(
        label=_("Days I can usually help"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if any day suits you."),
    )
    starts = forms.TimeField(
        label=_("From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("In your own time zone. Leave empty for any time."),
    )
    ends = forms.TimeField(
        label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )


class AwayPeriodForm(forms.Form):
    first_day = forms.DateField(label=_("First day away"), widget=DateInput())
    last_day = forms.DateField(label=_("Last day away"), widget=DateInput())


class PhotoForm(forms.Form):
    """A profile photo; the photo service checks what it really is."""

    photo = forms.FileField(
        label=_("Photo"),
        help_text=_(
            "A JPEG, PNG or WebP photo of your face, up to 8 MB. The people on your shifts "
            "and the coordinators see it; its location and camera data are removed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": _("Choose a photo to upload.")},
    )
