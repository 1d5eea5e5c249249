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

Workers send messages in batches. A kind whose check reads the database should also
register a *batch refresher* (``many=``): it gets all the batch's messages of that kind at
once and answers for each (by row id) in a fixed number of queries. It must give the
same answers as the one-message refresher; a kind without one has its refresher called
once per message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from notifications.models import Message


@dataclass(frozen=True)
class Fresh:
    context: dict[str, Any]
    attachments: list[dict[str, str]]


RefreshResult = dict[str, Any] | Fresh | str
Refresher = Callable[[Message], RefreshResult]
# Answers by message id; a message it leaves out is refreshed on its own.
BatchRefresher = Callable[[Sequence[Message]], Mapping[int, RefreshResult]]

_REFRESHERS: dict[str, Refresher] = {}
_BATCH_REFRESHERS: dict[str, BatchRefresher] = {}


def context_pk(message: Message, key: str) -> int:
    """The row id a domain app put in the message's context under ``key``; 0 (which no row
    has) when it is missing or not an id, so a lookup by it simply finds nothing."""
    value = message.context.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def register_refresher(
    kind: str, refresher: Refresher, *, many: BatchRefresher | None = None
) -> None:
    """Run ``refresher`` on every message of ``kind`` just before it is sent; ``many``,
    when given, on all the messages of ``kind`` in a batch at once instead."""
    _REFRESHERS[kind] = refresher
    if many is None:
        _BATCH_REFRESHERS.pop(kind, None)
    else:
        _BATCH_REFRESHERS[kind] = many


def refresh(message: Message) -> RefreshResult:
    """The context to send ``message`` with, or the reason not to send it."""
    refresher = _REFRESHERS.get(message.kind)
    if refresher is None:
        context: dict[str, Any] = message.context
        return context
    return refresher(message)


def refresh_many(messages: Sequence[Message]) -> dict[int, RefreshResult | Exception]:
    """``refresh`` for a batch, by message id: one call of a kind's batch refresher for all
    its messages. A refresher that raises answers with its exception, for the messages it
    was asked about and no others."""
    by_kind: dict[str, list[Message]] = {}
    for message in messages:
        by_kind.setdefault(message.kind, []).append(message)
    answers: dict[int, RefreshResult | Exception] = {}
    for kind, group in by_kind.items():
        batch = _BATCH_REFRESHERS.get(kind)
        if batch is not None:
            try:
                batch_answers = batch(group)
                answers.update({m.pk: batch_answers[m.pk] for m in group if m.pk in batch_answers})
            except Exception as exc:  # the domain's check failed: these are retried
                answers.update({message.pk: exc for message in group})
        for message in group:
            if message.pk in answers:
                continue
            try:
                answers[message.pk] = refresh(message)
            except Exception as exc:
                answers[message.pk] = exc
    return answers
