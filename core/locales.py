"""Django language codes as Babel (CLDR) locales: the one conversion every formatter uses.

Django writes "pt-br", Babel "pt_BR"; a code Django has no locale data for but CLDR has
(Filipino, "fil") passes through as it is. A code Babel does not know falls back to the
site's language, then English, so a stray value never breaks a page, an e-mail or a PDF.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.dates import (
    DateTimeFormat,
    get_timezone_location,
    get_timezone_name,
    match_skeleton,
    parse_pattern,
)
from django.conf import settings
from django.utils import dateformat, formats
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


def gmt_offset(moment: datetime, language: str | None = None) -> str:
    """The offset from GMT of ``moment`` (an aware date-time) in CLDR's short localized GMT
    format ("O", which Babel lacks), in ``language`` (default: the active one): "GMT-4" (New
    York in summer), "GMT+7" (Bangkok), "GMT+5:30" (India), "GMT" (London in winter). Short
    and in the GSM-7 alphabet, for text messages; unlike "EDT" it is neither English nor
    ambiguous."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    pattern = str(babel_locale(language).zone_formats["gmt"])  # "GMT%s"
    if not minutes:
        return pattern % ""
    hours, rest = divmod(abs(minutes), 60)
    return pattern % f"{'-' if minutes < 0 else '+'}{hours}{f':{rest:02d}' if rest else ''}"


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


# --- Years: the organisation's calendar era -------------------------------------------
# Every date and year a person reads is written by the helpers below (Babel's patterns and
# skeletons, Django's format strings, a bare year), so the era is decided here once.

# A year of the Thai Buddhist era (พ.ศ.) is the Gregorian year plus this: 2026 is 2569.
BUDDHIST_ERA_OFFSET = 543


def buddhist_era(language: str | None = None) -> bool:
    """Whether readers of ``language`` (default: the active one) read years in the Thai
    Buddhist era: only Thai readers, only when the organisation chose it
    (``settings.THAI_BUDDHIST_ERA``, default off: the Gregorian year)."""
    if not getattr(settings, "THAI_BUDDHIST_ERA", False):
        return False
    code = language or get_language() or settings.LANGUAGE_CODE
    return code.replace("_", "-").split("-")[0].lower() == "th"


def year_offset(language: str | None = None) -> int:
    """What to add to a Gregorian year for readers of ``language``: 543 or 0."""
    return BUDDHIST_ERA_OFFSET if buddhist_era(language) else 0


def display_year(year: int, language: str | None = None) -> int:
    """A year as the reader reads it: 2026, or 2569 for a Thai reader when the organisation
    counts in the Buddhist era. Machine values (receipt numbers, file names, URLs, CSV and
    calendar files) keep the Gregorian year."""
    return year + year_offset(language)


class _EraFormat(DateTimeFormat):
    """Babel's formatter with the reader's era: the year fields shifted, the rest as CLDR's."""

    def __init__(self, value: date | time, locale: Locale, offset: int) -> None:
        super().__init__(value, locale)
        self.offset = offset

    def format_year(self, char: str, num: int) -> str:
        if not self.offset:
            return super().format_year(char, num)
        year = int(super().format_year(char, max(num, 4))) + self.offset
        text = self.format(year, num)
        return text[-2:] if num == 2 else text


_DATE_FORMAT_NAMES = frozenset({"full", "long", "medium", "short"})


def format_cldr(value: date | datetime, pattern: str, language: str | None = None) -> str:
    """``value`` in a CLDR ``pattern`` ("EEE d MMM y, HH:mm"), or a date format's name
    ("medium"), in ``language`` (default: the active one), the year in the reader's era.
    Babel's ``format_date``/``format_datetime`` for every date people read (a naive
    date-time is taken as UTC, as Babel does)."""
    locale = babel_locale(language)
    if pattern in _DATE_FORMAT_NAMES:
        pattern = str(locale.date_formats[pattern].pattern)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(parse_pattern(pattern) % _EraFormat(value, locale, year_offset(language)))


def format_cldr_skeleton(value: date | datetime, skeleton: str, language: str | None = None) -> str:
    """``value`` in the reader's locale's pattern for a CLDR ``skeleton`` ("yMMMM": "November
    2026", "noviembre de 2026"), like Babel's ``format_skeleton``, in the reader's era."""
    locale = babel_locale(language)
    skeletons = locale.datetime_skeletons
    key = skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons) or skeleton
    return format_cldr(value, str(skeletons[key].pattern), language)


class _EraDateFormat(dateformat.DateFormat):
    """Django's date formatter with the Buddhist era's year ("Y" and "y")."""

    def _era_year(self) -> int:
        day = self.data
        assert isinstance(day, date)  # a DateFormat formats dates and date-times
        return day.year + BUDDHIST_ERA_OFFSET

    def Y(self) -> int:
        return self._era_year()

    def y(self) -> str:
        return f"{self._era_year() % 100:02d}"


# A format that starts with the year and then the month is ISO 8601's order ("Y-m-d",
# "Ymd", "Y-m-d H:i"): a machine value (a link's ?date=, an input's value), never shifted.
_MACHINE_FORMAT = re.compile(r"[Yy][-/.]?[mn]")


def django_date(value: date | datetime, fmt: str | None = None) -> str:
    """Django's ``date_format`` in the active language, the year in the reader's era: a
    Django format string ("j M Y") or a format setting's name (default "DATE_FORMAT").
    Pages' ``|date`` filter comes here (core.templatetags.era_dates). Machine formats
    ("c", "U", "Y-m-d") keep the Gregorian year."""
    resolved = str(formats.get_format(fmt or "DATE_FORMAT"))
    if not buddhist_era() or _MACHINE_FORMAT.match(resolved):
        return dateformat.format(value, resolved)
    return _EraDateFormat(value).format(resolved)


def month_and_year(day: date, language: str | None = None) -> str:
    """A month as the reader's language names it: November 2026, noviembre de 2026,
    tháng 11 năm 2026 (``language`` default: the active one)."""
    return format_cldr_skeleton(day, "yMMMM", language)


def short_month(day: date, language: str | None = None) -> str:
    """A month's short name, for charts: Nov, nov, thg 11, พ.ย."""
    return format_cldr_skeleton(day, "MMM", language)


def short_month_and_year(day: date, language: str | None = None) -> str:
    """Nov 2026, nov 2026, thg 11 2026."""
    return format_cldr_skeleton(day, "yMMM", language)


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
