"""The volunteer site as an app on the phone's home screen: its web app manifest and its
service worker (served from the root, so it may control every volunteer page). Both are
public: a browser fetches the manifest without the person's cookies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# Bumped when the service worker's caching changes, so old copies are dropped.
CACHE_VERSION = "1"
THEME_COLOR = "#155e75"


@require_safe
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    name = str(settings.ORG_NAME)
    data = {
        "id": reverse("volunteers:home"),
        "name": _("%(org)s volunteers") % {"org": name},
        "short_name": name[:12],
        "description": _("Your shifts, reminders and trainings."),
        "start_url": reverse("volunteers:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {
                "src": static(f"img/icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_safe
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "cache_name": f"volunteer-schedule-v{CACHE_VERSION}",
        "schedule_url": reverse("volunteers:my_schedule"),
        "static_url": settings.STATIC_URL,
    }
    return render(request, "volunteers/app/sw.js", context, content_type="application/javascript")
