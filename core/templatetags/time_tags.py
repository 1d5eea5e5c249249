"""Showing times to people: a start and end in the zone where things happen, and a day of
the organisation's calendar (a gift's, a receipt's, a statement's)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.dates import format_day
from core.locales import django_date
from core.locales import zone_name as locale_zone_name

register = template.Library()

DAY_AND_TIME = "D j M Y, H:i"
EN_DASH = "\u2013"


@register.simple_tag
def time_range(starts_at: datetime, ends_at: datetime, zone: str) -> SafeString:
    """e.g. "Tue 15 Jul 2031, 18:00 to 21:00" in ``zone`` (joined by an en dash).

    A range that ends on another local day names that day too ("Tue 15 Jul 2031, 22:00 to Wed 16
    Jul 2031, 02:00"), so an overnight or several-day session is never mistaken for a short one.
    """
    tz = zoneinfo.ZoneInfo(zone)
    start = timezone.localtime(starts_at, tz)
    end = timezone.localtime(ends_at, tz)
    if start.date() == end.date():
        return format_html(
            '<time datetime="{}">{}{}{}</time>',
            start.isoformat(),
            django_date(start, DAY_AND_TIME),
            EN_DASH,
            django_date(end, "H:i"),
        )
    return format_html(
        '<time datetime="{}">{}</time> {} <time datetime="{}">{}</time>',
        start.isoformat(),
        django_date(start, DAY_AND_TIME),
        EN_DASH,
        end.isoformat(),
        django_date(end, DAY_AND_TIME),
    )


@register.filter
def zone_name(zone: str | None) -> str:
    """An IANA time zone as the reader's language names it ("hora de Estados Unidos (Nueva
    York)"), never the raw "America/New_York"; empty for none."""
    return locale_zone_name(str(zone)) if zone else ""


@register.filter
def org_date(value: datetime | date | str | None) -> str:
    """A gift's, receipt's or statement's day: ``core.dates.format_day`` in the active
    language ("Dec 6, 2026"), the same on pages, in e-mails and in PDFs; empty for none."""
    if value is None or value == "":
        return ""
    return format_day(value)


@register.filter
def hours(minutes: int | None) -> str:
    """Minutes as hours with up to two decimals in the active language ("12.50", "3", "0")."""
    value = (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return number_format(value)
