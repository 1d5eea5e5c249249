"""Counts are pluralised by gettext's ngettext / {% blocktranslate count %}, whose plural
rules follow each language (Thai has one form, Filipino two with its own rule), never by
hand ("1 person" if n == 1 else ...), which is right only in English."""

from __future__ import annotations

import re

from tests.utils import ROOT

APPS = ["accounts", "core", "dashboard", "demo", "donations", "notifications", "volunteers"]
HAND_MADE = re.compile(r"""(==|!=|>|<)\s*1\s+else|["']s["']\s+if\b""")


def test_no_plural_is_made_by_hand() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HAND_MADE.search(line)
    ]
    assert found == []


def test_the_check_finds_a_hand_made_plural() -> None:
    assert HAND_MADE.search('who = "1 person" if count == 1 else f"{count} people"')
    assert HAND_MADE.search("f\"{count} shift{'s' if count > 1 else ''}\"")
    assert not HAND_MADE.search("if count == 1:")
