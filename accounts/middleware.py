from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


@cache
def page_languages() -> frozenset[str]:
    """Languages the pages can be shown in: the default, and each one the project translates."""
    translated = {
        code
        for code, _name in settings.LANGUAGES
        for folder in settings.LOCALE_PATHS
        if (Path(folder) / code / "LC_MESSAGES" / "django.mo").is_file()
    }
    return frozenset({settings.LANGUAGE_CODE, *translated})


class UserPreferencesMiddleware:
    """Show pages in the logged-in person's language (when translated) and time zone.

    Visitors get the default language and the organisation's time zone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone_name: str = settings.ORG_TIME_ZONE
        language: str = settings.LANGUAGE_CODE
        user = request.user
        if user.is_authenticated:
            zone_name = user.time_zone or zone_name
            if user.preferred_language in page_languages():
                language = user.preferred_language
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.ORG_TIME_ZONE))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response
