"""The site's menu: one list per role, grouped by area, folded into one menu on a phone.

The pages of every area are reached from here (the coordinator's home no longer has rows
of buttons), so the browser tests open every page of the menu for every demo role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url_name: str
    query: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name) + (f"?{self.query}" if self.query else "")


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
            Link(_("Public donation page"), "donations:donate"),
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
]

VOLUNTEER_MENU: list[Link | Group] = [
    Link(_("My volunteering"), "volunteers:home"),
    Link(_("Open shifts"), "volunteers:open_shifts"),
    Link(_("Calendar"), "volunteers:shift_calendar"),
    Link(_("My schedule"), "volunteers:my_schedule"),
]

DONOR_MENU: list[Link | Group] = [Link(_("Giving"), "donations:home")]

MENUS: dict[Role, list[Link | Group]] = {
    Role.COORDINATOR: COORDINATOR_MENU,
    Role.VOLUNTEER: VOLUNTEER_MENU,
    Role.DONOR: DONOR_MENU,
}


def menu_for(roles: list[Role]) -> list[Link | Group]:
    """The menu of someone holding ``roles``, most privileged role first; a person with
    several roles gets each role's part once."""
    items: list[Link | Group] = []
    for role in roles:
        items.extend(MENUS.get(role, []))
    return items


def site_menu(request: HttpRequest) -> dict[str, object]:
    """Template context: ``site_menu`` (the logged-in person's menu, or [])."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_menu": []}
    return {"site_menu": menu_for(user.ordered_roles())}
