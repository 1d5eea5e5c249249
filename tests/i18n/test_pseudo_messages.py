"""Acceptance 1 (messages): every kind of e-mail and SMS (the registry, notifications.kinds),
rendered from its sample context in each of the five languages, shows no text outside the
pseudo-language's markers except data. See tests/i18n/pseudo.py."""

from __future__ import annotations

import zoneinfo
from typing import Any

import pytest
from django.conf import settings

from core.locales import zone_name
from core.message_kind import MessageKind
from notifications.kinds import registered_kinds
from notifications.models import Channel, Message, NotificationPreference
from notifications.services.rendering import Renderer
from tests.factories import make_user
from tests.i18n.pseudo import DataWords, html_texts, problems, pseudo_catalogue, strip_marked
from tests.notifications.conftest import SAMPLE_CONTEXTS

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
KINDS = registered_kinds()
ZONES = zoneinfo.available_timezones()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_kind_is_translated(language: str) -> None:
    user = make_user(first_name="Ana", last_name="Souza", preferred_language=language)
    preference = NotificationPreference(user=user, unsubscribe_token="tok")
    data = DataWords([language])
    found: dict[str, str] = {}
    with pseudo_catalogue():
        for kind in KINDS:
            context = SAMPLE_CONTEXTS[kind.name]
            # A coordinator's own text is data, line by line as the message shows it.
            data.add(part for text in _strings(context) for part in (text, *text.splitlines()))
            # A zone is data too, as the reader's language names it.
            data.add(zone_name(text, language) for text in _strings(context) if text in ZONES)
            for channel in (Channel.EMAIL, *((Channel.SMS,) if kind.sms else ())):
                found.update(_check(kind, channel, context, user, preference, data))
    report = [f"{words!r} at {where}" for words, where in sorted(found.items())]
    assert not report, f"{len(report)} unmarked texts:\n" + "\n".join(report)


def _check(
    kind: MessageKind,
    channel: str,
    context: dict[str, Any],
    user: Any,
    preference: NotificationPreference,
    data: DataWords,
) -> dict[str, str]:
    message = Message(
        recipient=user,
        kind=kind.name,
        channel=channel,
        dedupe_key=f"t:{kind.name}",
        context=context,
    )
    rendered = Renderer().render(message, preference)
    where = f"{kind.name} ({channel})"
    if channel == Channel.SMS:
        return problems(f"{where} sms", [strip_marked(rendered.sms)], data)
    found = problems(f"{where} subject", [strip_marked(rendered.subject)], data)
    found.update(problems(f"{where} text", strip_marked(rendered.text).splitlines(), data))
    found.update(problems(f"{where} html", html_texts(rendered.html), data))
    return found
