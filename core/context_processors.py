from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def organisation(request: HttpRequest) -> dict[str, object]:
    """The organisation's name, address and logo, for the header, footer and e-mails."""
    logo: str = settings.ORG_LOGO
    return {
        "org": {
            "name": settings.ORG_NAME,
            "address": settings.ORG_ADDRESS,
            "email": settings.ORG_EMAIL,
            "phone": settings.ORG_PHONE,
            "logo": logo,
            "logo_is_url": logo.startswith(("http://", "https://", "/")),
        }
    }
