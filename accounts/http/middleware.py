from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from core import locales
from core.dates import person_zone

# Browsers that say Tagalog get Filipino, its standard form.
LANGUAGE_ALIASES = {"tl": "fil"}


def _supported(code: str | None) -> str | None:
    """``code`` (or its base language: es-MX -> es) if the pages can be shown in it."""
    if not code:
        return None
    code = code.lower()
    for candidate in (code, code.split("-")[0]):
        candidate = LANGUAGE_ALIASES.get(candidate, candidate)
        if candidate in locales.page_languages():
            return candidate
    return None


def request_language(request: HttpRequest) -> str:
    """The reader's language: a logged-in person's preference, else the language a visitor
    chose with the switcher (a cookie), else the browser's Accept-Language, else the
    organisation's default (LANGUAGE_CODE)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        chosen = _supported(user.preferred_language)
        if chosen:
            return chosen
    chosen = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        chosen = _supported(code)
        if chosen:
            return chosen
    return str(settings.LANGUAGE_CODE)


class UserPreferencesMiddleware:
    """Show pages in the reader's language (``request_language``) and time zone (a
    logged-in person's, else the organisation's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        timezone.activate(person_zone(user.time_zone if user.is_authenticated else None))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
