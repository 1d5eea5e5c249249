"""The site's menu: one list per role, grouped by area, folded into one menu on a phone.

The pages of every area are reached from here (the coordinator's home no longer has rows
of buttons), so the browser tests open every page of the menu for every demo role.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_can


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url_name: str
    query: str = ""

    @property
    def url(self) -> str:
        return link_url(self.url_name, self.query, _urlconf(), get_script_prefix())

    def open_to(self, user: object) -> bool:
        """Whether ``user`` may open the page: the permissions its view declares
        (``accounts.permissions.permission_required``), any one of them."""
        needed = required_permissions(self.url_name, _urlconf())
        return not needed or any(user_can(user, permission) for permission in needed)


def _urlconf() -> str:
    """The URLs in use, by name (a request's own, else ROOT_URLCONF), part of the caches'
    keys: a test that swaps ROOT_URLCONF without Django's setting_changed signal (pytest's
    ``urls`` mark) gets its own entries."""
    return str(get_urlconf() or settings.ROOT_URLCONF)


@functools.cache
def required_permissions(url_name: str, urlconf: str | None = None) -> tuple[str, ...]:
    """The permissions the view of ``url_name`` declares, looked up once per process: the
    menu asks for each of its links on every page (reversing and resolving them each time
    was a third of the time of a short page)."""
    view = resolve(reverse(url_name, urlconf=urlconf), urlconf=urlconf).func
    return tuple(getattr(view, "required_permissions", ()))


@functools.cache
def link_url(url_name: str, query: str, urlconf: str | None, script_prefix: str) -> str:
    """A menu link's address, reversed once per process (and URL prefix): a page shows
    every link of its person's menu, and reads each address three times."""
    path = reverse(url_name, urlconf=urlconf)
    return path + (f"?{query}" if query else "")


@receiver(setting_changed)
def _urls_changed(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":  # a test's own URLs
        required_permissions.cache_clear()
        link_url.cache_clear()


@dataclass(frozen=True)
class Group:
    label: str | Promise
    links: list[Link] = field(default_factory=list)
    key: str = ""


COORDINATOR_MENU: list[Link | Group] = [
    Link(_("Today"), "dashboard:coordinator_home"),
    Group(
        _("Volunteering"),
        [
            Link(_("Shifts"), "volunteers:coord_shifts"),
            Link(_("Calendar"), "volunteers:coord_calendar"),
            Link(_("Staffing gaps"), "volunteers:coord_staffing_gaps"),
            Link(_("Volunteers"), "volunteers:coord_volunteers"),
            Link(_("Applications"), "volunteers:coord_applications"),
            Link(_("Certificates to check"), "volunteers:coord_evidence"),
            Link(_("Hours to approve"), "volunteers:coord_hours"),
            Link(_("Hours totals"), "volunteers:coord_hours_totals"),
            Link(_("Roles"), "volunteers:coord_roles"),
            Link(_("Trainings and sessions"), "volunteers:coord_trainings"),
            Link(_("Clearances"), "volunteers:coord_clearances"),
            Link(_("Expiring soon"), "volunteers:coord_expiring"),
        ],
        key="volunteering",
    ),
    Group(
        _("Giving"),
        [
            Link(_("Donations"), "donations:coord_donations"),
            Link(_("Monthly gifts"), "donations:coord_recurring"),
            Link(_("Campaigns"), "donations:coord_campaigns"),
            Link(_("Donors"), "donations:coord_donors"),
            Link(_("Duplicate donors"), "donations:coord_duplicates"),
            Link(_("Import past gifts"), "donations:coord_import"),
            Link(_("Enter a cash or cheque gift"), "donations:coord_offline_gift"),
            Link(_("Deposits"), "donations:coord_deposits"),
            Link(_("Receipts"), "donations:coord_receipts"),
            Link(_("Year-end statements"), "donations:coord_statements"),
            Link(_("Reports"), "donations:coord_reports"),
            Link(_("Stripe events"), "donations:coord_events"),
        ],
        key="giving",
    ),
    Group(
        _("Messages"),
        [
            Link(_("Message a group"), "dashboard:group_message_new"),
            Link(_("Group messages"), "dashboard:group_messages"),
            Link(_("Outbox"), "notifications:outbox"),
            Link(_("Failed messages"), "notifications:outbox", "status=failed"),
        ],
        key="messages",
    ),
    Link(_("Audit trail"), "dashboard:audit"),
]

VOLUNTEER_MENU: list[Link | Group] = [
    Link(_("My volunteering"), "volunteers:home"),
    Link(_("Open shifts"), "volunteers:open_shifts"),
    Link(_("Calendar"), "volunteers:shift_calendar"),
    Link(_("My schedule"), "volunteers:my_schedule"),
]

DONOR_MENU: list[Link | Group] = [Link(_("Giving"), "donations:home")]

# Each part of the menu, and the permission that shows it; within it, each page shows
# only to those its view lets in.
MENUS: list[tuple[str, list[Link | Group]]] = [
    ("staff.home", COORDINATOR_MENU),
    ("volunteer.self", VOLUNTEER_MENU),
    ("donor.self", DONOR_MENU),
]


def menu_for(user: object) -> list[Link | Group]:
    """The menu of ``user``: the staff part, then the volunteer's and the donor's, each
    with the pages ``user`` may open (a group with none left out)."""
    items: list[Link | Group] = []
    for permission, menu in MENUS:
        if not user_can(user, permission):
            continue
        for item in menu:
            if isinstance(item, Group):
                links = [link for link in item.links if link.open_to(user)]
                if links:
                    items.append(Group(item.label, links, key=item.key))
            elif item.open_to(user):
                items.append(item)
    return items


def site_menu(request: HttpRequest) -> dict[str, object]:
    """Template context: ``site_menu`` (the logged-in person's menu, or [])."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_menu": []}
    return {"site_menu": menu_for(user)}
