"""``{{ role|translated:"name" }}``: a coordinator's text in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template

from core.locales import translated as translated_text

register = template.Library()


@register.filter
def translated(obj: Any, field: str) -> str:
    return translated_text(obj, field)
