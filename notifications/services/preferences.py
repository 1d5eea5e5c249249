"""Each person's choice of channels and of non-essential messages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from accounts.models import User
from notifications.models import NotificationPreference


def preferences_for(user: User) -> NotificationPreference:
    """The person's preferences, created with the defaults the first time they are needed."""
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    return preference


def preferences_for_users(users: Iterable[User]) -> dict[int, NotificationPreference]:
    """Each person's preferences by user id: one query, two more when some are new."""
    user_ids = {user.pk for user in users}
    found = {
        preference.user_id: preference
        for preference in NotificationPreference.objects.filter(user_id__in=user_ids)
    }
    missing = sorted(user_ids - set(found))
    if missing:
        NotificationPreference.objects.bulk_create(
            [NotificationPreference(user_id=pk) for pk in missing], ignore_conflicts=True
        )
        found.update(
            (preference.user_id, preference)
            for preference in NotificationPreference.objects.filter(user_id__in=missing)
        )
    return found


def update_preferences(
    *,
    user: User,
    email_enabled: bool,
    sms_enabled: bool,
    non_essential_opt_out: bool,
    push_enabled: bool | None = None,
    push_kinds: list[str] | None = None,
) -> NotificationPreference:
    """Save the person's choices (``push_enabled``, ``push_kinds`` None: leave as they are;
    ``push_kinds`` are the kinds to push, every other kind is not pushed)."""
    with transaction.atomic():
        preference = preferences_for(user)
        preference.email_enabled = email_enabled
        preference.sms_enabled = sms_enabled
        preference.non_essential_opt_out = non_essential_opt_out
        fields = ["email_enabled", "sms_enabled", "non_essential_opt_out", "updated_at"]
        if push_enabled is not None:
            preference.push_enabled = push_enabled
            fields.append("push_enabled")
        if push_kinds is not None:
            preference.push_kinds = sorted(set(push_kinds))
            fields.append("push_kinds")
        preference.save(update_fields=fields)
    return preference


def unsubscribe(*, token: str) -> NotificationPreference | None:
    """One-click unsubscribe (RFC 8058): no more non-essential messages. None: unknown token."""
    with transaction.atomic():
        preference = (
            NotificationPreference.objects.select_for_update()
            .filter(unsubscribe_token=token)
            .first()
        )
        if preference is None:
            return None
        if not preference.non_essential_opt_out:
            preference.non_essential_opt_out = True
            preference.save(update_fields=["non_essential_opt_out", "updated_at"])
    return preference
