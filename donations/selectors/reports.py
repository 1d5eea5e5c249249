"""Giving reports for coordinators: LYBUNT, SYBUNT, retention and totals, with a chart.

Definitions used by every report here:

* A **gift** counts when its status is one of ``selectors.COUNTED_STATUSES`` (paid,
  refunded in part or in full, dispute won) and its **net** (``amount_minor -
  refunded_minor``) is more than zero. So a gift refunded in full, a failed or pending
  payment and an open or lost dispute do not make anyone a donor of that year.
* A gift's **year** (and month) is that of ``paid_at`` in the organisation's time zone.
* A donor **gave in year Y** when they have at least one such gift in Y.

Each function runs a fixed number of queries, whatever the number of donors and gifts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from core.dates import org_zone, year_bounds
from core.locales import short_month, short_month_and_year
from donations.models import Donation, DonationSource, Donor
from donations.money import Money, format_money
from donations.selectors.gifts import COUNTED_STATUSES

MONTHS: Final = range(1, 13)


def counted_gifts() -> QuerySet[Donation]:
    """Gifts that count in reports: counted status, net more than zero, paid at a time."""
    return Donation.objects.filter(
        status__in=COUNTED_STATUSES, paid_at__isnull=False, amount_minor__gt=F("refunded_minor")
    )


def _gave_between(start: datetime, end: datetime) -> Exists:
    return Exists(counted_gifts().filter(donor=OuterRef("pk"), paid_at__gte=start, paid_at__lt=end))


def lybunt(year: int) -> QuerySet[Donor]:
    """LYBUNT for ``year``: donors who gave Last Year (``year - 1``) But Unfortunately Not
    This year (``year``). Each donor has ``last_gift_at``."""
    start, end = year_bounds(year - 1)
    this_start, this_end = year_bounds(year)
    return (
        Donor.objects.filter(_gave_between(start, end))
        .exclude(_gave_between(this_start, this_end))
        .annotate(last_gift_at=_last_gift())
        .order_by("name", "pk")
    )


def sybunt(year: int) -> QuerySet[Donor]:
    """SYBUNT for ``year``: donors who gave Some Year before last year (any year before
    ``year - 1``) But Unfortunately Not last year nor This year. LYBUNT donors are not in
    it (the two lists never overlap). Each donor has ``last_gift_at``."""
    before_last_year, _ = year_bounds(year - 1)
    _, this_end = year_bounds(year)
    gave_before = Exists(counted_gifts().filter(donor=OuterRef("pk"), paid_at__lt=before_last_year))
    return (
        Donor.objects.filter(gave_before)
        .exclude(_gave_between(before_last_year, this_end))
        .annotate(last_gift_at=_last_gift())
        .order_by("name", "pk")
    )


def _last_gift() -> Max:
    return Max(
        "donations__paid_at",
        filter=Q(
            donations__status__in=COUNTED_STATUSES,
            donations__paid_at__isnull=False,
            donations__amount_minor__gt=F("donations__refunded_minor"),
        ),
    )


@dataclass(frozen=True, slots=True)
class Retention:
    """Of the donors of ``year - 1``, how many gave again in ``year``."""

    year: int
    previous_donors: int
    retained: int
    new_donors: int

    @property
    def rate(self) -> float | None:
        """``retained / previous_donors`` (None when nobody gave the year before)."""
        if self.previous_donors == 0:
            return None
        return self.retained / self.previous_donors

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def donor_years() -> dict[int, set[int]]:
    """For each year, the ids of the donors who gave in it (one query)."""
    rows = (
        counted_gifts()
        .annotate(year=ExtractYear("paid_at", tzinfo=org_zone()))
        .values_list("year", "donor_id")
        .distinct()
    )
    years: dict[int, set[int]] = defaultdict(set)
    for year, donor_id in rows:
        years[int(year)].add(int(donor_id))
    return years


def retention(*, first_year: int, last_year: int) -> list[Retention]:
    """Retention year over year for ``first_year``..``last_year`` (one query).

    The retention rate of Y is the share of Y-1's donors who gave again in Y. New donors of
    Y gave in Y and in no earlier year.
    """
    years = donor_years()
    seen_before: set[int] = set()
    for year in sorted(years):
        if year < first_year:
            seen_before |= years[year]
    result = []
    for year in range(first_year, last_year + 1):
        current, previous = years.get(year, set()), years.get(year - 1, set())
        result.append(
            Retention(
                year=year,
                previous_donors=len(previous),
                retained=len(current & previous),
                new_donors=len(current - seen_before),
            )
        )
        seen_before |= current
    return result


@dataclass(frozen=True, slots=True)
class TotalRow:
    """Net total of counted gifts for one key (a month, a campaign, a source) and currency."""

    key: str
    label: str
    money: Money
    gifts: int
    donors: int


def _net_sum() -> Coalesce:
    return Coalesce(
        Sum(F("amount_minor") - F("refunded_minor")), Value(0), output_field=IntegerField()
    )


def _in_year(year: int) -> QuerySet[Donation]:
    start, end = year_bounds(year)
    return counted_gifts().filter(paid_at__gte=start, paid_at__lt=end)


def totals_by_month(year: int) -> list[TotalRow]:
    """Net totals per month of ``year`` and currency (months without gifts left out)."""
    rows = (
        _in_year(year)
        .annotate(month=ExtractMonth("paid_at", tzinfo=org_zone()))
        .values("month", "currency")
        .annotate(net_total=_net_sum(), gifts=Count("pk"), donors=Count("donor", distinct=True))
        .order_by("month", "currency")
    )
    return [
        TotalRow(
            key=f"{year}-{row['month']:02d}",
            label=short_month_and_year(date(year, row["month"], 1)),
            money=Money(row["net_total"], row["currency"]),
            gifts=row["gifts"],
            donors=row["donors"],
        )
        for row in rows
    ]


def totals_by_campaign(year: int) -> list[TotalRow]:
    """Net totals per campaign (or none) and currency in ``year``, largest first."""
    rows = (
        _in_year(year)
        .values("campaign__slug", "campaign__name", "currency")
        .annotate(net_total=_net_sum(), gifts=Count("pk"), donors=Count("donor", distinct=True))
        .order_by("currency", "-net_total", "campaign__name")
    )
    return [
        TotalRow(
            key=row["campaign__slug"] or "",
            label=row["campaign__name"] or "No campaign",
            money=Money(row["net_total"], row["currency"]),
            gifts=row["gifts"],
            donors=row["donors"],
        )
        for row in rows
    ]


def totals_by_source(year: int) -> list[TotalRow]:
    """Net totals per source (card, cheque, import...) and currency in ``year``."""
    labels = dict(DonationSource.choices)
    rows = (
        _in_year(year)
        .values("source", "currency")
        .annotate(net_total=_net_sum(), gifts=Count("pk"), donors=Count("donor", distinct=True))
        .order_by("currency", "-net_total", "source")
    )
    return [
        TotalRow(
            key=row["source"],
            label=str(labels.get(row["source"], row["source"])),
            money=Money(row["net_total"], row["currency"]),
            gifts=row["gifts"],
            donors=row["donors"],
        )
        for row in rows
    ]


def report_years() -> list[int]:
    """Years with counted gifts, newest first (one query)."""
    rows = (
        counted_gifts()
        .annotate(year=ExtractYear("paid_at", tzinfo=org_zone()))
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted({int(year) for year in rows}, reverse=True)


# ---------------------------------------------------------------------------------------
# The chart: monthly totals of one currency as a server-made SVG bar chart.


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    baseline: int
    max_label: str
    currency: str


def monthly_chart(rows: list[TotalRow], *, year: int, currency: str) -> Chart:
    """Twelve bars, one a month, scaled to the largest month (no query)."""
    width, height, top, bottom, left = 600, 240, 20, 30, 10
    by_month = {int(row.key[-2:]): row.money for row in rows if row.money.currency == currency}
    largest = max((money.minor for money in by_month.values()), default=0)
    slot = (width - 2 * left) // 12
    bar_width = slot - 8
    plot = height - top - bottom
    bars = []
    for month in MONTHS:
        money = by_month.get(month, Money(0, currency))
        bar_height = round(plot * money.minor / largest) if largest else 0
        bars.append(
            Bar(
                x=left + (month - 1) * slot + 4,
                y=top + plot - bar_height,
                width=bar_width,
                height=bar_height,
                label=short_month(date(year, month, 1)),
                value=format_money(money),
            )
        )
    return Chart(
        width=width,
        height=height,
        bars=bars,
        baseline=top + plot,
        max_label=str(Money(largest, currency)) if largest else "",
        currency=currency,
    )
