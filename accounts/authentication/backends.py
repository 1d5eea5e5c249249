from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User, normalize_email
from accounts.permissions import user_can


class EmailBackend(ModelBackend):
    """Log in with an e-mail address, whatever its case or surrounding spaces."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = kwargs.get("email", username)
        if email is None or password is None:
            return None
        try:
            user = User.objects.get(email=normalize_email(email))
        except User.DoesNotExist:
            # Run the hasher anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    # Django's model permissions (the admin asks for these) follow the permission map:
    # whoever may use the data administration ("admin.site") may open every admin page,
    # and each admin page decides for itself what is read-only. Group and user
    # permissions are not used.

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return user_can(user_obj, "admin.site")

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return user_can(user_obj, "admin.site")
