from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from accounts.forms import LanguageForm
from accounts.permissions import granted_permissions
from accounts.roles import ROLE_HOME_URLS, STAFF_ROLES, Role
from core import locales


def roles(request: HttpRequest) -> dict[str, object]:
    """The navigation's role links, one per home the person has, most privileged first
    (every staff role shares the staff home), and ``granted``: the permissions the
    person holds, for templates to show only the links and buttons that will open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"role_links": [], "granted": frozenset()}
    links: list[dict[str, str]] = []
    seen: set[str] = set()
    for role in user.ordered_roles():
        url = reverse(ROLE_HOME_URLS[role])
        if url not in seen:
            seen.add(url)
            links.append({"role": _nav_role(role), "label": _nav_label(role), "url": url})
    return {"role_links": links, "granted": granted_permissions(user)}


def _nav_role(role: Role) -> str:
    return "staff" if role in STAFF_ROLES else role.value


def _nav_label(role: Role) -> str:
    if role in STAFF_ROLES:
        return gettext("Coordination")
    return {Role.VOLUNTEER: gettext("Volunteering"), Role.DONOR: gettext("Giving")}[role]


def language_switcher(request: HttpRequest) -> dict[str, object]:
    """The header's language switcher, when the pages can be shown in more than one."""
    if len(locales.page_languages()) < 2:
        return {"language_form": None}
    return {
        "language_form": LanguageForm(
            initial={"language": getattr(request, "LANGUAGE_CODE", ""), "next": request.path}
        )
    }
