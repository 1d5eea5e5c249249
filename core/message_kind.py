"""What a kind of message is: its name, the context keys it is queued with, its channels.

Every app that puts messages in the outbox declares each of its kinds, one line each, in
``<app>/message_kinds.py`` as a tuple named ``MESSAGE_KINDS``; the outbox collects them at
start-up (``notifications.kinds``), refuses a kind nobody declared, and the test suite
renders every declared kind in every language. The type lives here, below every app, so
that ``accounts`` (which sits below the outbox and never imports it) can declare its kinds
the same way as everyone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True, init=False)
class MessageKind:
    """One kind of message.

    ``name``: dotted lower-case words, ``<app or area>.<what happened>``; the templates are
    ``templates/notifications/<name>/`` (subject.txt, body.txt, body.html, and sms.txt when
    ``sms``). ``keys``: the context keys every message of the kind is queued with.
    ``optional``: keys that may be missing, or that a refresher adds just before sending.
    ``sms``: the kind also goes by text message to those who chose it, and as a push
    notification to those who chose that kind in their message preferences (``label``
    names it there).
    """

    name: str
    keys: frozenset[str]
    optional: frozenset[str]
    sms: bool
    label: str | Promise

    def __init__(
        self,
        name: str,
        *,
        keys: Iterable[str] = (),
        optional: Iterable[str] = (),
        sms: bool = False,
        label: str | Promise = "",
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "keys", frozenset(keys))
        object.__setattr__(self, "optional", frozenset(optional))
        object.__setattr__(self, "sms", sms)
        object.__setattr__(self, "label", label or name)
        both = self.keys & self.optional
        if both:
            raise ValueError(f"{name}: keys both required and optional: {sorted(both)}")

    @property
    def all_keys(self) -> frozenset[str]:
        return self.keys | self.optional
