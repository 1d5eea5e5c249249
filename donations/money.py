"""Money: amounts as integer minor units + ISO 4217 code, as Stripe counts them.

This is the one place in the project that knows how many decimals a currency has. Everything
else stores and passes ``Money`` (or ``minor`` + ``currency``) and calls the functions here to
convert to and from decimal amounts, to read what a person typed, to check Stripe's limits
and to show an amount to a person.

Decimals follow Stripe's API, not ISO 4217 (https://docs.stripe.com/currencies):

* zero-decimal (``ZERO_DECIMAL``): the amount is the number of whole units (JPY 3000 -> 3000);
* three-decimal (``THREE_DECIMAL``): thousandths, and Stripe requires the last digit to be 0,
  so KWD 10.250 -> 10250 is allowed and KWD 10.255 is refused;
* every other currency has two decimals (USD 25.00 -> 2500).

Special cases (Stripe's "special cases" table):

* ISK has been charged in whole krónur only since 14 April 2023, but stays two-decimal in
  the API: ISK 5 -> 500, and the minor amount must be a multiple of 100.
* HUF and TWD are two-decimal in the API; Stripe accepts fractional charges but pays them out
  only in whole units, and nobody gives 0.50 forint. We take whole units only for both, as
  for ISK.

``charge_step`` gives that granularity in minor units (1, 10 or 100).

Minimums (``STRIPE_MINIMUM_MINOR``): Stripe's documented minimum charge per currency for the
currencies in its table, plus our own floors for PHP, VND and KWD, which Stripe leaves at
"must convert to at least the minimum of your settlement currency" (about USD 0.50); those
floors are set above USD 0.50 at today's rates. A currency with no entry is not taken at all
(``check_minimum`` refuses it): guessing a minimum for a currency nobody has looked at either
refuses real gifts or sends charges Stripe rejects. Stripe checks the minimum after
converting to the account's settlement currency, so a charge at the presentment minimum in a
foreign currency (e.g. GBP 0.30 into a USD account) can still be refused by Stripe.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from types import MappingProxyType
from typing import Final

from babel.numbers import format_currency, get_currency_symbol, is_currency
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from core.locales import format_locale

ZERO_DECIMAL: Final = frozenset(
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
        "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    }
)  # fmt: skip
THREE_DECIMAL: Final = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
WHOLE_UNITS_ONLY: Final = frozenset({"HUF", "ISK", "TWD"})

# Stripe's amount field takes at most eight digits (USD 999,999.99).
MAX_MINOR: Final = 99_999_999
# The most any Stripe amount holds in any currency (twelve digits, for the few currencies
# with a higher limit): an event's amount above it is not a payment, and never fits a ledger
# whose sums must stay within a 64-bit integer.
LARGEST_STRIPE_MINOR: Final = 999_999_999_999

# Smallest charge per currency, in minor units.
STRIPE_MINIMUM_MINOR: Final[Mapping[str, int]] = MappingProxyType(
    {
        # Stripe's table, "Minimum and maximum charge amounts".
        "USD": 50,
        "AED": 200,
        "AUD": 50,
        "BGN": 100,
        "BRL": 50,
        "CAD": 50,
        "CHF": 50,
        "CZK": 1500,
        "DKK": 250,
        "EUR": 50,
        "GBP": 30,
        "HKD": 400,
        "HUF": 17500,
        "INR": 50,
        "JPY": 50,
        "MXN": 1000,
        "MYR": 200,
        "NOK": 300,
        "NZD": 50,
        "PLN": 200,
        "RON": 200,
        "SEK": 300,
        "SGD": 50,
        "THB": 1000,
        # Not in Stripe's table: our floors, each a little above USD 0.50.
        "PHP": 3000,  # PHP 30.00
        "VND": 15000,  # VND 15,000
        "KWD": 200,  # KWD 0.200
    }
)
# Currencies we can take gifts in: those with a known minimum.
SUPPORTED_CURRENCIES: Final = frozenset(STRIPE_MINIMUM_MINOR)

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# Digits, optionally grouped in threes by commas, optionally a point and decimals.
_AMOUNT = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<fraction>[0-9]+))?")


class MoneyError(ValidationError, ValueError):
    """A bad amount or currency: a ``ValidationError`` for forms, a ``ValueError`` elsewhere."""


@functools.lru_cache(maxsize=512)
def _known_currency(code: str) -> bool:
    """Whether CLDR knows ``code`` (Babel builds its list of currencies on every call)."""
    return bool(_CURRENCY_CODE.fullmatch(code)) and is_currency(code)


def normalize_currency(currency: str) -> str:
    """Return the upper-case ISO 4217 code (Stripe sends ``"usd"``); refuse unknown codes."""
    code = currency.strip().upper()
    if not _known_currency(code):
        raise MoneyError(
            gettext("%(currency)s is not a currency code we know (ISO 4217, e.g. USD)."),
            code="unknown_currency",
            params={"currency": currency},
        )
    return code


def decimals(currency: str) -> int:
    """Decimals of ``currency`` in Stripe's API: 0, 2 or 3."""
    code = normalize_currency(currency)
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def charge_step(currency: str) -> int:
    """The granularity of a chargeable amount, in minor units: 1, 10 (three-decimal) or 100."""
    code = normalize_currency(currency)
    if code in THREE_DECIMAL:
        return 10
    if code in WHOLE_UNITS_ONLY:
        return 100
    return 1


@dataclass(frozen=True, slots=True)
class Money:
    """An amount: integer minor units (as Stripe counts them) and an upper-case ISO code."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.minor) is not int:
            raise TypeError(f"Money.minor must be an int, not {type(self.minor).__name__}")
        object.__setattr__(self, "currency", normalize_currency(self.currency))

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: str) -> Money:
        """``Money.of("25.00", "USD") == Money(2500, "USD")``; see ``to_minor``."""
        return cls(to_minor(amount, currency), currency)

    @property
    def amount(self) -> Decimal:
        """The decimal amount, with the currency's decimals: ``Decimal("25.00")``."""
        return from_minor(self.minor, self.currency)

    @property
    def stripe_currency(self) -> str:
        """The code as Stripe's API wants it, lower case."""
        return self.currency.lower()

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def _decimals_message(currency: str) -> str:
    if currency in ZERO_DECIMAL:
        return gettext("%(currency)s amounts are whole numbers, with no decimals, e.g. 3000.")
    if currency in THREE_DECIMAL:
        return gettext(
            "%(currency)s amounts need at most 3 decimals and must end in 0, e.g. 10.250."
        )
    if currency in WHOLE_UNITS_ONLY:
        return gettext("%(currency)s amounts must be whole numbers, with no decimals, e.g. 500.")
    return gettext("%(currency)s amounts need at most 2 decimals, e.g. 25.50.")


def _decimals_error(currency: str) -> MoneyError:
    return MoneyError(
        _decimals_message(currency), code="too_many_decimals", params={"currency": currency}
    )


def to_minor(amount: Decimal | str | int, currency: str) -> int:
    """Exact minor units of ``amount``: ``to_minor("25.00", "USD") == 2500``.

    Refuses (``MoneyError``) an amount with more decimals than the currency has, or one that
    Stripe cannot charge (KWD 10.255, ISK 5.50). Trailing zeros are fine: ``"25.000"`` is
    USD 25.00 (``parse_amount`` is stricter about what people type). Floats are refused.
    """
    code = normalize_currency(currency)
    if isinstance(amount, float):
        raise TypeError("Money amounts are never floats: pass a Decimal or a str")
    try:
        value = Decimal(amount.strip()) if isinstance(amount, str) else Decimal(amount)
    except InvalidOperation:
        raise MoneyError(gettext("Enter an amount as a number, e.g. 25."), code="invalid") from None
    if not value.is_finite():
        raise MoneyError(gettext("Enter an amount as a number, e.g. 25."), code="invalid")
    places = decimals(code)
    with localcontext() as ctx:
        # Exact: enough digits for any finite value, and an error rather than rounding.
        ctx.prec = len(value.as_tuple().digits) + places + 2
        ctx.traps[Inexact] = True
        scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise _decimals_error(code)
    minor = int(scaled)
    if minor % charge_step(code):
        raise _decimals_error(code)
    return minor


def from_minor(minor: int, currency: str) -> Decimal:
    """Exact decimal amount of ``minor`` units: ``from_minor(2500, "USD") == Decimal("25.00")``.

    The result carries the currency's decimals (``Decimal("10.000")`` for KWD 10000).
    """
    if type(minor) is not int:
        raise TypeError(f"minor units must be an int, not {type(minor).__name__}")
    places = decimals(currency)
    with localcontext() as ctx:
        ctx.prec = len(str(abs(minor))) + places + 2
        ctx.traps[Inexact] = True
        return Decimal(minor).scaleb(-places)


def parse_amount(text: str, currency: str) -> Money:
    """Read an amount a person typed, for a gift: ``parse_amount("1,000.50", "USD")``.

    Accepted: digits, optionally grouped in threes with commas, optionally a point and at most
    as many decimals as the currency has ("25", "25.00", "1,000.50", "500000"); surrounding
    spaces are ignored. Refused with a ``ValidationError`` (a ``MoneyError``) saying what to
    fix: empty, negative, zero, not a number, a decimal comma ("25,50"), too many decimals
    (written decimals count: "25.000" is refused for USD, so a "1.000" meaning a thousand
    never becomes one), an amount Stripe cannot charge (KWD 10.255, ISK 5.50), or one over
    Stripe's eight-digit maximum. The minimum is checked separately by ``check_minimum``.
    """
    code = normalize_currency(currency)
    cleaned = text.strip()
    if not cleaned:
        raise MoneyError(gettext("Enter an amount."), code="required")
    if cleaned.startswith("-"):
        raise MoneyError(gettext("Enter an amount more than zero."), code="negative")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise MoneyError(
            gettext(
                "Enter the amount in digits, with a point before any decimals, "
                "e.g. 25, 25.50 or 1,000."
            ),
            code="invalid",
        )
    fraction = match["fraction"] or ""
    if len(fraction) > decimals(code):
        raise _decimals_error(code)
    whole = match["whole"].replace(",", "")
    money = Money(to_minor(f"{whole}.{fraction}" if fraction else whole, code), code)
    if money.minor == 0:
        raise MoneyError(gettext("Enter an amount more than zero."), code="zero")
    check_maximum(money)
    return money


def check_maximum(money: Money, locale: str | None = None) -> None:
    """Refuse an amount over Stripe's maximum (eight digits of minor units)."""
    if money.minor > MAX_MINOR:
        # The largest chargeable amount: eight digits, rounded down to the charge step.
        largest = Money(MAX_MINOR - MAX_MINOR % charge_step(money.currency), money.currency)
        raise MoneyError(
            gettext("The largest gift we can take online in %(currency)s is %(maximum)s."),
            code="above_maximum",
            params={"currency": money.currency, "maximum": format_money(largest, locale)},
        )


def stripe_minimum(currency: str) -> Money | None:
    """Stripe's smallest charge in ``currency``, or ``None`` if we do not take it."""
    code = normalize_currency(currency)
    minor = STRIPE_MINIMUM_MINOR.get(code)
    return None if minor is None else Money(minor, code)


def check_minimum(money: Money, locale: str | None = None) -> None:
    """Refuse a gift below Stripe's minimum, or in a currency without a known minimum.

    The message shows the minimum for people in ``locale`` (default: the active language):
    "The smallest gift Stripe can take in JPY is ¥50."
    """
    minimum = stripe_minimum(money.currency)
    if minimum is None:
        raise MoneyError(
            gettext("We cannot take gifts in %(currency)s."),
            code="unsupported_currency",
            params={"currency": money.currency},
        )
    if money.minor < minimum.minor:
        raise MoneyError(
            gettext("The smallest gift Stripe can take in %(currency)s is %(minimum)s."),
            code="below_minimum",
            params={"currency": money.currency, "minimum": format_money(minimum, locale)},
        )


def format_money(money: Money, locale: str | None = None) -> str:
    """``money`` for people in ``locale`` (Django "pt-br" or Babel "pt_BR" style; default:
    the active language), by Babel/CLDR in the conventions its readers use
    (``core.locales.format_locale``): "$25.00" (en), "25,00 €" (fr), "500.000 ₫" (vi),
    "USD 25.00" (es: Latin America's, es_419).

    Babel's CLDR digits decide how many decimals are shown ("¥3,000", "ISK 500"), but a
    non-zero digit is never rounded away.
    """
    babel = format_locale(locale)
    text = format_currency(money.amount, money.currency, locale=babel, decimal_quantization=False)
    return _currency_spacing(text, get_currency_symbol(money.currency, locale=babel))


def _currency_spacing(text: str, symbol: str) -> str:
    """CLDR's currency spacing, which Babel leaves out: a symbol that ends (or starts) with a
    letter, e.g. a code, is kept from the digits by a no-break space ("USD 25.00", "25.00 USD";
    "$25.00" and "25,00 €" stay as they are)."""
    if not symbol:
        return text
    if not _is_symbol(symbol[-1]):
        text = re.sub(f"({re.escape(symbol)})(?=[0-9])", "\\1\u00a0", text)
    if not _is_symbol(symbol[0]):
        text = re.sub(f"(?<=[0-9])({re.escape(symbol)})", "\u00a0\\1", text)
    return text


def _is_symbol(character: str) -> bool:
    """CLDR's currencyMatch: a symbol (Unicode S*) or a space is never spaced from digits."""
    return unicodedata.category(character)[0] in "SZ"
