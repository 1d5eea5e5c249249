"""Content-Security-Policy and Permissions-Policy on every response.

The policy is in settings (``CONTENT_SECURITY_POLICY``, directive -> sources) and allows no
inline script or style: pages load their scripts and styles from our static files, htmx's
``hx-headers`` is an attribute (data, not script), segno's QR codes are SVG markup with
presentation attributes. A view that needs a directive of its own (the embeddable donate form
names the sites that may frame it) sets the header itself: its directives replace the same
directives of the policy, and the others are kept.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CSP_HEADER = "Content-Security-Policy"
PERMISSIONS_HEADER = "Permissions-Policy"


def parse_policy(header: str) -> dict[str, str]:
    """A CSP header as directive -> sources (in the header's order)."""
    directives: dict[str, str] = {}
    for part in header.split(";"):
        name, _, sources = part.strip().partition(" ")
        if name:
            directives.setdefault(name.lower(), sources.strip())
    return directives


def policy_header(view_directives: dict[str, str]) -> str:
    directives = {**settings.CONTENT_SECURITY_POLICY, **view_directives}
    return "; ".join(f"{name} {sources}".strip() for name, sources in directives.items() if name)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        own = parse_policy(response.headers.get(CSP_HEADER, ""))
        response.headers[CSP_HEADER] = policy_header(own)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault(PERMISSIONS_HEADER, settings.PERMISSIONS_POLICY)
        return response
