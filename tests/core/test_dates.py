"""core.dates: the organisation's calendar and ages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.dates import age_on, org_day, org_noon


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2000, 5, 17), date(2018, 5, 16), 17),
        (date(2000, 5, 17), date(2018, 5, 17), 18),  # complete on the birthday itself
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(2000, 2, 29), date(2020, 2, 29), 20),
    ],
)
def test_age_in_whole_years(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


@pytest.mark.parametrize(
    ("zone", "day", "utc"),
    [
        ("America/New_York", date(2026, 1, 15), datetime(2026, 1, 15, 17, 0, tzinfo=UTC)),
        # The day summer time starts (02:00): noon is already UTC-4.
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 16, 0, tzinfo=UTC)),
        # Noon in Auckland is the evening before in UTC; the gift stays on its own day.
        ("Pacific/Auckland", date(2026, 1, 1), datetime(2025, 12, 31, 23, 0, tzinfo=UTC)),
        ("Asia/Bangkok", date(2026, 12, 31), datetime(2026, 12, 31, 5, 0, tzinfo=UTC)),
    ],
)
def test_a_gift_known_by_its_day_is_dated_noon_there(
    settings: Any, zone: str, day: date, utc: datetime
) -> None:
    settings.ORG_TIME_ZONE = zone
    noon = org_noon(day)
    assert noon == utc
    assert noon.tzinfo is UTC  # as the database gives it back
    assert org_day(noon) == day
