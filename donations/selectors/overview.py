"""The giving side of the coordinator's home, in the organisation's reporting currency.

Money raised is counted over the counted gifts (``reports.counted_gifts``), dated by
``paid_at`` in the organisation's zone, in ``settings.REPORTING_CURRENCY`` as the reports
count it (``selectors.reporting``): **gross** is what reached us net of refunds, **fees**
what Stripe kept, **net** gross less fees. A gift with no figure in the reporting currency
(say a VND card gift not settled yet) is left out and counted in ``unconverted``.
"Last year" is the same stretch of last year: this month to today's date, and 1 January
to today's date, one year back (29 February counts as 28).
A monthly gift **failed** when an instalment's payment failed in the last 30 days and is
still unpaid; it **recovered** when such an instalment was paid after all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from core.dates import org_midnight, org_today, org_zone
from donations.models import Donation, DonationStatus
from donations.money import Money
from donations.selectors.gifts import COUNTED_STATUSES
from donations.selectors.reporting import (
    reporting_fee,
    reporting_gross,
    reporting_net,
    settled_in_reporting,
    unsettled_in_reporting,
)
from donations.selectors.reports import counted_gifts

FAILED_WITHIN = timedelta(days=30)


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class GivingOverview:
    """``month`` and ``year_to_date`` (and last year's) are nets, after fees."""

    currency: str
    month: Money
    month_last_year: Money
    year_to_date: Money
    year_to_date_last_year: Money
    month_gross: Money
    month_fees: Money
    year_to_date_gross: Money
    year_to_date_fees: Money
    # Gifts of this year to date with no figure in the reporting currency (left out).
    unconverted: int
    failed_payments: int  # every failed, unpaid gift of the last 30 days
    monthly_failed: int
    monthly_recovered: int


def giving_overview(*, today: date | None = None) -> GivingOverview:
    """This month and this year (gross, fees, net in the reporting currency) against the
    same stretch of last year, and the failed and recovered payments of the last 30 days
    (two queries)."""
    currency = settings.REPORTING_CURRENCY
    today = today or org_today()
    back = _year_back(today)
    end = org_midnight(today + timedelta(days=1))
    end_back = org_midnight(back + timedelta(days=1))

    def between(expression: Case, start: date, stop_at: object) -> Coalesce:
        window = Q(paid_at__gte=org_midnight(start), paid_at__lt=stop_at)
        return Coalesce(Sum(expression, filter=window), zero)

    zero = Value(0, output_field=IntegerField())
    month_start, year_start = today.replace(day=1), today.replace(month=1, day=1)
    this_year = Q(paid_at__gte=org_midnight(year_start), paid_at__lt=end)
    sums = (
        counted_gifts()
        .filter(paid_at__gte=org_midnight(back.replace(month=1, day=1)))
        .aggregate(
            month=between(reporting_net(), month_start, end),
            month_gross=between(reporting_gross(), month_start, end),
            month_fees=between(reporting_fee(), month_start, end),
            month_back=between(reporting_net(), back.replace(day=1), end_back),
            year=between(reporting_net(), year_start, end),
            year_gross=between(reporting_gross(), year_start, end),
            year_fees=between(reporting_fee(), year_start, end),
            year_back=between(reporting_net(), back.replace(month=1, day=1), end_back),
            unconverted=Count(
                "pk", filter=this_year & ~settled_in_reporting() & ~unsettled_in_reporting()
            ),
        )
    )
    recent = Q(failed_at__gte=timezone.now() - FAILED_WITHIN)
    monthly = Q(recurring_gift__isnull=False)
    failed = Q(status=DonationStatus.FAILED)
    counts = Donation.objects.filter(recent).aggregate(
        failed=Count("pk", filter=failed),
        monthly_failed=Count("pk", filter=failed & monthly),
        monthly_recovered=Count("pk", filter=monthly & Q(status__in=COUNTED_STATUSES)),
    )
    return GivingOverview(
        currency=currency,
        month=Money(int(sums["month"]), currency),
        month_last_year=Money(int(sums["month_back"]), currency),
        year_to_date=Money(int(sums["year"]), currency),
        year_to_date_last_year=Money(int(sums["year_back"]), currency),
        month_gross=Money(int(sums["month_gross"]), currency),
        month_fees=Money(int(sums["month_fees"]), currency),
        year_to_date_gross=Money(int(sums["year_gross"]), currency),
        year_to_date_fees=Money(int(sums["year_fees"]), currency),
        unconverted=int(sums["unconverted"]),
        failed_payments=int(counts["failed"]),
        monthly_failed=int(counts["monthly_failed"]),
        monthly_recovered=int(counts["monthly_recovered"]),
    )


def net_by_month(*, months: int = 12, today: date | None = None) -> list[tuple[date, Money]]:
    """(first day of the month, net raised after fees in the reporting currency) for the
    last ``months`` months, oldest first, every month present (one query)."""
    currency = settings.REPORTING_CURRENCY
    today = today or org_today()
    firsts = [today.replace(day=1)]
    for _ in range(months - 1):
        firsts.insert(0, (firsts[0] - timedelta(days=1)).replace(day=1))
    rows = (
        counted_gifts()
        .filter(paid_at__gte=org_midnight(firsts[0]))
        .annotate(month=TruncMonth("paid_at", tzinfo=org_zone()))
        .values("month")
        .annotate(month_net=Coalesce(Sum(reporting_net()), Value(0)))
        .values_list("month", "month_net")
    )
    by_month = {month.date(): int(net) for month, net in rows}
    return [(first, Money(by_month.get(first, 0), currency)) for first in firsts]
