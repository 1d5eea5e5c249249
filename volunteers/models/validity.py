"""How long a training or clearance is valid, and whether it covers a stretch of time.

One rule, used by eligibility (may this person sign up?) and by the expiry warnings (which
shifts will this expiry block?): a record valid until ``expires_on`` (that day included)
covers a window only if it is still valid on the window's *last* local day, in the
window's own time zone. A shift from 22:00 to 02:00 starting on the expiry day ends the
next day, so the record does not cover it.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta


def expiry_after(start: date, months: int | None) -> date | None:
    """The last valid day of something valid for ``months`` from ``start`` (None: forever).

    Month arithmetic keeps the day where it can: 31 Jan + 1 month is 28 (or 29) Feb.
    """
    if months is None:
        return None
    return start + relativedelta(months=months)


@dataclass(frozen=True)
class LocalDays:
    """The first and last day a window touches, in its own time zone."""

    first: date
    last: date


def local_days(starts_at: datetime, ends_at: datetime, zone: str) -> LocalDays:
    """The local days of the window [starts_at, ends_at) in ``zone``: a window that ends at
    midnight ends on its own day, not the next one."""
    tz = zoneinfo.ZoneInfo(zone)
    return LocalDays(
        first=starts_at.astimezone(tz).date(),
        last=(ends_at - timedelta(microseconds=1)).astimezone(tz).date(),
    )


def covers(expires_on: date | None, days: LocalDays) -> bool:
    """Whether something valid until ``expires_on`` (None: it never expires) is still valid
    on the last of ``days``: the one rule for "is this record good for this window"."""
    return expires_on is None or expires_on >= days.last
