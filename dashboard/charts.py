"""Small bar charts made on the server as SVG: a trend that reads better than a number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.locales import django_date

WIDTH, HEIGHT, TOP, BOTTOM, SIDE = 360, 120, 8, 18, 2


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str  # under the bar: the month's initial
    text: str  # for people and screen readers: "Mar 2026: 12 hours"


@dataclass(frozen=True, slots=True)
class BarChart:
    key: str  # unique on the page, for the title's and description's ids
    title: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - BOTTOM


def monthly_bars(*, key: str, title: str, points: list[tuple[date, int, str]]) -> BarChart:
    """One bar a month, scaled to the largest: ``points`` are (first day of the month, the
    value the bar's height follows, the value as people read it). No query."""
    largest = max((value for _, value, _ in points), default=0)
    slot = (WIDTH - 2 * SIDE) // max(len(points), 1)
    plot = HEIGHT - TOP - BOTTOM
    bars = []
    for index, (month, value, text) in enumerate(points):
        height = round(plot * value / largest) if largest > 0 and value > 0 else 0
        name = django_date(month, "M Y")
        bars.append(
            Bar(
                x=SIDE + index * slot + 2,
                y=TOP + plot - height,
                width=slot - 4,
                height=height,
                label=django_date(month, "M")[:1],
                text=f"{name}: {text}",
            )
        )
    return BarChart(key=key, title=title, bars=bars)
