"""The donate page's suggested amounts in one currency, and what they do (impact text).

Where the amounts come from, first found wins: what staff set for the currency (the general
donate page's staff screen); the settings' per-currency table (``DONATION_PRESET_AMOUNTS``);
else a default derived from the reporting currency's amounts at the last exchange rate Stripe
applied to a gift in that currency, rounded to "nice" numbers (10, 20, 25, 50, ...). A
currency with none of these gets no suggestions (the donor types an amount).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Final

from django.conf import settings

from donations import options
from donations.models import BalanceTransaction, SuggestedAmounts
from donations.money import Money, MoneyError, charge_step, check_minimum, from_minor, to_minor

# The leading figures a derived amount may have, times a power of ten.
NICE: Final = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(3), Decimal(5), Decimal(10))


def configured(currency: str) -> list[Money] | None:
    """What staff set for ``currency`` (None: nothing set; one query)."""
    row = SuggestedAmounts.objects.filter(currency=currency).first()
    if row is None or not row.amounts_minor:
        return None
    return [Money(int(minor), currency) for minor in row.amounts_minor]


def nice(value: Decimal) -> Decimal:
    """``value`` rounded to the nearest (on a log scale) 1, 2, 2.5, 3 or 5 times a power of
    ten: 7.69 -> 10, 15.4 -> 20, 30.8 -> 30, 615 -> 500."""
    if value <= 0:
        return Decimal(0)
    power = Decimal(10) ** math.floor(math.log10(value))
    return min(
        (figure * power for figure in NICE),
        key=lambda candidate: abs(math.log(candidate / value)),
    )


def last_rate(currency: str, base: str) -> Decimal | None:
    """The last rate Stripe applied from ``currency`` to ``base`` (a gift in ``currency``
    settled into a ``base`` account); None when no such gift is stored (one query)."""
    rate = (
        BalanceTransaction.objects.filter(
            donation__currency=currency, currency=base, exchange_rate__isnull=False
        )
        .order_by("-stripe_created", "-pk")
        .values_list("exchange_rate", flat=True)
        .first()
    )
    return rate if rate is not None and rate > 0 else None


def derived(currency: str) -> list[Money]:
    """The reporting currency's suggested amounts in ``currency`` at the last stored rate,
    rounded to nice figures the card can take; [] without a rate."""
    base = settings.REPORTING_CURRENCY
    base_amounts = options.preset_amounts(base)
    rate = last_rate(currency, base) if base_amounts and base != currency else None
    if rate is None:
        return []
    found: list[Money] = []
    step = charge_step(currency)
    for amount in base_amounts:
        try:
            minor = to_minor(nice(from_minor(amount.minor, base) / rate), currency)
            money = Money(-(-minor // step) * step, currency)
            check_minimum(money)
        except MoneyError:
            continue
        if money not in found:
            found.append(money)
    return sorted(found, key=lambda money: money.minor)


def suggested_amounts(currency: str) -> list[Money]:
    """The suggested amounts of the donate page in ``currency`` (see the module's doc)."""
    return configured(currency) or options.preset_amounts(currency) or derived(currency)
