"""The data administration site, guarded by the permission map (``default_site`` of
accounts.apps.StaffAdminConfig; kept apart from accounts/admin.py, which the site's
autodiscovery imports)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.permissions import user_can


class StaffAdminSite(admin.AdminSite):
    """The data administration site: for people the permission map lets in ("admin.site"),
    whatever their ``is_staff`` flag. Everyone logs in on the one login page (its throttle
    and its second factor); the admin's own login form is not used."""

    def has_permission(self, request: HttpRequest) -> bool:
        return user_can(request.user, "admin.site")

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(_safe_next(request))
            raise PermissionDenied(_("Your role does not give access to this page."))
        return redirect_to_login(_safe_next(request), login_url=reverse("accounts:login"))


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")
