"""What the templates say: escaping, times in the shift's zone, the recipient's language, text
messages, links. (That every kind renders in every language: test_kinds.py.)"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from notifications.models import Channel, Message, NotificationPreference
from notifications.services.rendering import render_message
from tests.factories import make_user
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.utils import ROOT

TEMPLATES = ROOT / "templates" / "notifications"
KINDS_WITH_SMS = {"shift.reminder", "training.session_reminder"}


@pytest.fixture
def strict_templates(settings: Any) -> None:
    """A variable the context lacks shows up as MISSING(...) instead of nothing."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = "MISSING(%s)"
    settings.TEMPLATES = templates


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.glob("*.*/*")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_each_template_documents_its_context_keys(path: Path) -> None:
    first_line = path.read_text().splitlines()[0]
    assert re.fullmatch(r"\{# Context: .+ #\}", first_line), first_line


def _message(
    kind: str, *, language: str = "en", channel: str = Channel.EMAIL
) -> tuple[Message, NotificationPreference]:
    user = make_user(first_name="Ana", preferred_language=language)
    message = Message(
        recipient=user,
        kind=kind,
        channel=channel,
        dedupe_key=f"t:{kind}",
        context=SAMPLE_CONTEXTS[kind],
    )
    preference = NotificationPreference(user=user, unsubscribe_token="tok")
    return message, preference


@pytest.mark.django_db
def test_test_message_escapes_html_but_not_text() -> None:
    message, preference = _message("test.message")
    rendered = render_message(message, preference)
    assert rendered.subject == "Hello & welcome"
    assert "A <b>test</b> body" in rendered.text
    assert "<p>A &lt;b&gt;test&lt;/b&gt; body</p>" in rendered.html


@pytest.mark.django_db
def test_shift_times_are_shown_in_the_shifts_zone_with_the_zone_named() -> None:
    message, preference = _message("shift.reminder")
    rendered = render_message(message, preference)
    # 22:00 UTC on 15 July is 18:00 in New York (EDT).
    assert rendered.subject == (
        "Reminder: Crisis text line, evening, Tue 15 Jul 2031, 18:00 "
        "(United States (New York) Time)"
    )
    assert "Starts: Tue 15 Jul 2031, 18:00 (United States (New York) Time)" in rendered.text
    assert "Ends: Tue 15 Jul 2031, 21:00 (United States (New York) Time)" in rendered.text
    assert "Where: Harbour Street office" in rendered.text
    assert SAMPLE_CONTEXTS["shift.reminder"]["cancel_url"] in rendered.text


@pytest.mark.django_db
def test_rendered_in_the_recipients_language() -> None:
    message, preference = _message("shift.reminder", language="fr")
    rendered = render_message(message, preference)
    # Babel names the day and month in French.
    assert "mar. 15 juil. 2031, 18:00 (heure : États-Unis (New York))" in rendered.text


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(KINDS_WITH_SMS))
def test_sms_is_one_line_under_160_characters(kind: str) -> None:
    message, preference = _message(kind, channel=Channel.SMS)
    long_context = dict(message.context)
    for key in ("shift_title", "training_name", "location"):
        if key in long_context:
            long_context[key] = "A very long name " * 5
    message.context = long_context
    rendered = render_message(message, preference)
    assert "\n" not in rendered.sms
    assert len(rendered.sms) < 160, (len(rendered.sms), rendered.sms)


@pytest.mark.django_db
def test_shift_reminder_sms_text() -> None:
    message, preference = _message("shift.reminder", channel=Channel.SMS)
    rendered = render_message(message, preference)
    assert rendered.sms == (
        "Hope Line: Crisis text line, evening Tue 15 Jul 18:00, Harbour Street of.... "
        "Reply YES to confirm, NO to cancel."
    )


@pytest.mark.django_db
def test_essential_messages_have_no_unsubscribe_link() -> None:
    message, preference = _message("donation.receipt")
    message.essential = True
    rendered = render_message(message, preference)
    assert "unsubscribe" not in rendered.text
    assert "unsubscribe" not in rendered.html
    assert "/notifications/preferences/" in rendered.text


@pytest.mark.django_db
def test_payment_failed_links_the_billing_portal() -> None:
    message, preference = _message("donation.payment_failed")
    rendered = render_message(message, preference)
    url = "https://billing.stripe.com/p/session/test_123"
    assert f"{url}" in rendered.text
    assert f'href="{url}"' in rendered.html
    assert "We will try again on Jul 18, 2031." in rendered.text
