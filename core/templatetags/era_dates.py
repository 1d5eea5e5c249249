"""Django's ``date`` filter with the reader's calendar era, loaded on every template
(settings.TEMPLATES' ``builtins``), so each ``{{ day|date:"j M Y" }}`` on a page, in an
e-mail or in the admin writes the year as ``core.locales.django_date`` does: 2026, or 2569
for a Thai reader when the organisation counts in the Buddhist era; ISO formats ("c",
"Y-m-d") keep the Gregorian year. ``era_year`` does the same for a bare year (a statement's,
a report's)."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime

from django import template
from django.utils import dateformat

from core.locales import display_year, django_date

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value: date_type | datetime | str | None, arg: str | None = None) -> str:
    """Django's own ``date`` filter (the same arguments, the same fall-backs), the year in the
    reader's era."""
    if value in (None, ""):
        return ""
    try:
        return django_date(value, arg)  # type: ignore[arg-type]
    except AttributeError:
        try:
            return dateformat.format(value, arg)  # type: ignore[arg-type]
        except AttributeError:
            return ""


@register.filter
def era_year(value: int | str | None) -> str:
    """A year people read (2026) in the reader's era (2569 for a Thai reader when chosen)."""
    if value is None or value == "":
        return ""
    try:
        return str(display_year(int(value)))
    except (TypeError, ValueError):
        return str(value)
