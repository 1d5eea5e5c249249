"""What the donor portal offers from a donor's own history: "give again"."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse

from donations import options
from donations.forms.public import OTHER, preset_value
from donations.models import Donation
from donations.money import Money
from donations.selectors.gifts import COUNTED_STATUSES


def last_gift(gifts: Iterable[Donation]) -> Donation | None:
    """The newest gift that counted (paid, not refunded in full), from the portal's list
    (newest first, already loaded: no query)."""
    for gift in gifts:
        if gift.status in COUNTED_STATUSES and gift.paid_at is not None and gift.net_minor > 0:
            return gift
    return None


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
        if chosen in options.preset_amounts(gift.currency):
            params["amount"] = preset_value(chosen)
        else:
            params["amount"] = OTHER
            params["custom_amount"] = str(chosen.amount)
        if gift.fee_covered_minor:
            params["cover_fee"] = "on"
    return f"{path}?{urlencode(params)}"
