from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta


def expiry_after(start: date, months: int | None) -> date | None:
    """The last valid day of something valid for ``months`` from ``start`` (None: forever).

    Month arithmetic keeps the day where it can: 31 Jan + 1 month is 28 (or 29) Feb.
    """
    if months is None:
        return None
    return start + relativedelta(months=months)
