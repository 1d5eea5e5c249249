"""Forms of the donor portal (the donor's own details) and the coordinators' donor pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from donations.models import Donor
from donations.money import Money, MoneyError, parse_amount


class DonorDetailsForm(forms.ModelForm[Donor]):
    """A donor's name, postal address and communication preferences."""

    class Meta:
        model = Donor
        fields = (
            "name",
            "address_line1",
            "address_line2",
            "city",
            "region",
            "postal_code",
            "country",
            "communication_consent",
            "give_anonymously",
        )
        labels = {
            "name": _("Name"),
            "address_line1": _("Address line 1"),
            "address_line2": _("Address line 2"),
            "city": _("City"),
            "region": _("Region or state"),
            "postal_code": _("Postal code"),
            "country": _("Country"),
            "communication_consent": _("Send me news of your work and appeals"),
            "give_anonymously": _("Keep my name out of public lists of donors"),
        }

    def clean_country(self) -> str:
        value = (self.cleaned_data.get("country") or "").strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(gettext("Use the two-letter country code, e.g. US."))
        return value


class DonorSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Part of a name, e-mail, city or postal code."),
    )


class MergeForm(forms.Form):
    """Which donor to keep and which duplicate goes into it."""

    kept = forms.ModelChoiceField(queryset=Donor.objects.all(), label=_("Keep"))
    duplicate = forms.ModelChoiceField(queryset=Donor.objects.all(), label=_("Merge into it"))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        kept, duplicate = data.get("kept"), data.get("duplicate")
        if kept is not None and duplicate is not None and kept.pk == duplicate.pk:
            raise forms.ValidationError(gettext("Choose two different donors."))
        return data


class GiftFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of past gifts"),
        help_text=_(
            "Columns: date (YYYY-MM-DD), amount, currency, email and/or name, campaign "
            "(slug or name, optional). UTF-8, at most 2 MB."
        ),
    )


class ImportChoiceForm(forms.Form):
    only_good_rows = forms.BooleanField(
        required=False, label=_("Import only the rows without errors")
    )


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2200)
    currency = forms.ChoiceField(label=_("Chart currency"), required=False, choices=())

    def __init__(self, *args: Any, currencies: list[str], reporting: str, **kwargs: Any) -> None:
        """``currencies``: the chart's choices, the reporting currency (every gift) first."""
        super().__init__(*args, **kwargs)
        field = self.fields["currency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (
                code,
                gettext("%(currency)s (all gifts)") % {"currency": code}
                if code == reporting
                else gettext("%(currency)s (gifts in %(currency)s only)") % {"currency": code},
            )
            for code in currencies
        ]


class NewAmountForm(forms.Form):
    """The new instalment of a monthly gift, in the gift's currency. The rules (minimum,
    maximum, not the same) are the service's (``subscriptions.check_new_amount``); the view
    shows its refusals on the field."""

    amount = forms.CharField(
        label=_("New amount"), max_length=40, error_messages={"required": _("Enter an amount.")}
    )

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].help_text = gettext(
            "In %(currency)s, e.g. 25 or 1,000.50. Charged from your next payment."
        ) % {"currency": currency}
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean_amount(self) -> Money:
        try:
            return parse_amount(self.cleaned_data["amount"], self.currency)
        except MoneyError as exc:
            raise forms.ValidationError(exc.messages) from None
