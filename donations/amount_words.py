"""Amounts in words for receipts, in the receipt's language: "twenty-five dollars".

num2words writes currency amounts for the pairs of language and currency it knows (en + USD,
th + THB, ...). For the others (Vietnamese has no currency support at all, and most
languages do not know VND), and for whole amounts (no "zero cents"), the words are the
whole amount as a cardinal number followed by the currency's name from Babel/CLDR in that
language ("năm trăm nghìn đồng Việt Nam"); any minor units follow as a fraction ("25/100").
"""

from __future__ import annotations

from babel.numbers import get_currency_name
from django.conf import settings
from num2words import num2words  # type: ignore[import-untyped]

from core.locales import babel_locale
from donations.money import Money, decimals

FALLBACK_LANGUAGE = "en"


def _num2words_lang(language: str) -> str:
    """num2words' name for a Django language code: Babel's ("pt-br" -> "pt_BR", "vi")."""
    return str(babel_locale(language))


def _cardinal(number: int, language: str) -> str:
    try:
        return str(num2words(number, lang=_num2words_lang(language)))
    except NotImplementedError:
        return str(num2words(number, lang=FALLBACK_LANGUAGE))


def amount_in_words(money: Money, language: str | None = None) -> str:
    """``money`` in words in ``language`` (a Django code; default: the site's language)."""
    language = language or settings.LANGUAGE_CODE
    places = decimals(money.currency)
    whole, fraction = divmod(money.minor, 10**places)
    if fraction:
        try:
            return str(
                num2words(
                    money.amount,
                    lang=_num2words_lang(language),
                    to="currency",
                    currency=money.currency,
                )
            )
        except (NotImplementedError, AttributeError, KeyError):
            pass  # this language does not know this currency: words + the currency's name
    try:
        name = get_currency_name(money.currency, count=whole, locale=babel_locale(language))
    except (ValueError, LookupError):
        name = money.currency
    words = f"{_cardinal(whole, language)} {name}"
    if fraction:
        words += f" {fraction:0{places}d}/{10**places}"
    return words
