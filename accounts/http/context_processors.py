from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from accounts.forms import LanguageForm
from accounts.roles import ROLE_HOME_URLS, Role
from core import locales


def roles(request: HttpRequest) -> dict[str, object]:
    """The navigation's role links: one per role the person holds, most privileged first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"role_links": []}
    links = [
        {"role": role.value, "label": _nav_label(role), "url": reverse(ROLE_HOME_URLS[role])}
        for role in user.ordered_roles()
    ]
    return {"role_links": links}


def _nav_label(role: Role) -> str:
    from django.utils.translation import gettext

    return {
        Role.COORDINATOR: gettext("Coordination"),
        Role.VOLUNTEER: gettext("Volunteering"),
        Role.DONOR: gettext("Giving"),
    }[role]


def language_switcher(request: HttpRequest) -> dict[str, object]:
    """The header's language switcher, when the pages can be shown in more than one."""
    if len(locales.page_languages()) < 2:
        return {"language_form": None}
    return {
        "language_form": LanguageForm(
            initial={"language": getattr(request, "LANGUAGE_CODE", ""), "next": request.path}
        )
    }
