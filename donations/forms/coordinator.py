"""Forms of the coordinators' giving pages: filters (bad input shows an error, never a 500)
and a campaign's texts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, NameChoiceField
from core.forms.translations import add_translation_fields, cleaned_translations
from donations import options
from donations.models import (
    Campaign,
    DonationStatus,
    EventDelivery,
    RecurringStatus,
    StripeEvent,
    StripeEventStatus,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DonationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=255,
        help_text=_("Part of a donor's name or e-mail, or a whole Stripe id (pi_..., in_...)."),
    )
    date_from = BoundedDateField(label=_("From"), required=False, widget=DateInput())
    date_to = BoundedDateField(label=_("To"), required=False, widget=DateInput())
    campaign = NameChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("name", "pk"),
        required=False,
        empty_label=_("Any campaign"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every gift")), *DonationStatus.choices],
        help_text=_(
            "Checkouts the donor has not finished (pending) or left (abandoned) are not gifts: "
            "pick their status to see them."
        ),
    )
    currency = forms.ChoiceField(label=_("Currency"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["currency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext("Any currency"))] + [
            (code, code) for code in options.currencies()
        ]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", gettext("The end date is before the start date."))
        return data


class StripeEventFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *StripeEventStatus.choices],
    )
    type = forms.ChoiceField(label=_("Event type"), required=False)
    delivered_by = forms.ChoiceField(
        label=_("How it reached us"),
        required=False,
        choices=[("", _("Any way")), *EventDelivery.choices],
    )

    def __init__(self, *args: Any, types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext("Any type"))] + [(name, name) for name in types]


class ReprocessForm(forms.Form):
    """The events a coordinator asked to re-process (only failed ones are run)."""

    event = forms.ModelMultipleChoiceField(
        queryset=StripeEvent.objects.filter(status=StripeEventStatus.FAILED).only("pk"),
        error_messages={
            "required": _("Choose a failed event to re-process."),
            "invalid_choice": _("That event has not failed (any more); nothing to re-process."),
        },
    )


class RecurringFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every monthly gift")), *RecurringStatus.choices],
        help_text=_("Checkouts the donor left (abandoned) are listed when you pick that status."),
    )


class CampaignForm(forms.ModelForm[Campaign]):
    """What donors read of a campaign, in the default language and the others."""

    TRANSLATED = ("name", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_translation_fields(self, self.TRANSLATED, self.instance.translations)

    def translations(self) -> dict[str, dict[str, str]]:
        return cleaned_translations(self, self.TRANSLATED)

    class Meta:
        model = Campaign
        fields = ("name", "description", "active", "public")
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "active": _("Takes gifts"),
            "public": _("Has a public page"),
        }
        help_texts = {"active": "", "public": ""}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
