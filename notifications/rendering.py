"""Turning a message row into the words a person reads, in their language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation

from notifications.models import Message, NotificationPreference

KIND_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def template_name(kind: str, part: str) -> str:
    return f"notifications/{kind}/{part}"


def has_template(kind: str, part: str) -> bool:
    try:
        get_template(template_name(kind, part))
    except TemplateDoesNotExist:
        return False
    return True


def unsubscribe_url(preference: NotificationPreference) -> str:
    path = reverse("notifications:unsubscribe", kwargs={"token": preference.unsubscribe_token})
    return f"{settings.SITE_URL}{path}"


def common_context(message: Message, preference: NotificationPreference) -> dict[str, Any]:
    """Keys every template may use besides the message's own context."""
    recipient = message.recipient
    return {
        "org_name": settings.ORG_NAME,
        "site_url": settings.SITE_URL,
        "recipient_name": recipient.get_short_name(),
        "recipient_email": recipient.email,
        "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
        "unsubscribe_url": "" if message.essential else unsubscribe_url(preference),
    }


def render_message(message: Message, preference: NotificationPreference) -> Rendered:
    """Render the kind's templates with the row's context in the recipient's language.

    Raises TemplateDoesNotExist when a template the channel needs is missing.
    """
    context = {**common_context(message, preference), **message.context}
    with translation.override(message.recipient.preferred_language):
        if message.channel == "sms":
            sms = render_to_string(template_name(message.kind, "sms.txt"), context)
            return Rendered(subject="", text="", html="", sms=" ".join(sms.split()))
        subject = render_to_string(template_name(message.kind, "subject.txt"), context)
        text = render_to_string(template_name(message.kind, "body.txt"), context)
        html = render_to_string(template_name(message.kind, "body.html"), context)
    return Rendered(subject=" ".join(subject.split()), text=text.strip() + "\n", html=html, sms="")
