"""Coordinators' text in the other languages (a role's name, a training's description): one
optional field per language beside the default one, stored as ``translations``
({"es": {"name": ...}}; read back with core.locales.translated)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy


def other_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def field_name(name: str, code: str) -> str:
    return f"{name}_{code}"


def add_translation_fields(
    form: forms.BaseForm, names: Iterable[str], translations: Mapping[str, Any] | None
) -> None:
    """Add, after the form's own fields, an optional copy of each of ``names`` per other
    language ("Name in Español"), filled from ``translations``."""
    saved = translations or {}
    names_of = dict(settings.LANGUAGES)  # each in its own language
    for code in other_languages():
        language = names_of[code]
        for name in names:
            field = copy.deepcopy(form.fields[name])
            field.required = False
            field.label = format_lazy(
                gettext_lazy("{field} in {language}"),
                field=form.fields[name].label,
                language=language,
            )
            field.help_text = gettext_lazy("Leave empty to show the default language's text.")
            field.initial = (saved.get(code) or {}).get(name, "")
            form.fields[field_name(name, code)] = field


def cleaned_translations(form: forms.BaseForm, names: Iterable[str]) -> dict[str, dict[str, str]]:
    """The translations the form was given, without the empty ones."""
    found: dict[str, dict[str, str]] = {}
    for code in other_languages():
        for name in names:
            text = str(form.cleaned_data.get(field_name(name, code)) or "").strip()
            if text:
                found.setdefault(code, {})[name] = text
    return found
