"""Checks a domain app runs on its own messages just before they are sent.

The outbox knows no domain app, yet some messages are only right if the world has not
changed since they were queued: a shift reminder for a signup that was cancelled, or for a
shift that moved, must not go; a reminder should say if the volunteer can no longer do
the shift. A domain app registers, at start-up (``AppConfig.ready``), a *refresher* for a
kind; the sender calls it with the claimed row and gets either

* a dict: the context to render with (the row's context, brought up to date),
* a ``Fresh``: the context and the attachments to send (made now, e.g. a PDF of a record
  as it stands at sending, so nothing heavy is built inside the caller's transaction), or
* a string: the reason the message is no longer wanted; the row is cancelled with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notifications.models import Message


@dataclass(frozen=True)
class Fresh:
    context: dict[str, Any]
    attachments: list[dict[str, str]]


Refresher = Callable[[Message], "dict[str, Any] | Fresh | str"]

_REFRESHERS: dict[str, Refresher] = {}


def context_pk(message: Message, key: str) -> int:
    """The row id a domain app put in the message's context under ``key``; 0 (which no row
    has) when it is missing or not an id, so a lookup by it simply finds nothing."""
    value = message.context.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def register_refresher(kind: str, refresher: Refresher) -> None:
    """Run ``refresher`` on every message of ``kind`` just before it is sent."""
    _REFRESHERS[kind] = refresher


def refresh(message: Message) -> dict[str, Any] | Fresh | str:
    """The context to send ``message`` with, or the reason not to send it."""
    refresher = _REFRESHERS.get(message.kind)
    if refresher is None:
        context: dict[str, Any] = message.context
        return context
    return refresher(message)
