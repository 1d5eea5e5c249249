"""What the pseudo-language crawl cannot reach (answers to a POST, errors a service raises):
the code itself is read, and no error people see or flash message is a bare string.

An exception's message that is a string literal or an f-string, given to an error class of
ours (``...Error``, ``PermissionDenied``) or to ``messages.success/error/info/warning``, is
a string nobody marked: it must go through gettext."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.utils import ROOT

APPS = ["accounts", "core", "dashboard", "demo", "donations", "notifications", "volunteers"]
# Errors for programmers, logs or Stripe, never shown to a person.
INTERNAL = {
    "AssertionError",
    "AttributeError",
    "CommandError",
    "ImproperlyConfigured",
    "KeyError",
    "LookupError",
    "NotImplementedError",
    "PermanentEventError",
    "PushError",
    "PushRejected",
    "RuntimeError",
    "SmsError",
    "TypeError",
    "ValueError",
}
FLASH = {"success", "error", "info", "warning"}


def _bare_text(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value)


def _shown_text(call: ast.Call) -> ast.expr | None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if (name.endswith("Error") or name == "PermissionDenied") and name not in INTERNAL:
        return call.args[0] if call.args else None
    if (
        name in FLASH
        and isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "messages"
        and len(call.args) > 1
    ):
        return call.args[1]
    return None


def unmarked(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            text = _shown_text(node)
            if text is not None and _bare_text(text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_error_or_flash_message_is_a_bare_string() -> None:
    found = [
        site
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for site in unmarked(path)
    ]
    # One flash message joins a field's (translated) label and its (translated) error.
    assert found == ["donations/views/records.py:159"]


def test_the_check_finds_a_bare_string(tmp_path: Path) -> None:
    sample = ROOT / "volunteers" / "services" / "shifts.py"
    source = sample.read_text(encoding="utf-8")
    broken = tmp_path / "shifts.py"
    broken.write_text(source + '\n\ndef f():\n    raise VolunteeringError(f"No {x}.")\n')
    tree = ast.parse(broken.read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _shown_text(n) is not None]
    assert any(_bare_text(_shown_text(c)) for c in calls)  # type: ignore[arg-type]
