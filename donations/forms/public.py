"""The donation form. It reads what the donor typed into a ``Money``; services hold the rules.

The suggested amounts depend on the currency. Each preset's value names its currency
("USD:25"), so a donor without JavaScript who changes the currency after picking a preset
gets the page back with the new currency's amounts and a clear message, never a gift in a
currency they did not see.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import limits
from donations import options
from donations.models import Donation, TributeType
from donations.money import Money, MoneyError, check_minimum, format_money, parse_amount
from donations.selectors.amounts import suggested_amounts

OTHER = "other"
FREQUENCIES = [("once", _("Once")), ("monthly", _("Monthly"))]


def preset_value(money: Money) -> str:
    """The radio value of a suggested amount: ``"USD:25.00"``."""
    return f"{money.currency}:{money.amount}"


class DonationForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    amount = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect, required=False)
    custom_amount = forms.CharField(
        label=_("Other amount"),
        required=False,
        max_length=30,
        help_text=_("In the currency chosen above, e.g. 25 or 1,000.50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=FREQUENCIES, widget=forms.RadioSelect, initial="once"
    )
    cover_fee = forms.BooleanField(
        label=_("Add the card fee so that all of my gift reaches the work"), required=False
    )
    tribute_type = forms.ChoiceField(
        label=_("Dedicate this gift"),
        choices=TributeType.choices,
        widget=forms.RadioSelect,
        initial=TributeType.NONE,
    )
    tribute_name = forms.CharField(
        label=_("Their name"),
        required=False,
        max_length=200,
        help_text=_("Needed when you dedicate the gift."),
    )
    tribute_notify = forms.CharField(
        label=_("Let their family know (optional)"),
        required=False,
        max_length=limits.ADDRESS,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_(
            "A name and postal address: we will post them a letter saying a gift was made "
            "in this name (never the amount)."
        ),
    )
    anonymous = forms.BooleanField(
        label=_("Give anonymously (we will not name you publicly)"), required=False
    )
    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Your e-mail"),
        max_length=254,
        help_text=_("Your receipt goes here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    # Which shared link brought the donor (its utm_source), carried through the form.
    referral = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: Any, currency: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = options.currencies()
        currency_field = self.fields["currency"]
        assert isinstance(currency_field, forms.ChoiceField)
        currency_field.choices = [(code, code) for code in offered]
        currency_field.error_messages["invalid_choice"] = gettext(
            "We take gifts in %(currencies)s only."
        ) % {"currencies": ", ".join(offered)}
        currency_field.initial = currency if currency in offered else options.default_currency()
        # The presets shown: those of the currency posted, if we take it.
        posted = self.data.get(self.add_prefix("currency")) if self.is_bound else None
        self.currency_shown = posted if posted in offered else currency_field.initial
        self.presets = suggested_amounts(self.currency_shown)
        amount_field = self.fields["amount"]
        assert isinstance(amount_field, forms.ChoiceField)
        amount_field.choices = [
            *((preset_value(money), format_money(money)) for money in self.presets),
            (OTHER, gettext("Other amount")),
        ]
        amount_field.error_messages["invalid_choice"] = gettext(
            "Pick one of the amounts in %(currency)s shown below, or type your own."
        ) % {"currency": self.currency_shown}
        if not options.fee_offered():
            del self.fields["cover_fee"]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        currency = data.get("currency")
        if not currency or "amount" in self.errors:
            return data
        choice = data.get("amount") or ""
        typed = (data.get("custom_amount") or "").strip()
        field = "custom_amount"
        try:
            if choice in ("", OTHER):
                if not typed:
                    message = (
                        gettext("Type the amount you want to give.")
                        if choice == OTHER
                        else gettext("Choose an amount or type your own.")
                    )
                    self.add_error("custom_amount" if choice else "amount", message)
                    return data
                money = parse_amount(typed, currency)
            else:
                if typed:
                    self.add_error(
                        "custom_amount",
                        gettext(
                            "Choose “Other amount” to give the amount you typed, "
                            "or clear it to give the amount you picked."
                        ),
                    )
                    return data
                field = "amount"
                money = Money.of(choice.partition(":")[2], currency)
            check_minimum(money)
        except MoneyError as exc:
            self.add_error(field, exc.messages)
            return data
        data["money"] = money
        if data.get("tribute_type", TributeType.NONE) == TributeType.NONE:
            data["tribute_name"] = ""
            data["tribute_notify"] = ""
        elif not " ".join((data.get("tribute_name") or "").split()):
            self.add_error("tribute_name", gettext("Enter the name of the person you honour."))
        return data

    def amount_text(self) -> str:
        """The amount currently chosen or typed, as the page should read it (may be junk)."""
        choice = self["amount"].value() or ""
        if choice and choice != OTHER:
            return str(choice).partition(":")[2]
        return str(self["custom_amount"].value() or "")


def give_again_url(gift: Donation) -> str:
    """The donation page prefilled with ``gift``'s amount, campaign and currency, once.

    The amount is what the donor chose (the part that covered the card fee taken off, and
    "cover the fee" ticked again if they did). A preset of that currency is picked as its
    button; any other amount goes in "other amount". A campaign that has closed or is not
    public is left out (the general page), and a currency we no longer take too.
    """
    campaign = gift.campaign
    if campaign is not None and campaign.public and campaign.active:
        path = reverse("donations:donate_campaign", kwargs={"slug": campaign.slug})
    else:
        path = reverse("donations:donate")
    params: dict[str, str] = {"frequency": "once"}
    if gift.currency in options.currencies():
        chosen = Money(gift.amount_minor - gift.fee_covered_minor, gift.currency)
        params["currency"] = gift.currency
        if chosen in suggested_amounts(gift.currency):
            params["amount"] = preset_value(chosen)
        else:
            params["amount"] = OTHER
            params["custom_amount"] = str(chosen.amount)
        if gift.fee_covered_minor:
            params["cover_fee"] = "on"
    return f"{path}?{urlencode(params)}"
