"""The outbox's own kind of message: a title and a body, to try the outbox (tests, a shell)
without any domain app (see notifications.kinds)."""

from __future__ import annotations

from core.message_kind import MessageKind

TEST_MESSAGE = MessageKind("test.message", keys={"title", "body"})

MESSAGE_KINDS = (TEST_MESSAGE,)
