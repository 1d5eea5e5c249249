from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Show pages in the logged-in person's language and time zone.

    Anonymous visitors get the language their browser asks for (LocaleMiddleware) and the
    organisation's time zone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone_name: str = settings.ORG_TIME_ZONE
        user = request.user
        if user.is_authenticated:
            zone_name = user.time_zone or zone_name
            if user.preferred_language:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = translation.get_language()
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.ORG_TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
