"""Every kind of message about a login that accounts puts in the outbox, with the context
keys it is queued with (see notifications.kinds); templates in
templates/notifications/<name>/. Each is essential (never suppressed by preferences) and
urgent (someone is waiting for it).

``accounts`` sits below ``notifications`` and never imports it: ``queue_message`` calls the
outbox function the ``ACCOUNTS_OUTBOX`` setting names (config wires the layers; by default
``notifications.services.enqueue_message``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.utils.module_loading import import_string

from core.message_kind import MessageKind

MAGIC_LINK = MessageKind("accounts.magic_link", keys={"link", "valid_minutes"})
CONFIRM_EMAIL = MessageKind("accounts.confirm_email", keys={"name", "link"})
ALREADY_REGISTERED = MessageKind(
    "accounts.already_registered", keys={"name", "login_link", "reset_link"}
)
PASSWORD_RESET = MessageKind("accounts.password_reset", keys={"email", "link"})

MESSAGE_KINDS = (MAGIC_LINK, CONFIRM_EMAIL, ALREADY_REGISTERED, PASSWORD_RESET)


def queue_message(**fields: Any) -> object:
    """Put a message in the outbox (``ACCOUNTS_OUTBOX``, called with ``fields``): it is sent
    by a worker after the caller's transaction commits, so a mail server that is down
    delays it instead of failing the request."""
    outbox = cast(Callable[..., object], import_string(settings.ACCOUNTS_OUTBOX))
    return outbox(**fields)
