"""Who may see a view: decorators and mixins by role.

An anonymous visitor is sent to log in; a logged-in person without the role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.text import get_text_list
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import ROLE_PLURALS, Role


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view that only logged-in people reach (after a role check)."""

    user: User


# Any response: pages, redirects and file downloads alike.
R = TypeVar("R", bound=HttpResponseBase)


def user_has_any_role(request: HttpRequest, roles: tuple[Role, ...]) -> bool:
    user = request.user
    return bool(user.is_authenticated and any(user.has_role(role) for role in roles))


def refuse_unless(request: HttpRequest, roles: tuple[Role, ...]) -> HttpResponse | None:
    """None when the request may go on; a login redirect for visitors; 403 otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_has_any_role(request, roles):
        raise PermissionDenied(_denied_message(roles))
    return None


def role_required(*roles: Role) -> Callable[[Callable[..., R]], Callable[..., R | HttpResponse]]:
    """Decorate a view function so only people holding one of ``roles`` may open it."""
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view: Callable[..., R]) -> Callable[..., R | HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R | HttpResponse:
            return refuse_unless(request, roles) or view(request, *args, **kwargs)

        return wrapped

    return decorator


coordinator_required = role_required(Role.COORDINATOR)
volunteer_required = role_required(Role.VOLUNTEER)
donor_required = role_required(Role.DONOR)


class RoleRequiredMixin:
    """For class-based views: set ``required_roles`` to the roles that may open the view."""

    required_roles: tuple[Role, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.required_roles:
            raise ValueError(f"{type(self).__name__} must set required_roles")
        refusal = refuse_unless(request, self.required_roles)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]


class CoordinatorRequiredMixin(RoleRequiredMixin):
    required_roles = (Role.COORDINATOR,)


def _denied_message(roles: tuple[Role, ...]) -> str:
    names = [str(ROLE_PLURALS[role]) for role in roles]
    joined = get_text_list(names, gettext("or"))  # one name: itself
    return gettext("This page is for %(people)s.") % {"people": joined}
