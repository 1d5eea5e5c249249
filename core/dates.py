"""The organisation's calendar: one "today" for every page, rule and record."""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.conf import settings
from django.utils import timezone


def org_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.ORG_TIME_ZONE)


def org_today() -> date:
    """Today's date where the organisation is (settings.ORG_TIME_ZONE).

    Completion, issue and expiry dates are dates of the organisation's calendar, so every
    "is it still valid today?" uses this, whatever zone the server or the viewer is in.
    """
    return timezone.localdate(timezone=org_zone())
