"""E-mails about a person's account: the address confirmation, "this address already has an
account" and the password reset.

Like every message they go through the outbox (``accounts.message_kinds.queue_message``):
essential (never suppressed by preferences) and urgent (sent ahead of any backlog, as the
login links are). A request only writes the outbox row; a worker sends it, so a mail server
that is down delays the e-mail instead of failing the request, and it goes once.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.authentication.tokens import email_confirmation_token
from accounts.message_kinds import ALREADY_REGISTERED, CONFIRM_EMAIL, PASSWORD_RESET, queue_message
from accounts.models import User
from core.message_kind import MessageKind


def _queue(user: User, kind: MessageKind, *, context: dict[str, object]) -> None:
    """Queue ``kind`` for ``user``: one message per request (each asked for its own e-mail),
    sent once by the outbox however often a worker retries it."""
    with transaction.atomic():
        queue_message(
            recipient=user,
            kind=kind.name,
            dedupe_key=f"{kind.name}:{user.pk}:{secrets.token_hex(16)}",
            context=context,
            essential=True,
            urgent=True,  # someone is waiting for it
        )


def confirmation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_confirmation_token.make_token(user)
    path = reverse("accounts:confirm_email", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def send_email_confirmation(user: User) -> None:
    _queue(
        user,
        CONFIRM_EMAIL,
        context={"name": user.get_short_name(), "link": confirmation_link(user)},
    )


def send_already_registered(user: User) -> None:
    """Someone signed up with an address that has an account: tell its owner, nobody else."""
    _queue(
        user,
        ALREADY_REGISTERED,
        context={
            "name": user.get_short_name(),
            "login_link": settings.SITE_URL + reverse("accounts:login"),
            "reset_link": settings.SITE_URL + reverse("accounts:password_reset"),
        },
    )


def send_password_reset(*, user: User, uidb64: str, token: str) -> None:
    """The link to choose a new password (Django's reset token, valid PASSWORD_RESET_TIMEOUT)."""
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    _queue(
        user,
        PASSWORD_RESET,
        context={"email": user.email, "link": f"{settings.SITE_URL}{path}"},
    )
