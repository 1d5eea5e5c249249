"""donations.money: conversions to Stripe's minor units, input, minimums and formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from donations.money import (
    MAX_MINOR,
    STRIPE_MINIMUM_MINOR,
    SUPPORTED_CURRENCIES,
    THREE_DECIMAL,
    WHOLE_UNITS_ONLY,
    ZERO_DECIMAL,
    Money,
    MoneyError,
    charge_step,
    check_maximum,
    check_minimum,
    decimals,
    format_money,
    from_minor,
    parse_amount,
    stripe_minimum,
    to_minor,
)

NBSP = "\xa0"
ALL_KNOWN = sorted(ZERO_DECIMAL | THREE_DECIMAL | WHOLE_UNITS_ONLY | SUPPORTED_CURRENCIES)


def messages(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return exc.value.messages


# --- the issue's figures ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("25.00", "USD", 2500),
        ("3000", "JPY", 3000),
        ("500000", "VND", 500000),
        ("10.000", "KWD", 10000),
    ],
)
def test_issue_figures(amount: str, currency: str, minor: int) -> None:
    assert to_minor(amount, currency) == minor
    assert to_minor(Decimal(amount), currency) == minor
    assert from_minor(minor, currency) == Decimal(amount)
    assert str(from_minor(minor, currency)) == amount
    assert Money.of(amount, currency) == Money(minor, currency)
    assert parse_amount(amount, currency) == Money(minor, currency)


def test_decimals_per_currency() -> None:
    assert [decimals(c) for c in ("USD", "EUR", "JPY", "VND", "KRW", "KWD", "BHD", "TND")] == [
        2,
        2,
        0,
        0,
        0,
        3,
        3,
        3,
    ]
    assert [decimals(c) for c in ("ISK", "HUF", "TWD", "UGX")] == [2, 2, 2, 0]
    assert [charge_step(c) for c in ("USD", "JPY", "KWD", "ISK", "HUF", "TWD")] == [
        1,
        1,
        10,
        100,
        100,
        100,
    ]
    assert len(ZERO_DECIMAL) == 16
    assert sorted(THREE_DECIMAL) == ["BHD", "JOD", "KWD", "OMR", "TND"]


# --- Money -----------------------------------------------------------------------------


def test_money_normalises_currency_and_is_frozen() -> None:
    money = Money(2500, "usd")
    assert money == Money(2500, "USD")
    assert money.currency == "USD"
    assert money.stripe_currency == "usd"
    assert money.amount == Decimal("25.00")
    assert str(money) == "25.00 USD"
    with pytest.raises(AttributeError):
        money.minor = 1  # type: ignore[misc]


def test_money_refuses_floats_and_unknown_currencies() -> None:
    with pytest.raises(TypeError):
        Money(25.0, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_minor(25.0, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_minor(Decimal(2500), "USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="XYZ is not a currency code we know"):
        Money(100, "XYZ")
    with pytest.raises(ValidationError) as exc:
        Money(100, "dollars")
    assert exc.value.code == "unknown_currency"


# --- decimals and Stripe's last-digit rule ---------------------------------------------


@pytest.mark.parametrize("currency", sorted(THREE_DECIMAL))
def test_three_decimal_last_digit_must_be_zero(currency: str) -> None:
    assert to_minor("10.250", currency) == 10250
    assert to_minor("10.25", currency) == 10250
    with pytest.raises(MoneyError) as exc:
        to_minor("10.255", currency)
    assert messages(exc) == [
        f"{currency} amounts need at most 3 decimals and must end in 0, e.g. 10.250."
    ]
    assert exc.value.code == "too_many_decimals"


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("25.005", "USD", "USD amounts need at most 2 decimals, e.g. 25.50."),
        ("3000.5", "JPY", "JPY amounts are whole numbers, with no decimals, e.g. 3000."),
        ("500000.01", "VND", "VND amounts are whole numbers, with no decimals, e.g. 3000."),
        ("10.2501", "KWD", "KWD amounts need at most 3 decimals and must end in 0, e.g. 10.250."),
        ("500.50", "ISK", "ISK amounts must be whole numbers, with no decimals, e.g. 500."),
        ("1000.01", "HUF", "HUF amounts must be whole numbers, with no decimals, e.g. 500."),
    ],
)
def test_too_many_decimals_refused_with_message(amount: str, currency: str, message: str) -> None:
    with pytest.raises(ValueError) as as_value_error:
        to_minor(amount, currency)
    with pytest.raises(ValidationError) as exc:
        parse_amount(amount, currency)
    assert messages(exc) == [message]
    assert as_value_error.value.messages == [message]  # type: ignore[attr-defined]


def test_whole_units_only_currencies() -> None:
    assert to_minor("500", "ISK") == 50000
    assert to_minor("500.00", "ISK") == 50000
    assert from_minor(50000, "ISK") == Decimal("500.00")
    assert parse_amount("175", "HUF") == Money(17500, "HUF")
    assert parse_amount("1,000", "TWD") == Money(100000, "TWD")


def test_to_minor_is_exact_for_large_and_trailing_zero_amounts() -> None:
    assert to_minor("12345678901234567890123456789.01", "USD") == (1234567890123456789012345678901)
    assert to_minor("25.000", "USD") == 2500  # a value, not typed input
    assert to_minor(" 7 ", "EUR") == 700
    assert to_minor(12, "JPY") == 12
    assert from_minor(-150, "USD") == Decimal("-1.50")
    assert from_minor(0, "KWD") == Decimal("0.000")
    assert str(from_minor(10**40, "USD")) == "1" + "0" * 38 + ".00"


@pytest.mark.parametrize("amount", ["abc", "NaN", "Infinity", ""])
def test_to_minor_refuses_non_numbers(amount: str) -> None:
    with pytest.raises(MoneyError) as exc:
        to_minor(amount, "USD")
    assert messages(exc) == ["Enter an amount as a number, e.g. 25."]


# --- parse_amount ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("25", "USD", 2500),
        ("25.5", "USD", 2550),
        ("25.50", "USD", 2550),
        (" 25.00 ", "EUR", 2500),
        ("1,000.50", "USD", 100050),
        ("1,234,567", "VND", 1234567),
        ("0.50", "GBP", 50),
        ("3000", "JPY", 3000),
        ("0.200", "kwd", 200),
        ("999,999.99", "USD", MAX_MINOR),
    ],
)
def test_parse_amount_accepts(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == Money(minor, currency.upper())


NOT_DIGITS = (
    "Enter the amount in digits, with a point before any decimals, e.g. 25, 25.50 or 1,000."
)


@pytest.mark.parametrize(
    ("text", "currency", "code", "message"),
    [
        ("", "USD", "required", "Enter an amount."),
        ("   ", "USD", "required", "Enter an amount."),
        ("-5", "USD", "negative", "Enter an amount more than zero."),
        ("0", "USD", "zero", "Enter an amount more than zero."),
        ("0.00", "USD", "zero", "Enter an amount more than zero."),
        ("abc", "USD", "invalid", NOT_DIGITS),
        ("25,50", "EUR", "invalid", NOT_DIGITS),
        ("1,00", "USD", "invalid", NOT_DIGITS),
        ("1000,000", "USD", "invalid", NOT_DIGITS),
        ("$25", "USD", "invalid", NOT_DIGITS),
        (".50", "USD", "invalid", NOT_DIGITS),
        ("25.", "USD", "invalid", NOT_DIGITS),
        ("1e3", "USD", "invalid", NOT_DIGITS),
        ("٢٥", "USD", "invalid", NOT_DIGITS),  # Arabic-Indic digits
        ("25 000", "USD", "invalid", NOT_DIGITS),
        ("25.000", "USD", "too_many_decimals", "USD amounts need at most 2 decimals, e.g. 25.50."),
        (
            "1.000",
            "VND",
            "too_many_decimals",
            "VND amounts are whole numbers, with no decimals, e.g. 3000.",
        ),
        (
            "10.255",
            "KWD",
            "too_many_decimals",
            "KWD amounts need at most 3 decimals and must end in 0, e.g. 10.250.",
        ),
        (
            "1,000,000",
            "USD",
            "above_maximum",
            "The largest gift we can take online in USD is $999,999.99.",
        ),
        (
            "100000000",
            "JPY",
            "above_maximum",
            "The largest gift we can take online in JPY is ¥99,999,999.",
        ),
        (
            "25",
            "XYZ",
            "unknown_currency",
            "XYZ is not a currency code we know (ISO 4217, e.g. USD).",
        ),
    ],
)
def test_parse_amount_refuses(text: str, currency: str, code: str, message: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        parse_amount(text, currency)
    assert messages(exc) == [message]
    assert exc.value.code == code


# --- minimums --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "minimum", "shown"),
    [
        ("USD", Decimal("0.50"), "$0.50"),
        ("EUR", Decimal("0.50"), "€0.50"),
        ("GBP", Decimal("0.30"), "£0.30"),
        ("PHP", Decimal("30.00"), "₱30.00"),
        ("THB", Decimal("10.00"), "THB\u00a010.00"),
        ("VND", Decimal("15000"), "₫15,000"),
        ("JPY", Decimal("50"), "¥50"),
        ("KWD", Decimal("0.200"), "KWD\u00a00.200"),
        ("HUF", Decimal("175.00"), "HUF\u00a0175"),
    ],
)
def test_minimum_per_currency(currency: str, minimum: Decimal, shown: str) -> None:
    smallest = stripe_minimum(currency)
    assert smallest is not None
    assert smallest.amount == minimum
    check_minimum(smallest, "en")  # the minimum itself is fine
    below = Money(smallest.minor - charge_step(currency), currency)
    with pytest.raises(ValidationError) as exc:
        check_minimum(below, "en")
    assert messages(exc) == [f"The smallest gift Stripe can take in {currency} is {shown}."]
    assert exc.value.code == "below_minimum"


def test_minimum_message_for_jpy_and_in_the_active_language() -> None:
    with pytest.raises(ValidationError) as exc:
        check_minimum(Money(49, "JPY"), "en")
    assert messages(exc) == ["The smallest gift Stripe can take in JPY is ¥50."]
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        check_minimum(Money(49, "EUR"))
    assert messages(exc) == [f"The smallest gift Stripe can take in EUR is 0,50{NBSP}€."]


def test_currency_without_known_minimum_is_not_taken() -> None:
    assert stripe_minimum("IDR") is None
    with pytest.raises(ValidationError) as exc:
        check_minimum(Money(10_000_000, "IDR"))
    assert messages(exc) == ["We cannot take gifts in IDR."]
    assert exc.value.code == "unsupported_currency"


def test_minimums_are_chargeable_amounts() -> None:
    for currency, minor in STRIPE_MINIMUM_MINOR.items():
        assert minor % charge_step(currency) == 0, currency
        assert to_minor(from_minor(minor, currency), currency) == minor
    assert {"USD", "EUR", "GBP", "PHP", "THB", "VND", "JPY", "KWD"} <= SUPPORTED_CURRENCIES


def test_check_maximum() -> None:
    check_maximum(Money(MAX_MINOR, "USD"))
    with pytest.raises(ValidationError) as exc:
        check_maximum(Money(MAX_MINOR + 1, "KWD"), "en")
    assert messages(exc) == ["The largest gift we can take online in KWD is KWD\u00a099,999.990."]


# --- formatting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("money", "locale", "text"),
    [
        (Money(2500, "USD"), "en", "$25.00"),
        (Money(2500, "USD"), "en-us", "$25.00"),
        (Money(2500, "USD"), "en_US", "$25.00"),
        (Money(2550, "USD"), "es", f"USD{NBSP}25.50"),  # Latin America (es_419)
        (Money(2500, "EUR"), "fr", f"25,00{NBSP}€"),
        (Money(123456789, "EUR"), "fr", f"1\u202f234\u202f567,89{NBSP}€"),
        (Money(500000, "VND"), "vi", f"500.000{NBSP}₫"),
        (Money(500000, "VND"), "en", "₫500,000"),
        (Money(3000, "JPY"), "en", "¥3,000"),
        (Money(3000, "JPY"), "ja", "￥3,000"),
        (Money(10000, "KWD"), "en", f"KWD{NBSP}10.000"),
        (Money(10250, "KWD"), "en", f"KWD{NBSP}10.250"),
        (Money(100050, "PHP"), "en", "₱1,000.50"),
        (Money(10000, "THB"), "th", "฿100.00"),
        (Money(50000, "ISK"), "en", f"ISK{NBSP}500"),
        (Money(-150, "USD"), "en", "-$1.50"),
    ],
)
def test_format_money(money: Money, locale: str, text: str) -> None:
    assert format_money(money, locale) == text


def test_format_money_never_rounds_a_digit_away() -> None:
    # CLDR shows HUF without decimals; a fraction still shows rather than being rounded.
    assert format_money(Money(123450, "HUF"), "hu") == f"1{NBSP}234,5{NBSP}Ft"
    assert format_money(Money(123400, "HUF"), "hu") == f"1{NBSP}234{NBSP}Ft"


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["$1,234.50", "₱1,000.50", "₫500,000", "€25.00", f"THB{NBSP}100.00", "-$1.50"]),
        # Spanish readers in Latin America's conventions (es_419): a decimal point, as the
        # donate form reads amounts, and each currency by its code.
        (
            "es",
            [
                f"USD{NBSP}1,234.50",
                f"PHP{NBSP}1,000.50",
                f"VND{NBSP}500,000",
                f"EUR{NBSP}25.00",
                f"THB{NBSP}100.00",
                f"-USD{NBSP}1.50",
            ],
        ),
        (
            "vi",
            [
                f"1.234,50{NBSP}US$",
                f"1.000,50{NBSP}PHP",
                f"500.000{NBSP}₫",
                f"25,00{NBSP}€",
                f"100,00{NBSP}฿",
                f"-1,50{NBSP}US$",
            ],
        ),
        ("th", ["US$1,234.50", f"PHP{NBSP}1,000.50", "₫500,000", "€25.00", "฿100.00", "-US$1.50"]),
        ("fil", ["$1,234.50", "₱1,000.50", "₫500,000", "€25.00", "฿100.00", "-$1.50"]),
    ],
)
def test_format_money_per_language(language: str, texts: list[str]) -> None:
    amounts = [
        Money(123450, "USD"),
        Money(100050, "PHP"),
        Money(500000, "VND"),
        Money(2500, "EUR"),
        Money(10000, "THB"),
        Money(-150, "USD"),
    ]
    assert [format_money(money, language) for money in amounts] == texts
    with translation.override(language):
        assert [format_money(money) for money in amounts] == texts


def test_spanish_amounts_follow_the_organisations_regional_locale(settings) -> None:
    settings.FORMAT_LOCALES = {"es": "es_US"}
    assert format_money(Money(123450, "USD"), "es") == "$1,234.50"
    assert format_money(Money(123450, "MXN"), "es-mx") == f"MXN{NBSP}1,234.50"
    settings.FORMAT_LOCALES = {"es": "es_MX"}
    assert format_money(Money(123450, "MXN"), "es") == "$1,234.50"
    settings.FORMAT_LOCALES = {}  # Spain's conventions
    assert format_money(Money(123450, "USD"), "es") == f"1.234,50{NBSP}US$"


def test_format_money_defaults_to_the_active_language() -> None:
    with translation.override("vi"):
        assert format_money(Money(500000, "VND")) == f"500.000{NBSP}₫"
    with translation.override("en"):
        assert format_money(Money(500000, "VND")) == "₫500,000"


# --- properties ------------------------------------------------------------------------


@st.composite
def chargeable(draw: st.DrawFn, low: int = -(10**15), high: int = 10**15) -> tuple[int, str]:
    currency = draw(st.sampled_from(ALL_KNOWN))
    step = charge_step(currency)
    units = draw(st.integers(min_value=-(-low // step), max_value=high // step))
    return units * step, currency


@settings(max_examples=300, database=None, deadline=None)
@given(chargeable())
def test_to_minor_inverts_from_minor(case: tuple[int, str]) -> None:
    minor, currency = case
    amount = from_minor(minor, currency)
    assert -amount.as_tuple().exponent == decimals(currency)  # type: ignore[operator]
    assert to_minor(amount, currency) == minor
    assert to_minor(str(amount), currency) == minor
    assert Money(minor, currency).amount == amount


@settings(max_examples=300, database=None, deadline=None)
@given(chargeable(low=1, high=MAX_MINOR))
def test_parse_amount_reads_back_plain_and_grouped_amounts(case: tuple[int, str]) -> None:
    minor, currency = case
    amount = from_minor(minor, currency)
    assert parse_amount(f"{amount:f}", currency) == Money(minor, currency)
    assert parse_amount(f"{amount:,f}", currency) == Money(minor, currency)


@settings(max_examples=200, database=None, deadline=None)
@given(st.sampled_from(ALL_KNOWN), st.integers(min_value=0, max_value=10**9))
def test_amounts_off_the_step_are_refused(currency: str, minor: int) -> None:
    step = charge_step(currency)
    excess = Decimal(1).scaleb(-decimals(currency) - 1)  # one digit past the decimals
    with pytest.raises(MoneyError):
        to_minor(from_minor(minor, currency) + excess, currency)
    if minor % step:
        with pytest.raises(MoneyError):
            to_minor(from_minor(minor, currency), currency)
    else:
        assert to_minor(from_minor(minor, currency), currency) == minor
