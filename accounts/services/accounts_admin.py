"""A person's account saved in the Django admin (details, active, staff, roles and
permissions): one audit entry with what changed, old and new. The admin reads the state
before the form is saved and hands both states here."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User
from accounts.services import audit

# What an account's audit entry compares (never the password's hash).
ACCOUNT_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "preferred_language",
    "time_zone",
    "is_active",
    "is_staff",
    "is_superuser",
)


def account_state(user: User) -> dict[str, object]:
    """The account's audited fields, its roles and its own permissions, as saved now."""
    return {
        **audit.snapshot(user, ACCOUNT_FIELDS),
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


def record_account_saved(
    *,
    user: User,
    before: dict[str, object] | None,
    by: User,
    request: HttpRequest | None = None,
) -> None:
    """The audit entry of an account added (``before`` None) or changed in the admin;
    nothing when nothing changed."""
    changes = audit.changed_fields(before or {}, account_state(user))
    if before is not None and not changes:
        return
    audit.record(
        "accounts.user.created" if before is None else "accounts.user.changed",
        actor=by,
        subject=user,
        obj=user,
        changes=changes,
        request=request,
    )
