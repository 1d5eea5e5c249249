"""The organisation's calendar: one "today" for every page, rule and record, and one way to
show a day of it (``format_day``) on pages, in e-mails and in PDFs."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from core.locales import format_cldr

# The one format of a day for people (CLDR's medium date): "Dec 6, 2026" in English,
# "6 dic 2026" in Spanish, "6 thg 12, 2026" in Vietnamese.
DAY_FORMAT = "medium"


def org_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.ORG_TIME_ZONE)


def person_zone(name: str | None) -> zoneinfo.ZoneInfo:
    """A person's zone by its IANA name; the organisation's when they have none or it is a
    name this machine does not know (pages and messages read the same clock)."""
    try:
        return zoneinfo.ZoneInfo(name) if name else org_zone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return org_zone()


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


def org_noon(day: date) -> datetime:
    """12:00 of ``day`` in the organisation's zone: the moment given to a gift known only by
    its day (a cash gift entered, a past gift imported), so it falls on that day whatever
    zone reads it, and in that day's year for statements and reports. In UTC, as the
    database gives it back (the same in an audit record before and after a reload)."""
    return datetime.combine(day, time(12), tzinfo=org_zone()).astimezone(UTC)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January of ``year`` and of the next year, 00:00 in the organisation's zone."""
    return org_midnight(date(year, 1, 1)), org_midnight(date(year + 1, 1, 1))


def age_on(born: date, day: date) -> int:
    """Someone's age in whole years on ``day``: a year is complete on the birthday itself
    (born on 29 February: on 1 March in other years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def org_day(value: datetime | date) -> date:
    """The day ``value`` falls on in the organisation's zone (a date is its own day)."""
    if isinstance(value, datetime):
        return timezone.localdate(value, timezone=org_zone())
    return value


def format_day(value: datetime | date | str, language: str | None = None) -> str:
    """The day of a gift, receipt or statement for people: the day in the organisation's
    zone (``org_day``) in the one locale-aware format, in ``language`` (default: the active
    one). An ISO string (a message's context) is read first: "2031-07-15" is that day,
    "2031-07-16T03:00:00+00:00" the day it was in the organisation's zone. The year is the
    reader's (``core.locales.display_year``: a Thai reader's Buddhist era when chosen)."""
    if isinstance(value, str):
        text = value.strip()
        value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=zoneinfo.ZoneInfo("UTC"))
    return format_cldr(org_day(value), DAY_FORMAT, language)
