"""Django language codes as Babel (CLDR) locales: the one conversion every formatter uses.

Django writes "pt-br", Babel "pt_BR"; a code Django has no locale data for but CLDR has
(Filipino, "fil") passes through as it is. A code Babel does not know falls back to the
site's language, then English, so a stray value never breaks a page, an e-mail or a PDF.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_skeleton, get_timezone_location, get_timezone_name
from django.conf import settings
from django.utils.translation import get_language, gettext_noop, to_locale


def babel_locale(language: str | None = None) -> Locale:
    """The Babel locale of ``language`` (a Django code, e.g. "pt-br", "fil", or already
    Babel's "pt_BR"; default: the active language)."""
    return _parse(language or get_language() or settings.LANGUAGE_CODE)


@functools.lru_cache(maxsize=64)
def _parse(language: str) -> Locale:
    for code in (language, settings.LANGUAGE_CODE, "en"):
        try:
            return Locale.parse(to_locale(code) if "-" in code else code)
        except (UnknownLocaleError, ValueError):
            continue
    raise AssertionError("Babel always knows English")  # pragma: no cover


def format_locale(language: str | None = None) -> Locale:
    """The Babel locale whose conventions amounts follow for readers of ``language``
    (default: the active one): ``settings.FORMAT_LOCALES``' regional locale where it names
    one (Spanish: es_419, Latin America's), else the language's own."""
    code = language or get_language() or settings.LANGUAGE_CODE
    regional: dict[str, str] = settings.FORMAT_LOCALES
    for candidate in (code, code.replace("_", "-").split("-")[0]):
        if candidate in regional:
            return babel_locale(regional[candidate])
    return babel_locale(code)


def zone_name(zone: str, language: str | None = None) -> str:
    """An IANA time zone as the reader's language names it (default: the active one), by its
    place in CLDR: "United States (New York) Time", "hora de Estados Unidos (Nueva York)",
    "เวลาสหรัฐอเมริกา (นิวยอร์ก)"; never the raw "America/New_York"."""
    return _zone_name(zone or "UTC", str(babel_locale(language)))


@functools.lru_cache(maxsize=512)
def _zone_name(zone: str, locale: str) -> str:
    if zone in _UNIVERSAL:
        # CLDR has no place for UTC ("Unknown Region (UTC) Time"); it has a name.
        return str(get_timezone_name("Etc/UTC", zone_variant="standard", locale=locale))
    try:
        name = str(get_timezone_location(zone, locale=locale))
    except LookupError:
        name = zone
    # A zone CLDR does not know comes back as written: at least without the underscores.
    return zone.replace("_", " ") if name == zone else name


_UNIVERSAL = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})


def month_and_year(day: date, language: str | None = None) -> str:
    """A month as the reader's language names it: November 2026, noviembre de 2026,
    tháng 11 năm 2026 (``language`` default: the active one)."""
    return format_skeleton("yMMMM", day, locale=babel_locale(language))


def short_month(day: date, language: str | None = None) -> str:
    """A month's short name, for charts: Nov, nov, thg 11, พ.ย."""
    return format_skeleton("MMM", day, locale=babel_locale(language))


def short_month_and_year(day: date, language: str | None = None) -> str:
    """Nov 2026, nov 2026, thg 11 2026."""
    return format_skeleton("yMMM", day, locale=babel_locale(language))


@functools.cache
def page_languages() -> frozenset[str]:
    """Languages the pages can be shown in: the default, and each one the project translates."""
    translated = {
        code
        for code, _name in settings.LANGUAGES
        for folder in settings.LOCALE_PATHS
        if (Path(folder) / code / "LC_MESSAGES" / "django.mo").is_file()
    }
    return frozenset({settings.LANGUAGE_CODE, *translated})


def translated(obj: Any, field: str, language: str | None = None) -> str:
    """A coordinator's text (a role's name, a campaign's description) in ``language``
    (default: the active one) from the object's ``translations`` ({"es": {"name": ...}}),
    else as written in the default language."""
    code = language or get_language() or settings.LANGUAGE_CODE
    texts = getattr(obj, "translations", None) or {}
    for candidate in (code, code.split("-")[0]):
        value = (texts.get(candidate) or {}).get(field)
        if isinstance(value, str) and value.strip():
            return value
    return str(getattr(obj, field))


# Django's own words that pages show, which Django has no Filipino catalogue for: marked
# here so they are in ours (day and month names of the date formats "D j M Y", "F Y"; the
# form errors and widgets people see). For the other languages they carry Django's own
# translations. Never called: makemessages reads them.
DJANGO_STRINGS = (
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
    gettext_noop("Mon"),
    gettext_noop("Tue"),
    gettext_noop("Wed"),
    gettext_noop("Thu"),
    gettext_noop("Fri"),
    gettext_noop("Sat"),
    gettext_noop("Sun"),
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
    gettext_noop("jan"),
    gettext_noop("feb"),
    gettext_noop("mar"),
    gettext_noop("apr"),
    gettext_noop("may"),
    gettext_noop("jun"),
    gettext_noop("jul"),
    gettext_noop("aug"),
    gettext_noop("sep"),
    gettext_noop("oct"),
    gettext_noop("nov"),
    gettext_noop("dec"),
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a number."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a valid time."),
    gettext_noop("Enter a valid date/time."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Currently"),
    gettext_noop("Change"),
    gettext_noop("Clear"),
)
