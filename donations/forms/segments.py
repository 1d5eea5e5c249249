"""Forms of the donor list's filters, tags and segments, and of a suggested amount's impact
text. They parse and explain bad input; donations.selectors.segments reads the filter and
donations.services.segments saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, NameChoiceField
from core.forms.translations import add_translation_fields, cleaned_translations
from donations import options
from donations.models import Campaign, DonorTag, ImpactLine
from donations.models.segments import (
    IMPACT_TEXT_MAX,
    SEGMENT_NAME_MAX,
    SEGMENT_QUERY_MAX,
    TAG_MAX,
)
from donations.money import Money, MoneyError, check_maximum, check_minimum, parse_amount


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class DonorFilterForm(forms.Form):
    """The donor list's filters (the names are the address query's keys, SEGMENT_KEYS)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Part of a name, e-mail, city or postal code."),
    )
    tag = NameChoiceField(label=_("Tag"), queryset=DonorTag.objects.none(), required=False)
    campaign = NameChoiceField(
        label=_("Gave to campaign"), queryset=Campaign.objects.none(), required=False
    )
    total_min = forms.CharField(
        label=_("Lifetime giving at least"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    last_after = BoundedDateField(
        label=_("Last gift on or after"), required=False, widget=DateInput()
    )
    last_before = BoundedDateField(label=_("Last gift before"), required=False, widget=DateInput())
    lapsed = forms.BooleanField(label=_("Gave last year, not yet this year"), required=False)
    monthly = forms.BooleanField(label=_("Gives monthly"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = DonorTag.objects.order_by("name", "pk")  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.order_by("name", "pk")  # type: ignore[attr-defined]
        self.fields["total_min"].help_text = gettext(
            "In %(currency)s, gifts less refunds, e.g. 500."
        ) % {"currency": settings.REPORTING_CURRENCY}

    def clean_total_min(self) -> str:
        text = str(self.cleaned_data.get("total_min") or "").strip()
        if text:
            try:
                parse_amount(text, settings.REPORTING_CURRENCY)
            except MoneyError as exc:
                raise forms.ValidationError(exc.messages) from None
        return text


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Save this filter as a segment"), max_length=SEGMENT_NAME_MAX)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=SEGMENT_QUERY_MAX)


class TagForm(forms.Form):
    """One tag for one donor (the donor record) or for the donors ticked on the list."""

    tag = forms.CharField(
        label=_("Tag"),
        max_length=TAG_MAX,
        widget=forms.TextInput(attrs={"list": "tag-names", "autocomplete": "off"}),
    )
    donors = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    remove = forms.BooleanField(required=False)
    next = forms.CharField(required=False, max_length=SEGMENT_QUERY_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service ignores ids that are not donors.
        donors = self.fields["donors"]
        assert isinstance(donors, forms.TypedMultipleChoiceField)
        donors.valid_value = lambda value: str(value).isdigit() and len(str(value)) < 12  # type: ignore[method-assign]


class ImpactLineForm(forms.Form):
    """What one suggested amount does; the amount is in the currency chosen beside it."""

    TRANSLATED = ("text",)

    currency = forms.ChoiceField(label=_("Currency"))
    amount = forms.CharField(
        label=_("Amount"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("One of the suggested amounts, e.g. 50."),
    )
    text = forms.CharField(
        label=_("What it does"),
        max_length=IMPACT_TEXT_MAX,
        help_text=_("Shown as the donor picks the amount, e.g. trains one hotline volunteer."),
    )

    def __init__(self, *args: Any, line: ImpactLine | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [(code, code) for code in options.currencies()]
        currency.initial = options.default_currency()
        add_translation_fields(self, self.TRANSLATED, line.translations if line else None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        currency, text = data.get("currency"), str(data.get("amount") or "")
        if currency and text:
            try:
                money = parse_amount(text, currency)
                check_minimum(money)
            except MoneyError as exc:
                self.add_error("amount", exc.messages)
            else:
                data["money"] = money
        return data

    def money(self) -> Money:
        money: Money = self.cleaned_data["money"]
        return money

    def translations(self) -> dict[str, dict[str, str]]:
        return cleaned_translations(self, self.TRANSLATED)


AMOUNTS_MAX = 6


class SuggestedAmountsForm(forms.Form):
    """The donate page's suggested amounts in one currency, typed as "25 / 50 / 100"."""

    currency = forms.ChoiceField(label=_("Currency"))
    amounts = forms.CharField(
        label=_("Suggested amounts"),
        required=False,
        max_length=200,
        help_text=_(
            "Separated by slashes, e.g. 25 / 50 / 100. Leave empty to go back to the default."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [(code, code) for code in options.currencies()]
        currency.initial = options.default_currency()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        currency, text = data.get("currency"), str(data.get("amounts") or "")
        if not currency:
            return data
        parts = [part.strip() for part in text.split("/") if part.strip()]
        if len(parts) > AMOUNTS_MAX:
            self.add_error(
                "amounts",
                ngettext(
                    "At most %(count)d amount, please.",
                    "At most %(count)d amounts, please.",
                    AMOUNTS_MAX,
                )
                % {"count": AMOUNTS_MAX},
            )
            return data
        found: list[Money] = []
        for part in parts:
            try:
                money = parse_amount(part, currency)
                check_minimum(money)
                check_maximum(money)
            except MoneyError as exc:
                self.add_error("amounts", exc.messages)
                return data
            found.append(money)
        data["money"] = found
        return data

    def money(self) -> list[Money]:
        found: list[Money] = self.cleaned_data["money"]
        return found
