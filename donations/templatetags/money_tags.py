"""Amounts for people: ``{{ donation.money|money }}`` or ``{% money_of minor currency %}``."""

from __future__ import annotations

from django import template

from donations.money import Money, MoneyError, format_money

register = template.Library()


@register.filter
def money(value: Money | None) -> str:
    """``Money(2500, "USD")`` -> "$25.00" in the active language; "" for None."""
    if value is None:
        return ""
    return format_money(value)


@register.simple_tag
def money_of(minor: int, currency: str) -> str:
    """Minor units and a code, formatted; the raw numbers if the code is unknown."""
    try:
        return format_money(Money(int(minor), currency))
    except (MoneyError, TypeError, ValueError):
        return f"{minor} {currency}"
