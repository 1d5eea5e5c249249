"""Coordinators' giving reports: LYBUNT, SYBUNT, retention, totals, a chart, CSV exports.

The definitions are in ``donations.selectors.reports``; these views parse the year and render.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.dates import org_today
from donations.forms.portal import ReportForm
from donations.money import from_minor
from donations.selectors import reports
from donations.views.records import csv_response

RETENTION_YEARS = 5


def _chosen(request: AuthenticatedHttpRequest) -> tuple[ReportForm, int, str]:
    this_year = org_today().year
    form = ReportForm(request.GET or None, initial={"year": this_year})
    year, currency = this_year, ""
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
        currency = form.cleaned_data["currency"]
    return form, year, currency


@permission_required("reports.giving")
@require_GET
def report_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, year, currency = _chosen(request)
    months = reports.totals_by_month(year)
    currencies = sorted({row.money.currency for row in months})
    if currency not in currencies:
        # The organisation's own currency when it has gifts in it, else the one most gifts
        # were in (not the first in the alphabet).
        gifts_in: dict[str, int] = {}
        for row in months:
            gifts_in[row.money.currency] = gifts_in.get(row.money.currency, 0) + row.gifts
        default = settings.DONATION_DEFAULT_CURRENCY
        currency = (
            default
            if default in gifts_in
            else max(currencies, key=lambda code: (gifts_in[code], code))
            if currencies
            else ""
        )
    context: dict[str, Any] = {
        "form": form,
        "year": year,
        "lybunt": list(reports.lybunt(year)),
        "sybunt": list(reports.sybunt(year)),
        "retention": reports.retention(first_year=year - RETENTION_YEARS + 1, last_year=year),
        "months": months,
        "campaigns": reports.totals_by_campaign(year),
        "sources": reports.totals_by_source(year),
        "currencies": currencies,
        "chart": reports.monthly_chart(months, year=year, currency=currency) if currency else None,
        "years": reports.report_years(),
        "section": "reports",
        "zone": settings.ORG_TIME_ZONE,
    }
    return render(request, "donations/records/reports.html", context)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _total_rows(rows: Iterable[reports.TotalRow]) -> Iterable[list[Any]]:
    for row in rows:
        yield [
            row.key,
            row.label,
            row.money.currency,
            from_minor(row.money.minor, row.money.currency),
            row.gifts,
            row.donors,
        ]


@permission_required("reports.giving")
@require_GET
def report_csv(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    _form, year, _currency = _chosen(request)
    totals_header = ["key", "label", "currency", "net_total", "gifts", "donors"]
    if name in ("lybunt", "sybunt"):
        donors = reports.lybunt(year) if name == "lybunt" else reports.sybunt(year)
        rows = (
            [
                donor.pk,
                donor.name,
                donor.email,
                _iso(getattr(donor, "last_gift_at", None)),
            ]
            for donor in donors
        )
        return csv_response(
            f"{name}-{year}.csv", ["donor_id", "name", "email", "last_gift_at"], rows
        )
    if name == "retention":
        retention = reports.retention(first_year=year - RETENTION_YEARS + 1, last_year=year)
        return csv_response(
            f"retention-{year}.csv",
            ["year", "donors_previous_year", "retained", "new_donors", "retention_rate"],
            (
                [
                    r.year,
                    r.previous_donors,
                    r.retained,
                    r.new_donors,
                    "" if r.rate is None else f"{r.rate:.4f}",
                ]
                for r in retention
            ),
        )
    if name == "months":
        return csv_response(
            f"totals-by-month-{year}.csv", totals_header, _total_rows(reports.totals_by_month(year))
        )
    if name == "campaigns":
        return csv_response(
            f"totals-by-campaign-{year}.csv",
            totals_header,
            _total_rows(reports.totals_by_campaign(year)),
        )
    if name == "sources":
        return csv_response(
            f"totals-by-source-{year}.csv",
            totals_header,
            _total_rows(reports.totals_by_source(year)),
        )
    raise Http404("No such report.")
