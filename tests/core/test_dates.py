"""core.dates: the organisation's calendar and ages."""

from __future__ import annotations

from datetime import date

import pytest

from core.dates import age_on


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
