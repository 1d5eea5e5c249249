"""Django language codes as Babel (CLDR) locales: the one conversion every formatter uses.

Django writes "pt-br", Babel "pt_BR"; a code Django has no locale data for but CLDR has
(Filipino, "fil") passes through as it is. A code Babel does not know falls back to the
site's language, then English, so a stray value never breaks a page, an e-mail or a PDF.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from django.conf import settings
from django.utils.translation import get_language, to_locale


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
