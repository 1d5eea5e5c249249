"""Who may do what: the one permission map, and the guards every view, admin page and
export uses.

Permissions are strings named after the area and the kind of access, so apps below or
beside ``accounts`` can name them without ``accounts`` knowing any domain app: a domain
view declares ``@permission_required("volunteering.manage")``, and only this module
decides which roles hold it. An unknown name fails at import, so a typo cannot leave a
view open or shut.

An anonymous visitor is sent to log in; a logged-in person without the permission gets
403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role

# ---------------------------------------------------------------------------------------
# The permissions, by area. Staff permissions are those of the staff roles; the portals'
# are held by volunteers and donors for their own records.

STAFF_PERMISSIONS: dict[str, str] = {
    "staff.home": "the staff home page",
    "people.view": "a person's whole record (each part by its own permission)",
    "people.names": "names of volunteers and donors (pickers, lists), nothing more",
    "people.data": "export or erase everything held about a person",
    "staff.manage": "staff accounts, their roles and two-factor resets",
    "audit.view": "the audit trail",
    "admin.site": "the data administration site",
    "outbox.view": "the outbox: every message sent to anyone",
    "outbox.manage": "send a message again",
    "volunteering.view": "volunteers, applications, trainings, shifts and hours (reading)",
    "volunteering.manage": "volunteering's changes: applications, rosters, trainings, hours",
    "volunteering.export": "rosters as CSV or printed",
    "clearances.status": "which clearances a volunteer holds and until when",
    "clearances.details": "a clearance's reference, notes and document",
    "clearances.manage": "record and change clearances",
    "giving.view": "donors, gifts, receipts, statements and deposits (reading)",
    "giving.manage": "giving's changes: offline gifts, deposits, merges, imports, resends",
    "giving.export": "donor and gift exports, statement PDFs of any donor",
    "reports.giving": "giving's reports and their CSV",
    "reports.volunteering": "volunteering's reports (hours totals)",
}
PORTAL_PERMISSIONS: dict[str, str] = {
    "volunteer.self": "the volunteer's own pages",
    "donor.self": "the donor's own pages",
}
ALL_PERMISSIONS: frozenset[str] = frozenset(STAFF_PERMISSIONS) | frozenset(PORTAL_PERMISSIONS)

# ---------------------------------------------------------------------------------------
# THE MAP. Least privilege: each staff role holds what its work needs, nothing more.

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    # Settings, staff accounts, everything staff can do. Only this role holds "people.data"
    # (a person's export ZIP and erasure): the export spans volunteering and giving, and an
    # erasure cannot be undone.
    Role.ADMINISTRATOR: frozenset(STAFF_PERMISSIONS),
    # Volunteering; a clearance's status, never its details or document.
    Role.VOLUNTEER_COORDINATOR: frozenset(
        {
            "staff.home",
            "people.view",
            "people.names",
            "volunteering.view",
            "volunteering.manage",
            "volunteering.export",
            "clearances.status",
            "reports.volunteering",
        }
    ),
    # Clearances in full (details, documents, changes); reads volunteering to find people.
    Role.SAFEGUARDING_LEAD: frozenset(
        {
            "staff.home",
            "people.view",
            "people.names",
            "volunteering.view",
            "clearances.status",
            "clearances.details",
            "clearances.manage",
        }
    ),
    # Giving; of volunteers, names only.
    Role.FUNDRAISER: frozenset(
        {
            "staff.home",
            "people.view",
            "people.names",
            "giving.view",
            "giving.manage",
            "giving.export",
            "reports.giving",
        }
    ),
    # Read-only reports.
    Role.VIEWER: frozenset({"staff.home", "reports.giving", "reports.volunteering"}),
    Role.VOLUNTEER: frozenset({"volunteer.self"}),
    Role.DONOR: frozenset({"donor.self"}),
}


def check_permission_name(permission: str) -> str:
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"{permission!r} is not a permission of accounts/permissions.py")
    return permission


def permissions_for_roles(roles: Iterable[Role]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def roles_with(permission: str) -> tuple[Role, ...]:
    """The roles holding ``permission`` (to find who should hear about something)."""
    check_permission_name(permission)
    return tuple(role for role, granted in ROLE_PERMISSIONS.items() if permission in granted)


def is_staff_permission(permission: str) -> bool:
    return permission in STAFF_PERMISSIONS


def granted_permissions(user: Any) -> frozenset[str]:
    """Every permission ``user``'s roles give (none for visitors and inactive accounts);
    worked out once per user object (``User.forget_roles`` drops it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = user.__dict__.get("_granted_permissions")
    if cached is None:
        cached = permissions_for_roles(user.roles)
        user.__dict__["_granted_permissions"] = cached
    return cached


def user_can(user: Any, permission: str) -> bool:
    """Whether ``user`` (anyone, logged in or not) holds ``permission``."""
    check_permission_name(permission)
    return permission in granted_permissions(user)


# ---------------------------------------------------------------------------------------
# Guards for views.


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view that only logged-in people reach (after a permission check)."""

    user: User


# Any response: pages, redirects and file downloads alike.
R = TypeVar("R", bound=HttpResponseBase)


def refuse_unless(request: HttpRequest, permissions: tuple[str, ...]) -> HttpResponse | None:
    """None when the request may go on (the user holds one of ``permissions``, and for a
    staff permission has given the second factor in this session); a login redirect for
    visitors; the second-factor page for staff who have not; 403 otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not any(user_can(request.user, permission) for permission in permissions):
        raise PermissionDenied(_denied_message(permissions))
    if any(is_staff_permission(permission) for permission in permissions):
        return second_factor_missing(request)
    return None


def second_factor_verified(request: HttpRequest) -> bool:
    """Logged in with a second factor in this session (django-otp's OTPMiddleware). A
    password or a magic link alone is one factor."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def second_factor_missing(request: HttpRequest) -> HttpResponse | None:
    """None when the session has the second factor; else a redirect to give it (or to
    set it up, on a first staff login), coming back here after."""
    if second_factor_verified(request):
        return None
    return redirect_to_login(request.get_full_path(), login_url=reverse("accounts:two_factor"))


def permission_required(
    *permissions: str,
) -> Callable[[Callable[..., R]], Callable[..., R | HttpResponse]]:
    """Decorate a view so only people holding one of ``permissions`` may open it."""
    if not permissions:
        raise ValueError("permission_required needs at least one permission")
    for permission in permissions:
        check_permission_name(permission)

    def decorator(view: Callable[..., R]) -> Callable[..., R | HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R | HttpResponse:
            return refuse_unless(request, permissions) or view(request, *args, **kwargs)

        wrapped.required_permissions = permissions  # type: ignore[attr-defined]
        return wrapped

    return decorator


volunteer_required = permission_required("volunteer.self")


class PermissionRequiredMixin:
    """For class-based views: set ``required_permissions`` (any one of them lets in)."""

    required_permissions: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.required_permissions:
            raise ValueError(f"{type(self).__name__} must set required_permissions")
        refusal = refuse_unless(request, self.required_permissions)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]


def _denied_message(permissions: tuple[str, ...]) -> str:
    if permissions == ("volunteer.self",):
        return _("This page is for volunteers.")
    if permissions == ("donor.self",):
        return _("This page is for donors.")
    return _("Your role does not give access to this page.")
