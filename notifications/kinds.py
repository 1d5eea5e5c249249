r"""The one registry of every kind of message the code can put in the outbox.

Each installed app that sends messages lists its kinds in ``<app>/message_kinds.py``::

    from core.message_kind import MessageKind

# A kind is dotted lower-case words: "shift.reminder", "accounts.magic_link".
KIND_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")

    MESSAGE_KINDS = (
        MessageKind("shift.cancelled", keys={"shift_title", "starts_at", "reason"}),
        MessageKind("shift.reminder", keys={...}, optional={"blocked_reasons"}, sms=True),
    )

and adds the templates under ``templates/notifications/<kind>/``. At start-up
(``NotificationsConfig.ready``) the outbox collects every app's list, the way the admin
discovers ``admin.py``, so it names no domain app. Then:

* ``enqueue_message`` refuses a kind nobody declared, and a context without the declared
  keys or with keys nobody declared, while ``NOTIFICATIONS_STRICT_KINDS`` is on (the
  default with ``DEBUG``, and always in the tests). In production an undeclared kind is
  logged and queued anyway: a message that fails in the outbox, visible on its page, is
  better than refusing the coordinator's action that queued it.
* ``tests/notifications/test_kinds.py`` renders every declared kind (subject, text, HTML,
  and the text message when ``sms``) in every language of ``settings.LANGUAGES``, with
  templates that show any key the context lacks, and reads the code for kinds it queues
  that nobody declared.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.message_kind import MessageKind

logger = logging.getLogger(__name__)

# A kind is dotted lower-case words: "shift.reminder", "accounts.magic_link".
KIND_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")

MODULE = "message_kinds"

_KINDS: dict[str, MessageKind] = {}


class UnknownKind(ValueError):
    """A kind no app declared in its ``message_kinds.MESSAGE_KINDS``."""


def register_kinds(kinds: Iterable[MessageKind], *, source: str) -> None:
    """Add ``kinds`` to the registry; ``source`` names who declared them (for errors)."""
    for kind in kinds:
        if not isinstance(kind, MessageKind):
            raise ImproperlyConfigured(f"{source}: {kind!r} is not a MessageKind")
        if not KIND_PATTERN.match(kind.name):
            raise ImproperlyConfigured(
                f"{source}: kind names are dotted lower-case words, e.g. shift.reminder, "
                f"not {kind.name!r}"
            )
        known = _KINDS.get(kind.name)
        if known is not None and known != kind:
            raise ImproperlyConfigured(f"{source}: kind {kind.name} is declared twice")
        _KINDS[kind.name] = kind


def load_kinds() -> None:
    """Collect ``MESSAGE_KINDS`` from every installed app's ``message_kinds`` module."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.{MODULE}"
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        declared = getattr(module, "MESSAGE_KINDS", None)
        if declared is None:
            raise ImproperlyConfigured(f"{module_name} must define MESSAGE_KINDS")
        register_kinds(declared, source=module_name)


def registered_kinds() -> list[MessageKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.name)


def get_kind(name: str) -> MessageKind | None:
    return _KINDS.get(name)


def strict() -> bool:
    return bool(getattr(settings, "NOTIFICATIONS_STRICT_KINDS", settings.DEBUG))


def check_message(kind: str, context: Mapping[str, Any]) -> None:
    """Refuse (in strict mode) a kind nobody declared or a context unlike its declaration."""
    declared = _KINDS.get(kind)
    if declared is None:
        if strict():
            raise UnknownKind(
                f"No app declares the message kind {kind!r}: add it to MESSAGE_KINDS in "
                f"<app>/{MODULE}.py and add its templates under templates/notifications/{kind}/"
            )
        logger.error("message kind %s is not declared in any app's %s", kind, MODULE)
        return
    if not strict():
        return
    missing = declared.keys - set(context)
    unknown = set(context) - declared.all_keys
    if missing or unknown:
        raise ValueError(
            f"The context of {kind} does not match its declaration in MESSAGE_KINDS: "
            f"missing {sorted(missing)}, not declared {sorted(unknown)}"
        )
