"""core.locales: Django's language codes as Babel locales, Filipino included."""

from __future__ import annotations

from datetime import date

import pytest
from babel.core import Locale
from babel.dates import format_date
from django.utils import translation

from core.locales import babel_locale


@pytest.mark.parametrize(
    ("language", "locale"),
    [
        ("en", "en"),
        ("es", "es"),
        ("pt-br", "pt_BR"),
        ("pt_BR", "pt_BR"),
        ("zh-hans", "zh_Hans"),
        ("fil", "fil"),  # Django has no locale data for Filipino; CLDR does
        ("xx", "en"),  # unknown: the site's language
        ("", "en"),
    ],
)
def test_django_codes_become_babel_locales(language: str, locale: str) -> None:
    with translation.override("en"):
        assert str(babel_locale(language)) == locale


def test_the_active_language_is_the_default() -> None:
    with translation.override("vi"):
        assert babel_locale() == Locale("vi")


def test_filipino_dates_read_in_filipino() -> None:
    assert format_date(date(2031, 7, 15), "d MMMM y", locale=babel_locale("fil")) == (
        "15 Hulyo 2031"
    )
