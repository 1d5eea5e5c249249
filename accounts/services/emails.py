"""E-mails about a person's account (confirmation, an address already registered).

They are sent at once, like Django's password reset; the notifications outbox takes them
over when it exists.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.authentication.tokens import email_confirmation_token
from accounts.models import User


def _send(*, to: str, template: str, context: dict[str, object], language: str) -> None:
    context = {"org_name": settings.ORG_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"accounts/email/{template}.txt", context)
        html = render_to_string(f"accounts/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + subject, body=text, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def confirmation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_confirmation_token.make_token(user)
    path = reverse("accounts:confirm_email", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def send_email_confirmation(user: User) -> None:
    _send(
        to=user.email,
        template="confirm_email",
        context={"name": user.get_short_name(), "link": confirmation_link(user)},
        language=user.preferred_language,
    )


def send_already_registered(user: User) -> None:
    """Someone signed up with an address that has an account: tell its owner, nobody else."""
    _send(
        to=user.email,
        template="already_registered",
        context={
            "name": user.get_short_name(),
            "login_link": settings.SITE_URL + reverse("accounts:login"),
            "reset_link": settings.SITE_URL + reverse("accounts:password_reset"),
        },
        language=user.preferred_language,
    )
