"""Login by a link sent by e-mail: single use, valid for MAGIC_LINK_MINUTES.

The link carries a random token; only its SHA-256 is stored. ``consume_magic_link`` marks
the token used with a conditional UPDATE (``used_at IS NULL AND expires_at > now``), whose
row count says whether this click won, so a link logs in once even when two clicks race.

Sending goes through the notifications outbox (kind ``accounts.magic_link``, essential).
``accounts`` sits below ``notifications`` and never imports it (see
``accounts.message_kinds.queue_message``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.message_kinds import MAGIC_LINK, queue_message
from accounts.models import MagicLinkToken, User, normalize_email

MAGIC_LINK_KIND = MAGIC_LINK.name


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def valid_minutes() -> int:
    return int(getattr(settings, "MAGIC_LINK_MINUTES", 15))


def issue_magic_link(*, user: User) -> str:
    """Store a new token for ``user`` and return the token (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        MagicLinkToken.objects.create(
            user=user,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + timedelta(minutes=valid_minutes()),
        )
    return token


def magic_link_url(token: str) -> str:
    path = reverse("accounts:magic_link_login", kwargs={"token": token})
    return f"{settings.SITE_URL}{path}"


def send_magic_link(*, email: str) -> bool:
    """Mail a login link to the active account with ``email``; False (and nothing sent)
    when there is none. Callers must not tell the visitor which it was."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None:
        return False
    with transaction.atomic():
        token = issue_magic_link(user=user)
        queue_message(
            recipient=user,
            kind=MAGIC_LINK_KIND,
            dedupe_key=f"{MAGIC_LINK_KIND}:{_hash(token)[:40]}",
            context={"link": magic_link_url(token), "valid_minutes": valid_minutes()},
            essential=True,
            urgent=True,  # someone is waiting at the login page
        )
    return True


def peek_magic_link(*, token: str) -> User | None:
    """The user of a link that is still usable (for the confirm page); consumes nothing."""
    found = (
        MagicLinkToken.objects.select_related("user")
        .filter(
            token_hash=_hash(token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    return found.user if found is not None else None


def consume_magic_link(*, token: str) -> User | None:
    """Use the link once: its user, or None if unknown, used already or expired."""
    now = timezone.now()
    with transaction.atomic():
        won = MagicLinkToken.objects.filter(
            token_hash=_hash(token), used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if won != 1:
            return None
        link = MagicLinkToken.objects.select_related("user").get(token_hash=_hash(token))
        user = link.user
        if not user.is_active:
            return None
        if user.email_confirmed_at is None:
            # Opening the link proves the address belongs to them.
            user.email_confirmed_at = now
            user.save(update_fields=["email_confirmed_at"])
    return user
