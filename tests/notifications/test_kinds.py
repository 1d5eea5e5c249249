"""Every kind of message the code can queue is declared once (notifications.kinds), and every
declared kind renders, in every language people may choose, from its declared context.

A new kind without templates fails here; so does a kind the code queues that no app
declares (refused by enqueue_message in the tests, and found by reading the code).
"""

from __future__ import annotations

import ast
import copy
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from core.message_kind import MessageKind
from notifications.kinds import KIND_PATTERN, UnknownKind, get_kind, registered_kinds
from notifications.models import Channel, Message, NotificationPreference, Status
from notifications.services import enqueue_message
from notifications.services.rendering import Renderer
from tests.factories import make_user
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.utils import ROOT

TEMPLATES = ROOT / "templates" / "notifications"
KINDS = registered_kinds()
KIND_NAMES = [kind.name for kind in KINDS]
LANGUAGES = [code for code, _name in django_settings.LANGUAGES]
EMAIL_PARTS = {"subject.txt", "body.txt", "body.html"}
# The project's own packages (what runs in production).
APPS = ["accounts", "core", "dashboard", "demo", "donations", "notifications", "volunteers"]


@pytest.fixture
def strict_templates(settings: Any) -> None:
    """A variable the context lacks shows up as MISSING(...) instead of nothing."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = "MISSING(%s)"
    settings.TEMPLATES = templates


def test_the_registry_has_every_apps_kinds() -> None:
    # A sample of each app's, so an app whose message_kinds module is not collected fails.
    for name in (
        "accounts.magic_link",
        "coordinator.digest",
        "donation.receipt",
        "shift.reminder",
        "shift.signup_cancelled",
        "test.message",
    ):
        assert get_kind(name) is not None, name


def test_every_template_folder_belongs_to_a_declared_kind() -> None:
    folders = {p.name for p in TEMPLATES.iterdir() if p.is_dir() and "." in p.name}
    assert folders == set(KIND_NAMES)


@pytest.mark.parametrize("kind", KINDS, ids=KIND_NAMES)
def test_each_kind_has_its_templates(kind: MessageKind) -> None:
    folder = TEMPLATES / kind.name
    parts = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    assert parts == EMAIL_PARTS | ({"sms.txt"} if kind.sms else set())


@pytest.mark.parametrize("kind", KINDS, ids=KIND_NAMES)
def test_each_kind_has_a_sample_context_with_exactly_its_keys(kind: MessageKind) -> None:
    assert kind.name in SAMPLE_CONTEXTS, (
        f"add a sample context for {kind.name} to tests/notifications/conftest.py"
    )
    assert set(SAMPLE_CONTEXTS[kind.name]) == kind.all_keys


def _render(kind: str, context: dict[str, Any], *, language: str, channel: str) -> Any:
    user = make_user(first_name="Ana", preferred_language=language)
    message = Message(
        recipient=user, kind=kind, channel=channel, dedupe_key=f"t:{kind}", context=context
    )
    preference = NotificationPreference(user=user, unsubscribe_token="tok")
    return Renderer().render(message, preference)


def _contexts(kind: MessageKind) -> Iterator[tuple[str, dict[str, Any]]]:
    """The full sample, and (when the kind has optional keys) the sample without them."""
    full = SAMPLE_CONTEXTS[kind.name]
    yield "all keys", full
    if kind.optional:
        yield "required keys", {k: v for k, v in full.items() if k not in kind.optional}


def _assert_clean(part: str, where: str) -> None:
    assert part.strip(), where
    assert "MISSING(" not in part, (where, part)
    assert "{{" not in part and "{%" not in part and "{#" not in part, (where, part)


@pytest.mark.django_db
@pytest.mark.usefixtures("strict_templates")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS, ids=KIND_NAMES)
def test_every_kind_renders_in_every_language(kind: MessageKind, language: str) -> None:
    for label, context in _contexts(kind):
        rendered = _render(kind.name, context, language=language, channel=Channel.EMAIL)
        for part_name in ("subject", "text", "html"):
            _assert_clean(getattr(rendered, part_name), f"{kind.name} {part_name}, {label}")
        assert "\n" not in rendered.subject
        assert f'<html lang="{language}">' in rendered.html
        assert "/notifications/preferences/" in rendered.text
        # Plain text is not HTML-escaped.
        assert "&amp;" not in rendered.text and "&#x27;" not in rendered.text
        if kind.sms:
            sms = _render(kind.name, context, language=language, channel=Channel.SMS).sms
            _assert_clean(sms, f"{kind.name} sms, {label}")
            assert "\n" not in sms


@pytest.mark.django_db
def test_enqueue_refuses_a_kind_no_app_declares() -> None:
    with pytest.raises(UnknownKind, match=r"No app declares the message kind 'shift\.no_such'"):
        enqueue_message(recipient=make_user(), kind="shift.no_such", dedupe_key="k", context={})
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_enqueue_refuses_a_context_unlike_the_declaration() -> None:
    context = dict(SAMPLE_CONTEXTS["test.message"])
    del context["body"]
    context["colour"] = "blue"
    with pytest.raises(ValueError, match=r"missing \['body'\], not declared \['colour'\]"):
        enqueue_message(recipient=make_user(), kind="test.message", dedupe_key="k", context=context)
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_outside_strict_mode_an_undeclared_kind_is_logged_and_queued(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.NOTIFICATIONS_STRICT_KINDS = False
    with caplog.at_level(logging.ERROR, logger="notifications.kinds"):
        message = enqueue_message(
            recipient=make_user(), kind="shift.no_such", dedupe_key="k", context={}
        )
    assert message is not None and message.status == Status.PENDING
    assert caplog.messages == [
        "message kind shift.no_such is not declared in any app's message_kinds"
    ]


def _kinds_in_code(path: Path) -> Iterator[tuple[int, str]]:
    """String constants the module passes as ``kind=`` or assigns to a name ending in KIND."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        values: list[ast.expr] = []
        if isinstance(node, ast.Call):
            values = [kw.value for kw in node.keywords if kw.arg == "kind"]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id.endswith("KIND") for t in targets):
                values = [node.value] if node.value is not None else []
        for value in values:
            if (
                isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and KIND_PATTERN.match(value.value)
            ):
                yield value.lineno, value.value


def test_the_code_queues_no_kind_that_no_app_declares() -> None:
    undeclared = [
        f"{path.relative_to(ROOT)}:{line}: {kind}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for line, kind in _kinds_in_code(path)
        if get_kind(kind) is None
    ]
    assert undeclared == []


def test_the_code_reader_finds_a_literal_kind(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text(
        'NEW_KIND = "shift.new"\n'
        'enqueue_message(recipient=u, kind="shift.other", dedupe_key="k", context={})\n'
        'Field(kind="Training")\n'
    )
    assert list(_kinds_in_code(module)) == [(1, "shift.new"), (2, "shift.other")]
