"""The coordinators' daily digest: what needs attention across shifts, hours and gifts.

It joins both domains, so it lives in dashboard/ (volunteers and donations never import
each other). Run hourly by beat; from ``DIGEST_HOUR`` in the organisation's zone it queues
one message per active coordinator per day (dedupe key ``coordinator.digest:<user>:<day>``),
so extra runs, or two at once, send nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import people_who_can
from core.dates import org_zone
from core.locales import translated
from dashboard.message_kinds import DIGEST
from donations.models import Donation, DonationStatus
from donations.money import format_money
from notifications.services import enqueue_message
from volunteers.selectors.shifts import pending_hours, staffing_gaps

DIGEST_KIND = DIGEST.name
DIGEST_DAYS = 7


def _url(name: str) -> str:
    site: str = settings.SITE_URL
    return site + reverse(name)


def digest_context(*, now: datetime, language: str) -> dict[str, Any]:
    """What the digest says, the same for every coordinator who reads ``language`` (times in
    UTC ISO, zone named; role names and amounts in that language)."""
    shifts = []
    for gap in staffing_gaps(days=DIGEST_DAYS):
        shift = gap.shift
        shifts.append(
            {
                "title": translated(shift.role, "name", language),
                "starts_at": shift.starts_at.isoformat(),
                "zone": shift.location.time_zone,
                "location": shift.location.name,
                "signed_up": shift.capacity - gap.places_left,
                "capacity": shift.capacity,
                "missing_lead": bool(gap.gaps),
                "url": settings.SITE_URL + reverse("volunteers:coord_shift", args=[shift.pk]),
            }
        )
    failed = (
        Donation.objects.filter(
            status=DonationStatus.FAILED, failed_at__gte=now - timedelta(days=1)
        )
        .select_related("donor")
        .order_by("failed_at", "pk")
    )
    return {
        "date": now.astimezone(org_zone()).date().isoformat(),
        "understaffed_shifts": shifts,
        "hours_awaiting_approval": pending_hours().count(),
        "hours_url": _url("volunteers:coord_hours"),
        "failed_payments": [
            {
                "donor_name": gift.donor.name,
                "amount": format_money(gift.money, language),
                "failed_at": gift.failed_at.isoformat() if gift.failed_at else "",
            }
            for gift in failed
        ],
        "dashboard_url": _url("dashboard:coordinator_home"),
    }


def send_coordinator_digest(*, now: datetime | None = None) -> int:
    """Queue today's digest for each coordinator once it is DIGEST_HOUR; how many were new."""
    now = now or timezone.now()
    local = now.astimezone(org_zone())
    if local.hour < settings.DIGEST_HOUR:
        return 0
    # The digest names donors and volunteers' shifts alike: it goes to those who may see
    # both (administrators).
    coordinators = list(people_who_can("volunteering.manage", "giving.manage"))
    if not coordinators:
        return 0
    contexts: dict[str, dict[str, Any]] = {}  # one per language the coordinators read
    queued = 0
    with transaction.atomic():
        for user in coordinators:
            language = user.preferred_language
            if language not in contexts:
                contexts[language] = digest_context(now=now, language=language)
            queued += (
                enqueue_message(
                    recipient=user,
                    kind=DIGEST_KIND,
                    dedupe_key=f"{DIGEST_KIND}:{user.pk}:{local.date().isoformat()}",
                    context=contexts[language],
                )
                is not None
            )
    return queued
