"""The organisation's calendar: one "today" for every page, rule and record."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def org_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.ORG_TIME_ZONE)


def org_today() -> date:
    """Today's date where the organisation is (settings.ORG_TIME_ZONE).

    Completion, issue and expiry dates are dates of the organisation's calendar, so every
    "is it still valid today?" uses this, whatever zone the server or the viewer is in.
    """
    return timezone.localdate(timezone=org_zone())


def day_bounds(day: date, zone: zoneinfo.ZoneInfo | str | None = None) -> tuple[datetime, datetime]:
    """The whole of ``day`` in ``zone`` (default: the organisation's) as [start, end): its
    midnight and the next day's, which differ from 24 h apart on a daylight-saving change."""
    tz = zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else (zone or org_zone())
    return (
        datetime.combine(day, time.min, tzinfo=tz),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz),
    )


def org_midnight(day: date) -> datetime:
    """00:00 of ``day`` in the organisation's zone."""
    return day_bounds(day)[0]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January of ``year`` and of the next year, 00:00 in the organisation's zone."""
    return org_midnight(date(year, 1, 1)), org_midnight(date(year + 1, 1, 1))
