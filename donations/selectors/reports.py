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
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final

from django.conf import settings
from django.db.models import (
    Case,
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
from django.utils.translation import gettext

from core.dates import org_zone, year_bounds
from core.locales import short_month, short_month_and_year
from donations.models import CARD_SOURCES, Campaign, Donation, DonationSource, Donor
from donations.money import Money, format_money
from donations.selectors.gifts import COUNTED_STATUSES
from donations.selectors.reporting import (
    reporting_fee,
    reporting_gross,
    reporting_net,
    settled_in_reporting,
    unsettled_in_reporting,
)

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
    """Retention year over year for ``first_year``..``last_year`` (one query), starting no
    earlier than the first year anyone gave (none at all: an empty list).

    The retention rate of Y is the share of Y-1's donors who gave again in Y. New donors of
    Y gave in Y and in no earlier year.
    """
    years = donor_years()
    if not years:
        return []
    # No empty years before the first gift.
    first_year = max(first_year, min(years))
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
    """Totals of counted gifts for one key (a month, a campaign, a source).

    ``gross``, ``fees`` and ``net`` are in the reporting currency (``settings.
    REPORTING_CURRENCY``): gross is what reached the organisation before Stripe's fees, net
    of refunds and disputes; net is gross less fees. A card gift counts by what Stripe
    settled when its account's currency is the reporting one; a gift in the reporting
    currency whose fee is not known yet counts its amount with no fee (``fee_unknown`` says
    how many); a gift known in no way in the reporting currency is left out of these three
    (``unconverted`` says how many). ``originals`` keeps, beside them, each original
    currency's net of refunds, largest first.
    """

    key: str
    label: str
    gross: Money
    fees: Money
    net: Money
    gifts: int
    donors: int
    fee_unknown: int
    unconverted: int
    originals: tuple[Money, ...]

    @property
    def foreign(self) -> bool:
        """Whether any gift was made in a currency other than the reporting one."""
        return any(money.currency != self.net.currency for money in self.originals)


def _reporting_expressions() -> dict[str, Any]:
    known, same = settled_in_reporting(), unsettled_in_reporting()

    def total(expression: Case) -> Coalesce:
        return Coalesce(Sum(expression), Value(0), output_field=IntegerField())

    return {
        "gross_total": total(reporting_gross()),
        "fee_total": total(reporting_fee()),
        "net_total": total(reporting_net()),
        "gifts": Count("pk"),
        "donors": Count("donor", distinct=True),
        "fee_unknown": Count("pk", filter=same & Q(source__in=CARD_SOURCES)),
        "unconverted": Count("pk", filter=~known & ~same),
    }


def _in_year(year: int) -> QuerySet[Donation]:
    start, end = year_bounds(year)
    return counted_gifts().filter(paid_at__gte=start, paid_at__lt=end)


def _totals(
    gifts: QuerySet[Donation], keys: tuple[str, ...], labelled: Callable[[dict[str, Any]], str]
) -> list[TotalRow]:
    """One row per value of ``keys`` (two queries), in the order of ``gifts``' grouping."""
    code = settings.REPORTING_CURRENCY
    originals: dict[tuple[Any, ...], list[Money]] = defaultdict(list)
    for row in (
        gifts.values(*keys, "currency").annotate(original=_net_sum()).order_by(*keys, "currency")
    ):
        originals[tuple(row[k] for k in keys)].append(Money(row["original"], row["currency"]))
    rows = gifts.values(*keys).annotate(**_reporting_expressions())
    return [
        TotalRow(
            key=str(row[keys[0]] or ""),
            label=labelled(row),
            gross=Money(row["gross_total"], code),
            fees=Money(row["fee_total"], code),
            net=Money(row["net_total"], code),
            gifts=row["gifts"],
            donors=row["donors"],
            fee_unknown=row["fee_unknown"],
            unconverted=row["unconverted"],
            originals=tuple(originals[tuple(row[k] for k in keys)]),
        )
        for row in rows
    ]


def _net_sum() -> Coalesce:
    return Coalesce(
        Sum(F("amount_minor") - F("refunded_minor")), Value(0), output_field=IntegerField()
    )


def totals_by_month(year: int) -> list[TotalRow]:
    """Totals per month of ``year`` (months without gifts left out), key "YYYY-MM"."""
    gifts = _in_year(year).annotate(month=ExtractMonth("paid_at", tzinfo=org_zone()))
    rows = _totals(
        gifts.order_by("month"),
        ("month",),
        lambda row: short_month_and_year(date(year, row["month"], 1)),
    )
    return [replace(row, key=f"{year}-{int(row.key):02d}") for row in rows]


def totals_by_campaign(year: int) -> list[TotalRow]:
    """Totals per campaign (or none) in ``year``, largest net first."""
    rows = _totals(
        _in_year(year).order_by("campaign__name"),
        ("campaign__slug", "campaign__name"),
        lambda row: row["campaign__name"] or gettext("No campaign"),
    )
    return sorted(rows, key=lambda row: (-row.net.minor, row.label))


def totals_by_source(year: int) -> list[TotalRow]:
    """Totals per source (card, cheque, import...) in ``year``, largest net first."""
    labels = dict(DonationSource.choices)
    rows = _totals(
        _in_year(year).order_by("source"),
        ("source",),
        lambda row: str(labels.get(row["source"], row["source"])),
    )
    return sorted(rows, key=lambda row: (-row.net.minor, row.key))


def totals_by_link(campaign: Campaign) -> list[TotalRow]:
    """A campaign's totals (all years) per shared link its gifts came from (``referral``,
    e.g. "whatsapp"; key "" for none), most gifts first."""
    rows = _totals(
        counted_gifts().filter(campaign=campaign).order_by("referral"),
        ("referral",),
        lambda row: row["referral"] or gettext("No shared link"),
    )
    return sorted(rows, key=lambda row: (-row.gifts, row.key))


def totals_sum(rows: list[TotalRow]) -> TotalRow | None:
    """The line "All": the rows added up (gifts and donors counted per row, so donors of two
    months count twice; the page says "gifts" and shows no donor total)."""
    if not rows:
        return None
    code = settings.REPORTING_CURRENCY
    originals: dict[str, int] = defaultdict(int)
    for row in rows:
        for money in row.originals:
            originals[money.currency] += money.minor
    return TotalRow(
        key="",
        label=gettext("All"),
        gross=Money(sum(row.gross.minor for row in rows), code),
        fees=Money(sum(row.fees.minor for row in rows), code),
        net=Money(sum(row.net.minor for row in rows), code),
        gifts=sum(row.gifts for row in rows),
        donors=0,
        fee_unknown=sum(row.fee_unknown for row in rows),
        unconverted=sum(row.unconverted for row in rows),
        originals=tuple(Money(minor, currency) for currency, minor in sorted(originals.items())),
    )


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
    # True: every gift, in the reporting currency; False: only the gifts made in ``currency``.
    all_gifts: bool


def chart_currencies() -> list[str]:
    """The chart's choices: the reporting currency (every gift), then each currency that has
    counted gifts (one query)."""
    code = settings.REPORTING_CURRENCY
    found = set(counted_gifts().values_list("currency", flat=True).distinct().order_by())
    return [code, *sorted(found - {code})]


def monthly_chart(rows: list[TotalRow], *, year: int, currency: str) -> Chart:
    """Twelve bars, one a month, scaled to the largest month (no query).

    In the reporting currency: every gift's net (after fees). In another currency: the gifts
    made in it, net of refunds.
    """
    width, height, top, bottom, left = 600, 240, 20, 30, 10
    by_month: dict[int, Money] = {}
    for row in rows:
        month = int(row.key[-2:])
        if currency == settings.REPORTING_CURRENCY:
            by_month[month] = row.net
        else:
            for money in row.originals:
                if money.currency == currency:
                    by_month[month] = money
    largest = max((money.minor for money in by_month.values()), default=0)
    slot = (width - 2 * left) // 12
    bar_width = slot - 8
    plot = height - top - bottom
    bars = []
    for month in MONTHS:
        money = by_month.get(month, Money(0, currency))
        bar_height = round(plot * money.minor / largest) if largest > 0 else 0
        bar_height = max(bar_height, 0)
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
        max_label=format_money(Money(largest, currency)) if largest > 0 else "",
        currency=currency,
        all_gifts=currency == settings.REPORTING_CURRENCY,
    )
