"""Every kind of message about a login that accounts puts in the outbox (through
settings.ACCOUNTS_OUTBOX), with the context keys it is queued with (see
notifications.kinds); templates in templates/notifications/<name>/."""

from __future__ import annotations

from core.message_kind import MessageKind

MAGIC_LINK = MessageKind("accounts.magic_link", keys={"link", "valid_minutes"})

MESSAGE_KINDS = (MAGIC_LINK,)
