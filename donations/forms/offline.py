"""Forms for offline gifts, deposits, receipts and statement runs (coordinators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import org_today
from core.forms import BoundedDateField
from donations import options
from donations.forms.coordinator import DateInput
from donations.models import (
    OFFLINE_SOURCES,
    Campaign,
    DonationSource,
    Donor,
    ReceiptStatus,
)
from donations.money import Money, MoneyError, normalize_currency, parse_amount
from donations.services.offline import BANKED_SOURCES, NewDonor


def _currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in options.currencies()]


def _campaign_field() -> forms.ModelChoiceField[Campaign]:
    return forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("name", "pk"),
        required=False,
        empty_label=_("General fund"),
    )


class ChosenElsewhere(forms.HiddenInput):
    """Renders nothing: the donor radios come from the search results beside the form
    (``_donor_choices.html``, attached with ``form="gift-form"``)."""

    def render(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        return ""


class DonorChoiceMixin(forms.Form):
    """An existing donor (picked from a search) or a new one typed in."""

    donor = forms.ModelChoiceField(
        queryset=Donor.objects.all(),
        required=False,
        widget=ChosenElsewhere,
        error_messages={"invalid_choice": _("That donor no longer exists; search again.")},
    )
    new_name = forms.CharField(label=_("New donor's name"), max_length=200, required=False)
    new_email = forms.EmailField(label=_("New donor's e-mail"), required=False)

    def clean_donor_choice(self, data: dict[str, Any]) -> None:
        donor, name = data.get("donor"), (data.get("new_name") or "").strip()
        if donor is not None and name:
            self.add_error("new_name", gettext("Choose a donor or type a new one, not both."))
        elif donor is None and not name:
            self.add_error(
                "new_name", gettext("Choose a donor from the search, or type a new donor's name.")
            )
        email = (data.get("new_email") or "").strip().lower()
        if donor is None and email and Donor.objects.filter(email=email).exists():
            self.add_error(
                "new_email",
                gettext(
                    "A donor with this e-mail exists already: search for them and choose them."
                ),
            )

    def new_donor(self) -> NewDonor | None:
        data = self.cleaned_data
        if data.get("donor") is not None:
            return None
        return NewDonor(
            name=data["new_name"].strip(),
            email=(data.get("new_email") or "").strip().lower(),
            address_line1=data.get("address_line1", ""),
            city=data.get("city", ""),
            postal_code=data.get("postal_code", ""),
            country=(data.get("country") or "").strip().upper(),
        )


class OfflineGiftForm(DonorChoiceMixin):
    address_line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.RegexField(
        label=_("Country"),
        regex=r"^[A-Za-z]{2}$",
        required=False,
        help_text=_("Two letters, e.g. US."),
        error_messages={"invalid": _("Enter a two-letter country code, e.g. US.")},
    )
    source = forms.ChoiceField(
        label=_("How it came"),
        choices=[(s, DonationSource(s).label) for s in OFFLINE_SOURCES],
    )
    amount = forms.CharField(
        label=_("Amount"), max_length=30, help_text=_("For a gift in kind: its fair value.")
    )
    currency = forms.ChoiceField(label=_("Currency"))
    received_on = BoundedDateField(label=_("Received on"), widget=DateInput())
    received_amount = forms.CharField(
        label=_("Amount received in the reporting currency"),
        max_length=30,
        required=False,
        help_text=_(
            "Only for a gift in another currency: what it brought once changed, so reports "
            "can total it."
        ),
    )
    campaign = _campaign_field()
    cheque_number = forms.CharField(label=_("Cheque number"), max_length=40, required=False)
    cheque_bank = forms.CharField(label=_("Bank"), max_length=100, required=False)
    in_kind_description = forms.CharField(
        label=_("What was given (in kind)"), max_length=500, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = _currency_choices()
        currency.initial = options.default_currency()
        self.fields["received_on"].initial = org_today()
        self.fields["received_amount"].label = gettext("Amount received in %(currency)s") % {
            "currency": settings.REPORTING_CURRENCY
        }

    def clean_received_on(self) -> Any:
        value = self.cleaned_data["received_on"]
        if value > org_today():
            raise forms.ValidationError(gettext("The date received cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        self.clean_donor_choice(data)
        currency = data.get("currency")
        if currency and data.get("amount"):
            try:
                data["money"] = parse_amount(data["amount"], currency)
            except MoneyError as exc:
                self.add_error("amount", exc.messages[0])
        data["received"] = None
        received = (data.get("received_amount") or "").strip()
        if received and currency == settings.REPORTING_CURRENCY:
            self.add_error(
                "received_amount",
                gettext("Leave this empty for a gift in %(currency)s.")
                % {"currency": settings.REPORTING_CURRENCY},
            )
        elif received:
            try:
                data["received"] = parse_amount(received, settings.REPORTING_CURRENCY)
            except MoneyError as exc:
                self.add_error("received_amount", exc.messages[0])
        source = data.get("source")
        if source == DonationSource.CHEQUE and not (data.get("cheque_number") or "").strip():
            self.add_error("cheque_number", gettext("Enter the cheque's number."))
        if source == DonationSource.IN_KIND and not (data.get("in_kind_description") or "").strip():
            self.add_error("in_kind_description", gettext("Describe what was given."))
        return data


class DepositForm(forms.Form):
    deposited_on = BoundedDateField(label=_("Deposited on"), widget=DateInput())
    reference = forms.CharField(label=_("Slip number"), max_length=100, required=False)
    currency = forms.ChoiceField(label=_("Currency"))
    expected_total = forms.CharField(label=_("Total on the slip"), max_length=30)
    expected_count = forms.IntegerField(label=_("Number of gifts"), min_value=1, max_value=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = _currency_choices()
        currency.initial = options.default_currency()
        self.fields["deposited_on"].initial = org_today()

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("currency") and data.get("expected_total"):
            try:
                data["money"] = parse_amount(data["expected_total"], data["currency"])
            except MoneyError as exc:
                self.add_error("expected_total", exc.messages[0])
        return data


class DepositLineForm(DonorChoiceMixin):
    source = forms.ChoiceField(
        label=_("How it came"),
        choices=[(s, DonationSource(s).label) for s in BANKED_SOURCES],
        initial=DonationSource.CHEQUE,
    )
    amount = forms.CharField(label=_("Amount"), max_length=30)
    campaign = _campaign_field()
    cheque_number = forms.CharField(label=_("Cheque number"), max_length=40, required=False)
    cheque_bank = forms.CharField(label=_("Bank"), max_length=100, required=False)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = normalize_currency(currency)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        self.clean_donor_choice(data)
        if data.get("amount"):
            try:
                money: Money = parse_amount(data["amount"], self.currency)
                data["money"] = money
            except MoneyError as exc:
                self.add_error("amount", exc.messages[0])
        if (
            data.get("source") == DonationSource.CHEQUE
            and not (data.get("cheque_number") or "").strip()
        ):
            self.add_error("cheque_number", gettext("Enter the cheque's number."))
        return data


class ReceiptFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A receipt number (e.g. R2026-000042) or part of the donor's name."),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=9999)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ReceiptStatus.choices]
    )


class StatementRunForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=9999)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = org_today().year - 1

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year > org_today().year:
            raise forms.ValidationError(gettext("Choose this year or an earlier one."))
        return year
