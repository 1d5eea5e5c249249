"""One way to do each of these, so they cannot drift apart again:

* counts are pluralised by ngettext / {% blocktranslate count %}, whose rules follow each
  language (Thai has one form, Spanish three), never by hand ("1 person" if n == 1 ...);
* a person is named by ``str(user)`` (accounts.models.User.__str__), in Python and in
  templates ({{ user }}), never by get_full_name-or-email again;
* a language code becomes a Babel locale in core.locales only;
* a form field is drawn by templates/includes/field.html only;
* a gift known only by its day is dated at noon by core.dates.org_noon only;
* the donor record of a login is found by donations.selectors.donors.donor_for_user only;
* work is handed to the broker after a commit by core.tasks.run_on_commit only (one rule for
  a broker that is down); besides it, the outbox's publisher, a task scheduling its own
  follow-up, and the health check's ping, which waits for its answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils import ROOT

APPS = ["accounts", "core", "dashboard", "demo", "donations", "notifications", "volunteers"]
HAND_MADE_PLURAL = re.compile(r"""(==|!=|>|<)\s*1\s+else|["']s["']\s+if\b""")


def lines(paths: Iterator[Path]) -> Iterator[tuple[str, int, str]]:
    for path in sorted(paths):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield str(path.relative_to(ROOT)), number, line


def python_lines() -> Iterator[tuple[str, int, str]]:
    for app in APPS:
        yield from lines((ROOT / app).rglob("*.py"))


def template_lines() -> Iterator[tuple[str, int, str]]:
    yield from lines(p for p in (ROOT / "templates").rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("where", "pattern", "allowed"),
    [
        ("python", HAND_MADE_PLURAL, set()),
        # Django's |pluralize knows English only ("1 coordinators" was a count by hand).
        ("templates", re.compile(r"\|pluralize|[!=]=\s*1\s*%}"), set()),
        ("python", re.compile(r"get_full_name\(\)\s+or\b"), {"accounts/models.py"}),
        ("templates", re.compile(r"get_full_name"), set()),
        ("python", re.compile(r"\bto_locale\(|Locale\.parse\("), {"core/locales.py"}),
        ("templates", re.compile(r"_field\.html"), set()),
        ("python", re.compile(r"\btime\(12\)"), {"core/dates.py"}),
        (
            "python",
            re.compile(r"Donor\.objects\.filter\(user=[^)]*\)\.first\(\)"),
            {"donations/selectors/donors.py"},
        ),
        (
            "python",
            re.compile(r"\.(apply_async|send_task|delay)\("),
            {
                "core/tasks/__init__.py",
                "notifications/services/dispatch.py",
                "notifications/tasks.py",
                "core/http/health.py",
            },
        ),
    ],
    ids=[
        "plurals",
        "plurals in templates",
        "names in python",
        "names in templates",
        "babel locales",
        "field template",
        "noon of a day",
        "donor of a login",
        "hand to the broker",
    ],
)
def test_one_way(where: str, pattern: re.Pattern[str], allowed: set[str]) -> None:
    found = [
        f"{path}:{number}: {line.strip()}"
        for path, number, line in (python_lines() if where == "python" else template_lines())
        if pattern.search(line) and path not in allowed
    ]
    assert found == []


def test_the_plural_check_finds_a_hand_made_plural() -> None:
    assert HAND_MADE_PLURAL.search('who = "1 person" if count == 1 else f"{count} people"')
    assert HAND_MADE_PLURAL.search("f\"{count} shift{'s' if count > 1 else ''}\"")
    assert not HAND_MADE_PLURAL.search("if count == 1:")
