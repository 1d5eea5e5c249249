"""What the donation page offers: currencies, suggested amounts and the cover-the-fee estimate.

All of it comes from settings (``DONATION_*``, see ``.env.example``) and is read on each call,
so a test or a reload sees the current values. Amounts are converted by ``donations.money``.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from donations.money import Money, MoneyError, charge_step, check_maximum


def currencies() -> list[str]:
    """The currencies donors may choose, in the configured order."""
    return list(settings.DONATION_CURRENCIES)


def default_currency() -> str:
    return str(settings.DONATION_DEFAULT_CURRENCY)


def preferred_currency(*, language: str | None, campaign_currency: str = "") -> str:
    """The currency the donate page starts in: the campaign's (its goal's) if we take it,
    else the one ``DONATION_LANGUAGE_CURRENCIES`` gives the visitor's language ("vi" or
    "vi-VN" -> VND), else the default. The donor can still change it."""
    offered = currencies()
    if campaign_currency in offered:
        return campaign_currency
    mapping: dict[str, str] = settings.DONATION_LANGUAGE_CURRENCIES
    code = (language or "").lower()
    for candidate in (code, code.split("-")[0]):
        found = mapping.get(candidate, "")
        if found in offered:
            return found
    return default_currency()


_NOT_CODE = re.compile(r"[^a-z0-9._-]+")
REFERRAL_MAX = 40


def referral_code(text: str) -> str:
    """A shared link's source as a gift stores it: lower-case letters, digits, ".", "_" and
    "-" only, at most 40 characters ("Newsletter June" -> "newsletter-june"); "" for none."""
    return _NOT_CODE.sub("-", text.strip().lower()).strip("-")[:REFERRAL_MAX].strip("-")


def preset_amounts(currency: str) -> list[Money]:
    """The suggested amounts for ``currency`` (none for a currency without presets)."""
    try:
        return [
            Money.of(text, currency) for text in settings.DONATION_PRESET_AMOUNTS.get(currency, [])
        ]
    except MoneyError as exc:
        raise ImproperlyConfigured(
            f"DONATION_PRESET_AMOUNTS for {currency}: {'; '.join(exc.messages)}"
        ) from exc


def fee_percent() -> Decimal:
    """The percentage part of the fee estimate, from ``DONATION_FEE_PERCENT``."""
    try:
        value = Decimal(str(settings.DONATION_FEE_PERCENT))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not Decimal(0) <= value < Decimal(50):
        raise ImproperlyConfigured("DONATION_FEE_PERCENT must be a number from 0 to 49.99")
    return value


def fee_fixed(currency: str) -> Money:
    """The fixed part of the fee estimate in ``currency`` (zero when none is configured)."""
    text = settings.DONATION_FEE_FIXED.get(currency, "0")
    try:
        return Money.of(text, currency)
    except MoneyError as exc:
        raise ImproperlyConfigured(
            f"DONATION_FEE_FIXED for {currency}: {'; '.join(exc.messages)}"
        ) from exc


def cover_fee_amount(gift: Money) -> Money:
    """What a donor adds to ``gift`` so that the gift reaches us after the card fee.

    The one place the fee is computed: the page shows it before paying, and ``start_gift``
    adds it to the amount charged and stores it as ``fee_covered_minor``. Stripe takes a
    percent of the total charged plus a fixed amount, so the total is grossed up:
    ``total = (gift + fixed) / (1 - percent / 100)``, rounded up to a chargeable amount
    (whole units for JPY and VND, a multiple of 10 for KWD). USD 25.00 at 2.9% + 0.30 gives
    a fee of USD 1.06 (total 26.06; 2.9% of it is 0.7557, plus 0.30 is 1.0557).
    """
    percent = fee_percent()
    fixed = fee_fixed(gift.currency).minor
    if percent == 0 and fixed == 0:
        return Money(0, gift.currency)
    total = (Decimal(gift.minor + fixed) * 100 / (100 - percent)).to_integral_value(
        rounding=ROUND_CEILING
    )
    step = charge_step(gift.currency)
    total_minor = -(-int(total) // step) * step
    return Money(total_minor - gift.minor, gift.currency)


def fee_offered() -> bool:
    """Whether the page offers to cover the fee at all (some estimate is configured)."""
    return fee_percent() > 0 or any(
        fee_fixed(code).minor > 0 for code in currencies() if code in settings.DONATION_FEE_FIXED
    )


def total_with_fee(gift: Money, *, cover_fee: bool) -> tuple[Money, Money]:
    """(amount to charge, the part of it covering the fee); refuses a total over the maximum."""
    fee = cover_fee_amount(gift) if cover_fee else Money(0, gift.currency)
    total = Money(gift.minor + fee.minor, gift.currency)
    check_maximum(total)
    return total, fee
