"""Acceptance 2: the catalogues are up to date and complete.

Extracting the messages again (``make messages``: Django's makemessages, GNU gettext) into a
copy of the project changes no .po file; every catalogue has no untranslated and no fuzzy
entry and the plural rule of its language (compile_catalogues --check). Without gettext the
extraction is skipped with a reason, except under CI=true, where .ci/run installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command

from tests.utils import ROOT

CI = os.environ.get("CI", "").lower() == "true"
LANGUAGES = ("es", "vi", "th", "fil")
# The same as the Makefile's `messages` target (checked below).
MAKEMESSAGES = [
    "makemessages",
    *(arg for code in LANGUAGES for arg in ("-l", code)),
    "--no-obsolete",
    "--add-location",
    "file",
    "-e",
    "html,txt,py,svg",
    *(
        arg
        for folder in (".venv", ".tools", "tests", "bench", "staticfiles", "var")
        for arg in ("-i", f"{folder}/*")
    ),
]
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", ".tools", "var", "staticfiles", "node_modules", "__pycache__", "*.mo"
)
# The one line makemessages rewrites on every run.
CREATED = re.compile(r'^"POT-Creation-Date: .*\\n"$', re.MULTILINE)


def _po(path: Path) -> str:
    return CREATED.sub("", path.read_text(encoding="utf-8"))


def test_the_makefile_extracts_with_the_same_options() -> None:
    recipe = (ROOT / "Makefile").read_text()
    assert "MESSAGE_LANGUAGES := " + " ".join(LANGUAGES) in recipe
    assert "--no-obsolete --add-location file -e html,txt,py,svg" in recipe


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not CI,
    reason="GNU gettext (xgettext, msgmerge) is not installed: apt install gettext",
)
def test_extracting_messages_changes_no_catalogue(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    changed = [
        code
        for code in LANGUAGES
        if _po(copy / "locale" / code / "LC_MESSAGES" / "django.po")
        != _po(ROOT / "locale" / code / "LC_MESSAGES" / "django.po")
    ]
    assert not changed, f"run `make messages` and translate what is new in {changed}"


def test_every_catalogue_is_complete_with_its_plural_rule() -> None:
    call_command("compile_catalogues", "--check")


@pytest.mark.parametrize(("code", "forms"), [("es", 3), ("vi", 1), ("th", 1), ("fil", 2)])
def test_plural_forms(code: str, forms: int) -> None:
    with (ROOT / "locale" / code / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalogue = read_po(handle)
    assert catalogue.num_plurals == forms
    plurals = [m for m in catalogue if m.id and isinstance(m.id, tuple)]
    assert plurals
    for message in plurals:
        strings = message.string
        assert isinstance(strings, tuple | list), message.id
        assert len(strings) == forms and all(strings), message.id
