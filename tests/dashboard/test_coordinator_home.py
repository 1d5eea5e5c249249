"""The coordinator's live home, figure by figure on a hand-made fixture.

It is Monday 7 December 2026, 09:00 in New York (14:00 UTC), the organisation's zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from dashboard.overview import hours_value
from donations.models import DonationStatus, Donor
from donations.money import Money
from tests.donations.portal_data import gift, monthly
from tests.factories import make_users
from tests.volunteers.factories import (
    make_clearance,
    make_clearance_type,
    make_location,
    make_record,
    make_role,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers.models import (
    HoursEntry,
    HoursSource,
    HoursStatus,
    Qualification,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    StaffingRule,
    VolunteerRole,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
NY = "America/New_York"


@pytest.fixture(autouse=True)
def _monday_morning(settings) -> Iterator[None]:
    settings.ORG_TIME_ZONE = NY
    settings.DONATION_DEFAULT_CURRENCY = "USD"
    settings.VOLUNTEER_HOUR_VALUE = "33.49"
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: int, hour: int, month: int = 12) -> datetime:
    """``hour`` o'clock New York time (EST, UTC-5) on ``day`` December 2026."""
    return datetime(2026, month, day, 5, 0, tzinfo=UTC) + timedelta(hours=hour)


def place(shift: Shift, person: User, *, checked_in: datetime | None = None) -> ShiftSignup:
    return ShiftSignup.objects.create(
        shift=shift,
        volunteer=person,
        status=ShiftSignupStatus.CONFIRMED,
        joined_at=NOW - timedelta(days=3),
        check_in_at=checked_in,
    )


def hours(person: User, role: VolunteerRole, day: date, minutes: int, status: str) -> None:
    start = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
    HoursEntry.objects.create(
        volunteer=person,
        role=role,
        date=day,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        minutes=minutes,
        source=HoursSource.MANUAL,
        status=status,
    )


@pytest.fixture
def week() -> dict[str, Any]:
    location = make_location(time_zone=NY)
    safeguarding = make_training("Safeguarding", validity_months=12)
    outreach = make_role("Outreach", trainings=[safeguarding])
    lead = make_role("Shift lead", is_qualification=True)
    StaffingRule.objects.create(role=outreach, qualification=lead, minimum=1)
    people = {
        name: make_volunteer(first_name=name.title(), last_name="Test", email=f"{name}@x.example")
        for name in ("alice", "bob", "dan", "erin", "frank", "gina", "hal", "ivy")
    }
    Qualification.objects.create(volunteer=people["erin"], role=lead, granted_on=date(2026, 1, 1))

    def shift(start: datetime, capacity: int, hours: int = 4) -> Shift:
        return make_shift(
            outreach, location=location, starts_at=start, hours=hours, capacity=capacity
        )

    morning = shift(at(7, 8), 3)  # started at 08:00; Alice checked in, Bob is late
    place(morning, people["alice"], checked_in=at(7, 7) + timedelta(minutes=55))
    place(morning, people["bob"])
    tonight = shift(at(7, 23), 2)  # 23:00 tonight; Dan expected, a place and a lead open
    place(tonight, people["dan"])
    shift(at(8, 10), 4)  # tomorrow: no one at all (not today's, the worst gap)
    full = shift(at(12, 9), 2)  # full, with its lead
    place(full, people["alice"])
    place(full, people["erin"])
    half = shift(at(14, 9), 2)  # a place open, lead there
    place(half, people["erin"])
    place(half, people["ivy"])
    half.capacity = 3
    half.save()
    no_lead = shift(at(20, 9), 1)  # full, without a lead; Alice's training has run out by then
    place(no_lead, people["alice"])
    shift(at(27, 9), 1)  # more than two weeks ahead: not counted

    # Alice's training expires on 15 December: the 20 December place is at risk, the 12th not.
    make_record(
        people["alice"],
        safeguarding,
        completed_on=date(2025, 12, 15),
        expires_on=date(2026, 12, 15),
    )
    make_clearance(
        people["bob"], make_clearance_type("Background check"), expires_on=date(2026, 12, 30)
    )

    hours(people["alice"], outreach, date(2026, 12, 2), 90, HoursStatus.APPROVED)
    hours(people["bob"], outreach, date(2026, 12, 3), 60, HoursStatus.APPROVED)
    hours(people["dan"], outreach, date(2026, 12, 4), 30, HoursStatus.PENDING)
    hours(people["gina"], outreach, date(2026, 12, 5), 120, HoursStatus.REJECTED)
    hours(people["gina"], outreach, date(2026, 10, 1), 120, HoursStatus.APPROVED)
    hours(people["frank"], outreach, date(2026, 7, 1), 180, HoursStatus.APPROVED)  # lapsing
    hours(people["hal"], outreach, date(2025, 10, 1), 60, HoursStatus.APPROVED)  # gone too long
    hours(people["ivy"], outreach, date(2026, 6, 1), 60, HoursStatus.APPROVED)  # booked again

    donor = Donor.objects.create(name="Donor", email="donor@x.example")
    gift(donor, 5000, paid="2026-12-03")
    gift(donor, 10000, paid="2026-03-10")
    gift(donor, 3000, paid="2026-06-01", refunded=1000, status=DonationStatus.PARTIALLY_REFUNDED)
    gift(donor, 4000, paid="2025-12-05")  # last year, within the same days
    gift(donor, 7000, paid="2025-12-20")  # last year, after today's date: not compared
    gift(donor, 1500, paid="2025-02-01")
    gift(donor, 9999, "EUR", paid="2026-12-04")  # another currency
    gift(donor, 2500, status=DonationStatus.FAILED, failed_at=NOW - timedelta(days=2))
    gift(donor, 2500, status=DonationStatus.FAILED, failed_at=NOW - timedelta(days=40))
    plan = monthly(donor)
    gift(
        donor,
        1500,
        status=DonationStatus.FAILED,
        failed_at=NOW - timedelta(days=3),
        recurring_gift=plan,
    )
    gift(donor, 1500, paid="2026-12-06", failed_at=NOW - timedelta(days=5), recurring_gift=plan)
    return {"people": people, "shifts": [morning, tonight, full, half, no_lead]}


def _render(client: Client) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/coordinator/")
    assert response.status_code == 200
    return len(queries), response


def test_today_and_tonight_with_checked_in_late_and_expected(client: Client, coordinator, week):
    client.force_login(coordinator)
    _, response = _render(client)
    rows = response.context["today_shifts"]
    morning, tonight = week["shifts"][:2]
    assert [row.shift for row in rows] == [morning, tonight]
    assert [(row.filled, row.capacity) for row in rows] == [(2, 3), (1, 2)]
    assert [[str(p) for p in row.checked_in] for row in rows] == [["Alice Test"], []]
    assert [[str(p) for p in row.late] for row in rows] == [["Bob Test"], []]
    assert [[str(p) for p in row.expected] for row in rows] == [[], ["Dan Test"]]
    page = response.content.decode()
    assert "2 of 3 places filled" in page
    assert re.search(r"<strong>Late:</strong>\s*Bob Test", page)


def test_open_places_worst_first_with_their_reasons(client: Client, coordinator, week):
    client.force_login(coordinator)
    _, response = _render(client)
    found = [
        (
            gap.shift.starts_at,
            gap.places_left,
            [(lead.qualification, lead.short) for lead in gap.leads],
        )
        for gap in response.context["open_places"]
    ]
    assert found == [
        (at(8, 10), 4, [("Shift lead", 1)]),  # every place empty
        (at(7, 23), 1, [("Shift lead", 1)]),  # half empty, no lead
        (at(14, 9), 1, []),  # a third empty
        (at(20, 9), 0, [("Shift lead", 1)]),  # full, but no lead
    ]
    page = response.content.decode()
    assert "short of 4 people" in page
    assert "no Shift lead" in page


def test_queues_link_to_their_pages_with_counts(client: Client, coordinator, week):
    client.force_login(coordinator)
    _, response = _render(client)
    assert response.context["queues"] == {
        "applicants": 0,
        "evidence": 0,
        "hours": 1,
        "failed_messages": 0,
        "failed_payments": 2,
    }
    page = " ".join(response.content.decode().split())
    assert (
        '<a href="/coordinator/giving/donations/?status=failed"><span class="count">2</span> '
        "payments failed in the last 30 days</a>" in page
    )
    assert '<span class="count">1</span> hours entry to approve</a>' in page


def test_volunteering_valued_beside_money_raised(client: Client, coordinator, week):
    client.force_login(coordinator)
    _, response = _render(client)
    month = response.context["month_hours"]
    assert (month.approved_minutes, month.pending_minutes, month.volunteers) == (150, 30, 3)
    # 2.5 hours at 33.49 are 83.725, rounded half up to the cent.
    assert response.context["month_hours_value"] == Money(8373, "USD")
    giving = response.context["giving"]
    assert giving.month == Money(6500, "USD")  # 50.00 + the recovered 15.00
    assert giving.month_last_year == Money(4000, "USD")
    assert giving.year_to_date == Money(18500, "USD")  # 65.00 + 100.00 + 20.00 net
    assert giving.year_to_date_last_year == Money(5500, "USD")
    assert (giving.monthly_failed, giving.monthly_recovered) == (1, 1)
    page = " ".join(response.content.decode().split())
    assert "2.5 hours</span>" in page
    assert "of volunteering, worth $83.73 at $33.49 an hour" in page
    assert "$185.00" in page and "$55.00" in page


def test_money_raised_is_gross_fees_and_net_in_the_reporting_currency(
    client: Client, coordinator, week, settings
):
    settings.REPORTING_CURRENCY = "USD"
    donor = Donor.objects.get(email="donor@x.example")
    # This month: JPY 5,000 settled into USD as 33.50, Stripe kept 1.27.
    gift(
        donor,
        5000,
        "JPY",
        paid="2026-12-02",
        settlement_currency="USD",
        settled_gross_minor=3350,
        settled_fee_minor=127,
        settled_net_minor=3223,
    )
    # In March: USD 80.00 with a fee of 2.62, refunded 10.00 (settled gross 70.00).
    gift(
        donor,
        8000,
        paid="2026-03-20",
        refunded=1000,
        status=DonationStatus.PARTIALLY_REFUNDED,
        settlement_currency="USD",
        settled_gross_minor=7000,
        settled_fee_minor=262,
        settled_net_minor=6738,
    )
    # Settled into another account's currency: no USD figure, not counted.
    gift(
        donor,
        2000,
        "EUR",
        paid="2026-12-03",
        settlement_currency="EUR",
        settled_gross_minor=2000,
        settled_fee_minor=55,
        settled_net_minor=1945,
    )
    client.force_login(coordinator)
    _, response = _render(client)
    giving = response.context["giving"]
    # Month: 50.00 + 15.00 (no fee known) + 33.50 gross; fees 1.27.
    assert giving.month_gross == Money(9850, "USD")
    assert giving.month_fees == Money(127, "USD")
    assert giving.month == Money(9723, "USD")
    # Year: 185.00 + 33.50 + 70.00 gross; fees 1.27 + 2.62.
    assert giving.year_to_date_gross == Money(28850, "USD")
    assert giving.year_to_date_fees == Money(389, "USD")
    assert giving.year_to_date == Money(28461, "USD")
    assert giving.unconverted == 2  # the EUR gifts (9999 unsettled, 2000 settled in EUR)
    page = " ".join(response.content.decode().split())
    assert "Gross $98.50, fees $1.27, net $97.23" in page
    assert "Gross $288.50, fees $3.89, net $284.61" in page
    assert "2 gifts this year have no amount in USD yet." in page


def test_hours_value_uses_the_configured_rate(settings) -> None:
    settings.VOLUNTEER_HOUR_VALUE = "20"
    assert hours_value(45, "USD") == Money(1500, "USD")
    assert hours_value(1, "JPY") == Money(0, "JPY")
    settings.VOLUNTEER_HOUR_VALUE = "2000"
    assert hours_value(90, "JPY") == Money(3000, "JPY")


def test_expiring_with_the_shifts_they_put_at_risk(client: Client, coordinator, week):
    client.force_login(coordinator)
    _, response = _render(client)
    no_lead = week["shifts"][4]
    found = [
        (str(item.volunteer), item.name, item.expires_on, item.shifts)
        for item in response.context["at_risk"]
    ]
    assert found == [
        ("Alice Test", "Safeguarding", date(2026, 12, 15), [no_lead]),
        ("Bob Test", "Background check", date(2026, 12, 30), []),
    ]
    assert "Puts 1 shift at risk:" in response.content.decode()


def test_new_and_lapsing_volunteers(client: Client, coordinator, week):
    client.force_login(coordinator)
    _, response = _render(client)
    assert response.context["new_volunteer_count"] == 8
    assert response.context["lapsing_count"] == 1
    assert [(str(r.volunteer), r.last_day) for r in response.context["lapsing"]] == [
        ("Frank Test", date(2026, 7, 1))
    ]


def test_charts_have_twelve_months_scaled_to_the_largest(client: Client, coordinator, week):
    client.force_login(coordinator)
    _, response = _render(client)
    hours_chart, gifts_chart = response.context["charts"]
    texts = [bar.text for bar in hours_chart.bars]
    assert (len(texts), texts[0], texts[-1]) == (12, "Jan 2026: 0 hours", "Dec 2026: 2.5 hours")
    heights = {bar.text.split(":")[0]: bar.height for bar in hours_chart.bars}
    assert heights["Jul 2026"] == 94  # the largest month: the whole plot
    assert heights["Oct 2026"] == round(94 * 120 / 180)
    texts = [bar.text for bar in gifts_chart.bars]
    assert (texts[2], texts[-1]) == ("Mar 2026: $100.00", "Dec 2026: $65.00")
    page = response.content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2


def _shifts(count: int, location, role, volunteers: list[User]) -> None:
    shifts = Shift.objects.bulk_create(
        Shift(
            role=role,
            location=location,
            starts_at=NOW + timedelta(hours=2 + n % 300),
            ends_at=NOW + timedelta(hours=5 + n % 300),
            capacity=3,
        )
        for n in range(count)
    )
    ShiftSignup.objects.bulk_create(
        ShiftSignup(
            shift=shift,
            volunteer=volunteers[n % len(volunteers)],
            status=ShiftSignupStatus.CONFIRMED,
            joined_at=NOW,
        )
        for n, shift in enumerate(shifts)
    )


def test_query_count_is_the_same_at_10_and_500_shifts(client: Client, coordinator, week):
    client.force_login(coordinator)
    location = make_location(time_zone=NY)
    role = VolunteerRole.objects.get(name="Outreach")
    volunteers = list(week["people"].values())
    _shifts(10, location, role, volunteers)
    small, first = _render(client)
    _shifts(490, location, role, volunteers)
    make_users(30)
    large, second = _render(client)
    assert len(second.context["open_places"]) > len(first.context["open_places"])
    assert small == large
