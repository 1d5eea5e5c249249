"""The pseudo-language check: every translated string is wrapped in markers, and any visible
text left outside them that is not data (names, amounts, dates from the database) is a string
nobody marked for translation.

``pseudo_catalogue()`` wraps what Django's gettext family returns (templates' translate tags,
gettext, ngettext, pgettext, lazy strings, Django's own messages) as ⁅…⁆, in whatever
language is active, so pages keep their real formats (Babel dates and money) around it.
``unmarked(text, data)`` says which words of ``text`` are neither marked nor data.
"""

from __future__ import annotations

import io
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from html.parser import HTMLParser
from typing import Any

from babel.core import Locale
from babel.dates import format_date, format_datetime, format_time
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import trans_real
from pypdf import PdfReader

from core.locales import babel_locale, zone_name
from donations.amount_words import amount_in_words
from donations.money import SUPPORTED_CURRENCIES

# U+2045 and U+2046: rare in real text, and the PDFs' Noto Sans has them.
OPEN, CLOSE = "\u2045", "\u2046"
WRAPPED = ("gettext", "ngettext", "pgettext", "npgettext")
INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# What is left once markers and data are gone must have no letters (digits, punctuation,
# symbols and spaces are how data is written: 12/03/2026, $1,234.00, 09:00-12:00).
LETTERS = re.compile(r"[^\W\d_]+")
URL = re.compile(r"(https?://|mailto:|/)[^\s]*")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def _wrap(function: Callable[..., str]) -> Callable[..., str]:
    @wraps(function)
    def wrapped(*args: Any) -> str:
        result = function(*args)
        return f"{OPEN}{result}{CLOSE}" if result and str(result).strip() else result

    return wrapped


@contextmanager
def pseudo_catalogue() -> Iterator[None]:
    """Every translated string comes back wrapped in ⁅⁆ while this is open."""
    trans = translation._trans  # type: ignore[attr-defined]
    before = {name: trans.__dict__.get(name) for name in WRAPPED}
    for name in WRAPPED:
        setattr(trans, name, _wrap(getattr(trans_real, name)))
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                delattr(trans, name)
            else:
                setattr(trans, name, value)


def strip_marked(text: str) -> str:
    """``text`` without its marked pieces (innermost first, so nesting is fine)."""
    while True:
        shorter = INNERMOST.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


THAI = re.compile("[\u0e00-\u0e7f]")


class DataWords:
    """Text that is data, not interface: every string stored in the database, the
    organisation's name and address, time zone names, language names in their own language,
    amounts in words on receipts, and the words ``languages`` write dates with (CLDR months,
    days, periods, "de" and "tháng"): a page in Spanish may not show "November"."""

    def __init__(
        self, languages: Iterable[str], extra: Iterable[str] = (), *, any_word: bool = False
    ) -> None:
        """``any_word``: each word of the data counts on its own too (PDF tables wrap a
        campaign's name in a column, so the name is never whole on a line)."""
        languages = list(languages)
        # The organisation's own words: its name, address and the names of its donor levels.
        phrases: set[str] = {
            settings.ORG_NAME,
            settings.ORG_ADDRESS,
            *settings.DONOR_LEVELS,
            *extra,
        }
        phrases.update(settings.ORG_REGISTRATION.split(":"))
        for code, name in settings.LANGUAGES:
            phrases.update({name, translation.get_language_info(code)["name_local"]})
        stored = _database_strings()
        phrases.update(stored)
        zones = zoneinfo.available_timezones()
        phrases.update({*zones, *(zone.replace("_", " ") for zone in zones)})
        # Every zone as each language names it (core.locales.zone_name: CLDR data): pages
        # name the zones in use, and the time zone choices name them all.
        used = {value for value in stored if value in zones} | {settings.ORG_TIME_ZONE, "UTC"}
        phrases.update(zone_name(zone, code) for zone in used | zones for code in languages)
        phrases.update(_amounts_in_words())
        self.phrases: set[str] = set()
        self._pattern = re.compile("^$")
        self.add(phrases)
        words: set[str] = set()
        for code in languages:
            words.update(_calendar_words(babel_locale(code)))
            words.update(_date_words(babel_locale(code)))
        self.words = {w.casefold() for w in words}
        # Thai is written without spaces between words: a table cell wraps a Thai name
        # anywhere, so with ``any_word`` a piece of a Thai data word is data too.
        self._thai_data = ""
        if any_word:
            self.words.update(w.casefold() for p in self.phrases for w in LETTERS.findall(p))
            self._thai_data = "\n".join(w for w in self.words if THAI.search(w))
        for code in SUPPORTED_CURRENCIES:
            self.words.add(code.casefold())
            for lang, _name in settings.LANGUAGES:
                symbol = babel_locale(lang).currency_symbols.get(code, "")
                self.words.update(w.casefold() for w in LETTERS.findall(symbol))

    def add(self, values: Iterable[str]) -> None:
        self.phrases.update(v.strip() for v in values if v and v.strip())
        ordered = sorted(self.phrases, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, ordered))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def leftover(self, text: str) -> list[str]:
        """Words of ``text`` that are neither marked nor data."""
        rest = strip_marked(text)
        if not LETTERS.search(rest):
            return []
        rest = EMAIL.sub(" ", URL.sub(" ", self._pattern.sub(" ", rest)))
        return [
            w
            for w in LETTERS.findall(rest)
            if w.casefold() not in self.words
            and not (self._thai_data and THAI.search(w) and w in self._thai_data)
        ]


def _calendar_words(locale: Locale) -> set[str]:
    words: set[str] = set()
    for table in (locale.months, locale.days, locale.quarters):
        for context in table.values():
            for width in context.values():
                for value in width.values():
                    words.update(LETTERS.findall(value))
    for width in locale.day_periods.values():
        for names in width.values():
            for value in names.values():
                words.update(LETTERS.findall(value))
    for names in locale.eras.values():
        for value in names.values():
            words.update(LETTERS.findall(value))
    return words


def _date_words(locale: Locale) -> set[str]:
    """The words a locale writes dates and times with besides the calendar's names
    (Spanish "27 de noviembre de 2026", Vietnamese "ngày 27 tháng 11")."""
    moment = datetime(2026, 11, 27, 15, 30)
    words: set[str] = set()
    for length in ("short", "medium", "long", "full"):
        for text in (
            format_date(moment, length, locale=locale),
            format_datetime(moment, length, locale=locale),
            format_time(moment, length, tzinfo=UTC, locale=locale),
        ):
            words.update(LETTERS.findall(text))
    return words


def _amounts_in_words() -> set[str]:
    """What receipts write their amounts as, in each receipt's language."""
    from donations.models import Receipt

    return {amount_in_words(receipt.money, receipt.language) for receipt in Receipt.objects.all()}


def _database_strings() -> set[str]:
    found: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            found.update(v for v in row if isinstance(v, str))
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                for value in model._base_manager.values_list(field.attname, flat=True):
                    found.update(_json_strings(value))
    return found


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


class _VisibleText(HTMLParser):
    """Text a person sees: text nodes outside script/style, and the attributes read out or
    shown (title, placeholder, alt, aria-label, a button's value)."""

    SKIP = {"script", "style", "template"}
    SHOWN = ("title", "placeholder", "alt", "aria-label")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0
        # Elements marked translate="no" (HTML's own "this is not language": keys, codes,
        # a snippet to paste), by tag, with their nesting depth.
        self._untranslated: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("translate") == "no" or (self._untranslated and tag == self._untranslated[-1]):
            self._untranslated.append(tag)
            self._skipping += 1
            return
        if tag in self.SKIP:
            self._skipping += 1
        for name in self.SHOWN:
            if found.get(name):
                self.texts.append(str(found[name]))
        if tag == "input" and found.get("type") in {"submit", "button"} and found.get("value"):
            self.texts.append(str(found["value"]))

    def handle_endtag(self, tag: str) -> None:
        if self._untranslated and tag == self._untranslated[-1]:
            self._untranslated.pop()
            self._skipping -= 1
        elif tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(data)


def html_texts(html: str) -> list[str]:
    """The visible texts of a page, marked pieces taken out first (a marked sentence may
    hold a link: its markers are then in different text nodes)."""
    parser = _VisibleText()
    parser.feed(strip_marked(html))
    parser.close()
    return parser.texts


def pdf_texts(data: bytes) -> list[str]:
    """A PDF's lines, marked pieces taken out first (a label may wrap onto two lines)."""
    reader = PdfReader(io.BytesIO(data))
    text = strip_marked("\n".join(page.extract_text() for page in reader.pages))
    return text.splitlines()


def problems(where: str, texts: Iterable[str], data: DataWords) -> dict[str, str]:
    """Each unmarked piece of ``texts`` (its words), with where it was first seen."""
    found: dict[str, str] = {}
    for text in texts:
        left = data.leftover(text)
        if left:
            found.setdefault(" ".join(left), f"{where}: {text.strip()[:160]!r}")
    return found
