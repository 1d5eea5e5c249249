"""compile_catalogues: Babel compiles the .po files (no gettext), and --check refuses an
untranslated or fuzzy entry or a plural rule that is not the language's."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: {plural}\\n"

msgid "Log in"
msgstr "{login}"

msgid "%(count)s shift"
msgid_plural "%(count)s shifts"
{plural_strings}
"""
VI_PLURAL = "nplurals=1; plural=0;"
ES_PLURAL = "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"


def write(tmp_path: Path, code: str, text: str) -> Path:
    folder = tmp_path / code / "LC_MESSAGES"
    folder.mkdir(parents=True)
    path = folder / "django.po"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def locale(tmp_path: Path, settings) -> Path:
    settings.LOCALE_PATHS = [tmp_path]
    return tmp_path


def test_complete_catalogues_pass_and_compile(locale: Path) -> None:
    write(
        locale,
        "vi",
        PO.format(plural=VI_PLURAL, login="Đăng nhập", plural_strings='msgstr[0] "%(count)s ca"'),
    )
    write(
        locale,
        "es",
        PO.format(
            plural=ES_PLURAL,
            login="Entrar",
            plural_strings='msgstr[0] "%(count)s turno"\n'
            'msgstr[1] "%(count)s de turnos"\nmsgstr[2] "%(count)s turnos"',
        ),
    )
    call_command("compile_catalogues", "--check")
    call_command("compile_catalogues", verbosity=0)
    assert (locale / "vi" / "LC_MESSAGES" / "django.mo").stat().st_size > 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (PO.format(plural=VI_PLURAL, login="", plural_strings='msgstr[0] "x"'), "untranslated"),
        (
            PO.format(plural=VI_PLURAL, login="Đăng nhập", plural_strings='msgstr[0] "x"').replace(
                'msgid "Log in"', '#, fuzzy\nmsgid "Log in"'
            ),
            "fuzzy",
        ),
        (
            PO.format(
                plural="nplurals=2; plural=(n != 1);",
                login="Đăng nhập",
                plural_strings='msgstr[0] "x"\nmsgstr[1] "y"',
            ),
            "2 plural forms, vi has 1",
        ),
    ],
)
def test_check_refuses_incomplete_catalogues(locale: Path, text: str, problem: str) -> None:
    write(locale, "vi", text)
    with pytest.raises(CommandError, match=problem):
        call_command("compile_catalogues", "--check")
