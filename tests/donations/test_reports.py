"""Giving reports: LYBUNT / SYBUNT on a hand-made fixture over three years (asserted donor
by donor), retention, totals by month / campaign / source, the chart, CSV, query counts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from donations.models import DonationSource, DonationStatus, Donor
from donations.selectors import reports
from tests.donations.portal_data import campaign, gift
from tests.utils import read_download

pytestmark = pytest.mark.django_db

PAID = DonationStatus.PAID


@pytest.fixture
def fixture(settings) -> dict[str, Donor]:
    """Donors over 2023-2026; the organisation is in New York."""
    settings.ORG_TIME_ZONE = "America/New_York"
    d = {
        key: Donor.objects.create(name=f"Donor {key}", email=f"{key}@x.example")
        for key in "ABCDEFGHIJK"
    }
    spring = campaign("spring")
    gift(d["A"], 1000, paid="2024-02-01")
    gift(d["A"], 1000, paid="2025-02-01", campaign=spring)
    gift(d["A"], 1000, paid="2026-02-01", campaign=spring)
    gift(d["B"], 2000, paid="2025-05-05")  # last year only: LYBUNT
    gift(d["C"], 3000, paid="2024-07-07")  # two years ago only: SYBUNT
    gift(d["D"], 4000, paid="2024-03-03")  # 2024 and 2025: LYBUNT, not SYBUNT
    gift(d["D"], 4000, paid="2025-03-03")
    gift(d["E"], 5000, paid="2024-04-04")  # 2024 and this year: neither
    gift(d["E"], 5000, paid="2026-04-04")
    gift(d["F"], 6000, paid="2024-06-06")  # 2025 gift refunded in full: SYBUNT
    gift(d["F"], 6000, paid="2025-06-06", refunded=6000, status=DonationStatus.REFUNDED)
    gift(d["G"], 7000, paid="2025-06-06", status=DonationStatus.FAILED)  # never gave
    gift(d["H"], 8000, paid="2025-08-08", refunded=1000, status=DonationStatus.PARTIALLY_REFUNDED)
    gift(d["I"], 9000, paid="2026-01-09", source=DonationSource.IMPORT)  # new this year
    # 03:30 UTC on 1 January 2026 is still New Year's Eve 2025 in New York.
    gift(d["J"], 1100, paid=datetime(2026, 1, 1, 3, 30, tzinfo=UTC))
    gift(d["K"], 1200, paid="2023-09-09")  # some earlier year: SYBUNT
    gift(d["E"], 300000, "VND", paid="2026-04-05")
    return d


def names(donors) -> list[str]:
    return [donor.name for donor in donors]


def test_lybunt_donor_by_donor(fixture):
    assert names(reports.lybunt(2026)) == ["Donor B", "Donor D", "Donor H", "Donor J"]
    assert names(reports.lybunt(2025)) == ["Donor C", "Donor E", "Donor F"]
    assert names(reports.lybunt(2024)) == ["Donor K"]


def test_sybunt_donor_by_donor(fixture):
    assert names(reports.sybunt(2026)) == ["Donor C", "Donor F", "Donor K"]
    assert names(reports.sybunt(2025)) == ["Donor K"]
    assert names(reports.sybunt(2024)) == []


def test_lybunt_carries_the_last_gift(fixture):
    last = {donor.name: getattr(donor, "last_gift_at", None) for donor in reports.lybunt(2026)}
    assert last["Donor J"] == datetime(2026, 1, 1, 3, 30, tzinfo=UTC)
    assert last["Donor D"] == datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


def test_retention(fixture):
    rows = reports.retention(first_year=2024, last_year=2026)
    assert [(r.year, r.previous_donors, r.retained, r.new_donors, r.percent) for r in rows] == [
        (2024, 1, 0, 5, "0.0%"),  # K gave in 2023; A C D E F are new in 2024
        (2025, 5, 2, 3, "40.0%"),  # of A C D E F, A and D gave again; B H J are new
        (2026, 5, 1, 1, "20.0%"),  # of A B D H J, only A; I is new (E came back)
    ]


def test_totals(fixture):
    # None of these card gifts has its Stripe figures: USD ones count their amount with the
    # fee unknown, the VND one is left out of the USD totals and kept beside them.
    months = [
        (r.key, r.net.currency, r.gross.minor, r.fees.minor, r.net.minor, r.gifts, r.fee_unknown)
        for r in reports.totals_by_month(2025)
    ]
    assert months == [
        ("2025-02", "USD", 1000, 0, 1000, 1, 1),
        ("2025-03", "USD", 4000, 0, 4000, 1, 1),
        ("2025-05", "USD", 2000, 0, 2000, 1, 1),
        ("2025-08", "USD", 7000, 0, 7000, 1, 1),
        ("2025-12", "USD", 1100, 0, 1100, 1, 1),
    ]
    by_campaign = [(r.label, r.net.minor) for r in reports.totals_by_campaign(2025)]
    assert by_campaign == [("No campaign", 14100), ("Spring", 1000)]
    by_source = [
        (r.key, r.net.minor, r.donors, r.unconverted, [str(m) for m in r.originals])
        for r in reports.totals_by_source(2026)
    ]
    # One line per method, whatever the currencies.
    assert by_source == [
        ("import", 9000, 1, 0, ["90.00 USD"]),
        ("stripe", 6000, 2, 1, ["60.00 USD", "300000 VND"]),
    ]


def test_chart_has_twelve_bars_scaled_to_the_largest_month(fixture):
    chart = reports.monthly_chart(reports.totals_by_month(2025), year=2025, currency="USD")
    heights = [bar.height for bar in chart.bars]
    assert len(heights) == 12
    assert heights[7] == max(heights) == 190  # August, 70.00
    assert heights[0] == 0
    assert heights[2] == round(190 * 4000 / 7000)


def test_report_page_and_csv(client: Client, coordinator, fixture):
    client.force_login(coordinator)
    page = client.get("/coordinator/giving/reports/", {"year": 2026}).content.decode()
    assert "<svg" in page
    assert "LYBUNT" in page and "Donor J" in page
    response = client.get("/coordinator/giving/reports/lybunt.csv", {"year": 2026})
    rows = list(csv.DictReader(io.StringIO(read_download(response).decode())))
    assert [row["name"] for row in rows] == ["Donor B", "Donor D", "Donor H", "Donor J"]
    response = client.get("/coordinator/giving/reports/retention.csv", {"year": 2026})
    rows = list(csv.DictReader(io.StringIO(read_download(response).decode())))
    assert rows[-1] == {
        "year": "2026",
        "donors_previous_year": "5",
        "retained": "1",
        "new_donors": "1",
        "retention_rate": "0.2000",
    }
    response = client.get("/coordinator/giving/reports/sources.csv", {"year": 2026})
    text = read_download(response).decode()
    assert "import,Imported (CSV),USD,90.00,0.00,90.00,1,1,0,0,90.00 USD" in text
    assert "stripe,Card (Stripe),USD,60.00,0.00,60.00,3,2,2,1,60.00 USD 300000 VND" in text
    assert client.get("/coordinator/giving/reports/nope.csv").status_code == 404
    # A bad year is a form error, not a 500.
    assert client.get("/coordinator/giving/reports/", {"year": "abc"}).status_code == 200


def _more(count: int) -> None:
    fund = campaign(f"more-{count}")
    for i in range(count):
        donor = Donor.objects.create(name=f"Extra {count}-{i}", email=f"e{count}-{i}@x.example")
        gift(donor, 1000 + i, paid=f"2025-0{1 + i % 9}-10", campaign=fund)
        gift(donor, 1000 + i, paid=f"2024-0{1 + i % 9}-10", source=DonationSource.IMPORT)


def test_report_query_count_does_not_grow(client: Client, coordinator, fixture):
    client.force_login(coordinator)
    _more(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/coordinator/giving/reports/", {"year": 2026}).status_code == 200
    _more(15)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/coordinator/giving/reports/", {"year": 2026}).status_code == 200
    assert len(small) == len(large)


def test_the_chart_shows_the_reporting_currency_by_default(
    client: Client, coordinator, fixture, settings
):
    settings.REPORTING_CURRENCY = "USD"
    client.force_login(coordinator)
    response = client.get("/coordinator/giving/reports/", {"year": 2026})
    assert response.context["chart"].currency == "USD"
    assert response.context["chart"].all_gifts is True
    # The chart's currency is a choice among those with gifts, not a free-text box.
    page = response.content.decode()
    assert '<select name="currency"' in page
    assert '<option value="VND">' in page
    assert '<input type="text" name="currency"' not in page
    vnd = client.get("/coordinator/giving/reports/", {"year": "2026", "currency": "VND"})
    assert (vnd.context["chart"].currency, vnd.context["chart"].all_gifts) == ("VND", False)
    chosen = client.get("/coordinator/giving/reports/", {"year": "2026", "currency": "XXX"})
    assert chosen.status_code == 200
    assert "currency" in chosen.context["form"].errors


def test_the_chart_formats_money_as_everywhere(fixture, settings):
    chart = reports.monthly_chart(reports.totals_by_month(2025), year=2025, currency="USD")
    assert chart.max_label == "$70.00"
    assert chart.bars[7].value == "$70.00"
    assert chart.bars[0].value == "$0.00"


def test_retention_starts_at_the_first_year_with_gifts(fixture):
    rows = reports.retention(first_year=2020, last_year=2026)
    assert [r.year for r in rows] == [2023, 2024, 2025, 2026]
    assert rows[0].new_donors == 1  # K


def test_retention_with_no_gifts_at_all_is_empty():
    assert reports.retention(first_year=2022, last_year=2026) == []
