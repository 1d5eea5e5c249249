"""core.locales: Django's language codes as Babel locales, Filipino included."""

from __future__ import annotations

from datetime import date

import pytest
from babel.core import Locale
from babel.dates import format_date
from django.utils import translation

from core.locales import babel_locale, format_locale, zone_name


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


@pytest.mark.parametrize(
    ("language", "locale"),
    [
        ("en", "en"),
        ("es", "es_419"),
        ("es-mx", "es_419"),
        ("vi", "vi"),
        ("th", "th"),
        ("fil", "fil"),
    ],
)
def test_amounts_follow_a_regional_locale_where_the_settings_name_one(
    language: str, locale: str
) -> None:
    assert str(format_locale(language)) == locale


@pytest.mark.parametrize(
    ("language", "new_york", "bangkok", "utc"),
    [
        ("en", "United States (New York) Time", "Thailand Time", "Coordinated Universal Time"),
        (
            "es",
            "hora de Estados Unidos (Nueva York)",
            "hora de Tailandia",
            "tiempo universal coordinado",
        ),
        ("vi", "Giờ Hoa Kỳ (New York)", "Giờ Thái Lan", "Giờ Phối hợp Quốc tế"),
        ("th", "เวลาสหรัฐอเมริกา (นิวยอร์ก)", "เวลาไทย", "เวลาสากลเชิงพิกัด"),
        (
            "fil",
            "Oras sa Estados Unidos (New York)",
            "Oras sa Thailand",
            "Coordinated Universal Time",
        ),
    ],
)
def test_zones_are_named_in_the_readers_language(
    language: str, new_york: str, bangkok: str, utc: str
) -> None:
    assert zone_name("America/New_York", language) == new_york
    assert zone_name("Asia/Bangkok", language) == bangkok
    assert zone_name("UTC", language) == utc
    with translation.override(language):
        assert zone_name("America/New_York") == new_york


def test_a_zone_cldr_does_not_know_is_shown_without_underscores() -> None:
    assert zone_name("America/Not_A_Place", "es") == "America/Not A Place"
