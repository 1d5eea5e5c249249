"""Shifts in words, in the shift's own time zone with the zone named."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from core.locales import django_date, translated, zone_name
from volunteers.models import Shift

DAY_AND_TIME = "D j M Y, H:i"


def local_time(moment: datetime, zone: str) -> datetime:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(zone))


def time_range_text(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """e.g. "Tue 3 Nov 2026, 18:00\u201321:00 (United States (New York) Time)", the zone
    named in the active language."""
    start = local_time(starts_at, zone)
    end = local_time(ends_at, zone)
    end_format = "H:i" if start.date() == end.date() else DAY_AND_TIME
    return (
        f"{django_date(start, DAY_AND_TIME)}\u2013{django_date(end, end_format)}"
        f" ({zone_name(zone)})"
    )


def describe_shift(shift: Shift) -> str:
    """e.g. "Crisis text line on Tue 3 Nov 2026, 18:00\u201321:00 (United States (New York)
    Time)"."""
    when = time_range_text(shift.starts_at, shift.ends_at, shift.time_zone)
    return gettext("%(role)s on %(when)s") % {"role": translated(shift.role, "name"), "when": when}
