"""The coordinators' daily digest: understaffed shifts, hours to approve, failed payments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.roles import Role
from dashboard.digest import send_coordinator_digest
from donations.models import Donation, DonationStatus, Donor
from notifications.models import Message
from tests.factories import make_user
from tests.volunteers.factories import make_location, make_role, make_shift, make_volunteer
from volunteers import services

pytestmark = pytest.mark.django_db
# 12:00 UTC is 07:00 in New York (the organisation's zone in tests' settings).
MORNING = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_one_digest_per_coordinator_per_day_with_what_needs_attention(settings):
    settings.ORG_TIME_ZONE = "America/New_York"
    settings.DIGEST_HOUR = 7
    maya = make_user(roles=[Role.ADMINISTRATOR], email="maya@example.org")
    make_user(roles=[Role.ADMINISTRATOR], email="former@example.org", is_active=False)
    ana = make_volunteer(email="ana@example.org")
    with time_machine.travel(MORNING - timedelta(days=1), tick=False):
        office = make_location("Office", time_zone="America/New_York")
        short = make_shift(
            make_role("Outreach"),
            location=office,
            starts_at=MORNING + timedelta(days=2),
            capacity=3,
        )
        services.sign_up_for_shift(shift=short, volunteer=ana)
        make_shift(make_role("Far away"), location=office, starts_at=MORNING + timedelta(days=9))
        donor = Donor.objects.create(name="Chris Osei", email="chris@example.org")
        Donation.objects.create(
            donor=donor,
            amount_minor=1500,
            currency="USD",
            status=DonationStatus.FAILED,
            failed_at=MORNING - timedelta(hours=5),
        )
    with time_machine.travel(MORNING - timedelta(hours=1), tick=False):
        assert send_coordinator_digest() == 0  # 06:00 local: too early
    with time_machine.travel(MORNING, tick=False):
        assert send_coordinator_digest() == 1
        assert send_coordinator_digest() == 0
    [digest] = Message.objects.filter(kind="coordinator.digest")
    assert digest.recipient == maya
    assert digest.dedupe_key == f"coordinator.digest:{maya.pk}:2026-12-01"
    context = digest.context
    assert context["date"] == "2026-12-01"
    assert [
        (s["title"], s["signed_up"], s["capacity"]) for s in context["understaffed_shifts"]
    ] == [("Outreach", 1, 3)]
    assert context["hours_awaiting_approval"] == 0
    assert context["failed_payments"] == [
        {
            "donor_name": "Chris Osei",
            "amount": "$15.00",
            "failed_at": (MORNING - timedelta(hours=5)).isoformat(),
        }
    ]
    with time_machine.travel(MORNING + timedelta(days=1), tick=False):
        assert send_coordinator_digest() == 1  # the next day's
