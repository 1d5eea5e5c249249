"""What the coordinator's home shows, read through each domain's selectors (fixed queries).

It joins both domains, so it lives here: volunteering is valued at
``settings.VOLUNTEER_HOUR_VALUE`` an hour in the organisation's currency
(``DONATION_DEFAULT_CURRENCY``) and shown beside the money raised.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import selectors as people
from accounts.models import User
from accounts.permissions import user_can
from accounts.roles import Role
from core.dates import org_today
from dashboard.charts import monthly_bars
from donations.money import Money, decimals, format_money
from donations.selectors.overview import giving_overview, net_by_month
from notifications.models import Status
from notifications.selectors import outbox_list
from volunteers.selectors import overview as volunteering
from volunteers.selectors.people import volunteering_counts
from volunteers.selectors.shifts import pending_hours


def hours_value(minutes: int, currency: str) -> Money:
    """``minutes`` of volunteering at ``VOLUNTEER_HOUR_VALUE`` an hour, to the minor unit
    (half up): 90 minutes at 33.49 USD are 50.24 USD (50.235 rounded)."""
    rate = Decimal(settings.VOLUNTEER_HOUR_VALUE)
    minor = (Decimal(minutes) * rate * (10 ** decimals(currency)) / 60).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return Money(int(minor), currency)


def _hours_text(minutes: int) -> str:
    """150 -> "2.5 hours"; a part of an hour takes the plural form, as whole ones do."""
    whole, part = divmod(minutes, 60)
    shown = f"{minutes / 60:.1f}".removesuffix(".0")
    return ngettext("%(hours)s hour", "%(hours)s hours", whole if not part else 2) % {
        "hours": shown
    }


def coordinator_overview(user: User) -> dict[str, Any]:
    """The home's panels that ``user``'s permissions open: volunteering's with
    ``volunteering.view``, giving's with ``giving.view``, failed messages with
    ``outbox.view``."""
    can = {
        "volunteering": user_can(user, "volunteering.view"),
        "giving": user_can(user, "giving.view"),
        "outbox": user_can(user, "outbox.view"),
        "invite": user_can(user, "volunteering.manage"),
    }
    context: dict[str, Any] = {"can": can, "today": org_today()}
    if can["volunteering"]:
        context.update(_volunteering(context["today"]))
    if can["giving"]:
        context.update(_giving(context["today"]))
    queues: dict[str, int] = {}
    if can["volunteering"]:
        queues.update(context.pop("volunteering_queues"))
    if can["outbox"]:
        queues["failed_messages"] = outbox_list(status=Status.FAILED).count()
    if can["giving"]:
        queues["failed_payments"] = context["giving"].failed_payments
    context["queues"] = queues
    context["charts"] = [
        chart for chart in (context.get("hours_chart"), context.get("gifts_chart")) if chart
    ]
    return context


def _volunteering(today: date) -> dict[str, Any]:
    currency = settings.DONATION_DEFAULT_CURRENCY
    month_hours = volunteering.hours_in_month(month=today)
    lapsing_count, lapsing = volunteering.lapsing_volunteers(today=today)
    counts = volunteering_counts()
    hours_chart = monthly_bars(
        key="hours-chart",
        title=_("Approved volunteering hours per month, last 12 months"),
        points=[
            (month, minutes, _hours_text(minutes))
            for month, minutes in volunteering.approved_hours_by_month(today=today)
        ],
    )
    return {
        "today_shifts": volunteering.shifts_today(),
        "open_places": volunteering.open_places(),
        "volunteering_queues": {
            "applicants": counts["applicants"],
            "evidence": counts["evidence"],
            "hours": pending_hours().count(),
        },
        "month_hours": month_hours,
        "month_hours_text": _hours_text(month_hours.approved_minutes),
        "month_hours_value": hours_value(month_hours.approved_minutes, currency),
        "hour_value": hours_value(60, currency),
        "new_volunteers": people.recent_people(role=Role.VOLUNTEER),
        "new_volunteer_count": people.count_recent_people(role=Role.VOLUNTEER),
        "lapsing": lapsing,
        "lapsing_count": lapsing_count,
        "at_risk": volunteering.expiring_at_risk(today=today),
        "hours_chart": hours_chart,
    }


def _giving(today: date) -> dict[str, Any]:
    currency = settings.REPORTING_CURRENCY
    gifts_chart = monthly_bars(
        key="gifts-chart",
        title=_("Money raised per month, last 12 months (%(currency)s)") % {"currency": currency},
        points=[
            (month, money.minor, format_money(money)) for month, money in net_by_month(today=today)
        ],
    )
    return {
        "giving": giving_overview(today=today),
        "gifts_chart": gifts_chart,
    }
