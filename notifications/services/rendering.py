"""Turning a message row into the words a person reads, in their language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from core.dates import person_zone
from notifications.models import Message, NotificationPreference
from notifications.templatetags.outbox_i18n import SHARED


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


class _Template(Protocol):
    def render(self, context: dict[str, Any] | None = ..., request: Any = ...) -> str: ...


def template_name(kind: str, part: str) -> str:
    return f"notifications/{kind}/{part}"


def has_template(kind: str, part: str) -> bool:
    try:
        get_template(template_name(kind, part))
    except TemplateDoesNotExist:
        return False
    return True


def unsubscribe_url(preference: NotificationPreference) -> str:
    return _unsubscribe_url(preference.unsubscribe_token)


def _unsubscribe_url(token: str) -> str:
    path = reverse("notifications:unsubscribe", kwargs={"token": token})
    return f"{settings.SITE_URL}{path}"


# The tokens new_unsubscribe_token makes: characters a URL carries as they are, so the
# address is the same with any of them in the token's place (see Renderer.unsubscribe_url).
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_-]+\Z")
_MARKER = "0token0"


def common_context(message: Message, preference: NotificationPreference) -> dict[str, Any]:
    """Keys every template may use besides the message's own context."""
    return Renderer().common_context(message, preference)


class Renderer:
    """Renders the messages of one batch.

    Each template is looked up once per batch rather than per message and part, and the
    keys that are the same for every message are built once. The templates themselves are
    compiled once per process by Django's cached template loader (the default with no
    ``loaders`` option; in DEBUG it reloads edited files), so nothing here outlives the
    batch.
    """

    def __init__(self) -> None:
        self._templates: dict[str, _Template | TemplateDoesNotExist] = {}
        # The pieces every message of the batch shares (a shift's details): outbox_i18n's
        # ``include ... only``.
        self._shared: dict[object, str] = {}
        self._unsubscribe: tuple[str, str] | None = None
        self._fixed = {
            "org_name": settings.ORG_NAME,
            "site_url": settings.SITE_URL,
            "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
        }

    def _template(self, kind: str, part: str) -> _Template:
        name = template_name(kind, part)
        found = self._templates.get(name)
        if found is None:
            try:
                found = get_template(name)
            except TemplateDoesNotExist as exc:
                found = exc
            self._templates[name] = found
        if isinstance(found, TemplateDoesNotExist):
            raise found
        return found

    def unsubscribe_url(self, preference: NotificationPreference) -> str:
        """``unsubscribe_url``, with the URL reversed once per batch rather than per message
        (twice per message: the footer, and the List-Unsubscribe header), the token then
        put in its place."""
        token = preference.unsubscribe_token
        if self._unsubscribe is None:
            prefix, _marker, suffix = _unsubscribe_url(_MARKER).partition(_MARKER)
            self._unsubscribe = (prefix, suffix)
        prefix, suffix = self._unsubscribe
        if not _PLAIN_TOKEN.match(token) or _MARKER in prefix + suffix:
            return _unsubscribe_url(token)
        return f"{prefix}{token}{suffix}"

    def common_context(
        self, message: Message, preference: NotificationPreference
    ) -> dict[str, Any]:
        recipient = message.recipient
        return {
            **self._fixed,
            "recipient_name": recipient.get_short_name(),
            "recipient_email": recipient.email,
            "unsubscribe_url": "" if message.essential else self.unsubscribe_url(preference),
        }

    def render(self, message: Message, preference: NotificationPreference) -> Rendered:
        """Render the kind's templates with the row's context in the recipient's language and
        time zone (a text message names a shift's zone only when it is not theirs).

        Raises TemplateDoesNotExist when a template the channel needs is missing.
        """
        context = {
            **self.common_context(message, preference),
            **message.context,
            SHARED: self._shared,
        }
        kind = message.kind
        recipient = message.recipient
        with (
            translation.override(recipient.preferred_language),
            timezone.override(person_zone(recipient.time_zone)),
        ):
            if message.channel == "sms":
                sms = self._template(kind, "sms.txt").render(context)
                return Rendered(subject="", text="", html="", sms=" ".join(sms.split()))
            if message.channel == "push":  # a title, and the text message's words
                subject = self._template(kind, "subject.txt").render(context)
                sms = self._template(kind, "sms.txt").render(context)
                return Rendered(
                    subject=" ".join(subject.split()), text="", html="", sms=" ".join(sms.split())
                )
            subject = self._template(kind, "subject.txt").render(context)
            text = self._template(kind, "body.txt").render(context)
            html = self._template(kind, "body.html").render(context)
        return Rendered(
            subject=" ".join(subject.split()), text=text.strip() + "\n", html=html, sms=""
        )


def render_message(message: Message, preference: NotificationPreference) -> Rendered:
    """Render one message (see ``Renderer.render``)."""
    return Renderer().render(message, preference)
