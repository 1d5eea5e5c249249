"""The giving side of the coordinator's home, in the organisation's currency.

Money raised is the net of counted gifts (``reports.counted_gifts``), dated by ``paid_at``
in the organisation's zone. "Last year" is the same stretch of last year: this month to
today's date, and 1 January to today's date, one year back (29 February counts as 28).
A monthly gift **failed** when an instalment's payment failed in the last 30 days and is
still unpaid; it **recovered** when such an instalment was paid after all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from core.dates import org_midnight, org_today, org_zone
from donations.models import Donation, DonationStatus
from donations.money import Money
from donations.selectors.gifts import COUNTED_STATUSES
from donations.selectors.reports import counted_gifts

FAILED_WITHIN = timedelta(days=30)


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class GivingOverview:
    currency: str
    month: Money
    month_last_year: Money
    year_to_date: Money
    year_to_date_last_year: Money
    failed_payments: int  # every failed, unpaid gift of the last 30 days
    monthly_failed: int
    monthly_recovered: int


def giving_overview(*, currency: str, today: date | None = None) -> GivingOverview:
    """This month and this year against the same stretch of last year, and the failed and
    recovered payments of the last 30 days (two queries)."""
    today = today or org_today()
    back = _year_back(today)
    end = org_midnight(today + timedelta(days=1))
    end_back = org_midnight(back + timedelta(days=1))

    def net_between(start: date, stop_at: object) -> Sum:
        return Sum(
            F("amount_minor") - F("refunded_minor"),
            filter=Q(paid_at__gte=org_midnight(start), paid_at__lt=stop_at),
        )

    zero = Value(0, output_field=IntegerField())
    sums = (
        counted_gifts()
        .filter(currency=currency, paid_at__gte=org_midnight(back.replace(month=1, day=1)))
        .aggregate(
            month=Coalesce(net_between(today.replace(day=1), end), zero),
            month_back=Coalesce(net_between(back.replace(day=1), end_back), zero),
            year=Coalesce(net_between(today.replace(month=1, day=1), end), zero),
            year_back=Coalesce(net_between(back.replace(month=1, day=1), end_back), zero),
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
        failed_payments=int(counts["failed"]),
        monthly_failed=int(counts["monthly_failed"]),
        monthly_recovered=int(counts["monthly_recovered"]),
    )


def net_by_month(
    *, currency: str, months: int = 12, today: date | None = None
) -> list[tuple[date, Money]]:
    """(first day of the month, net raised) for the last ``months`` months, oldest first,
    every month present (one query)."""
    today = today or org_today()
    firsts = [today.replace(day=1)]
    for _ in range(months - 1):
        firsts.insert(0, (firsts[0] - timedelta(days=1)).replace(day=1))
    rows = (
        counted_gifts()
        .filter(currency=currency, paid_at__gte=org_midnight(firsts[0]))
        .annotate(month=TruncMonth("paid_at", tzinfo=org_zone()))
        .values("month")
        .annotate(month_net=Sum(F("amount_minor") - F("refunded_minor")))
        .values_list("month", "month_net")
    )
    by_month = {month.date(): int(net) for month, net in rows}
    return [(first, Money(by_month.get(first, 0), currency)) for first in firsts]
