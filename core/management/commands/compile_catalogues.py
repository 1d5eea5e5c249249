"""``manage.py compile_catalogues``: locale/*/LC_MESSAGES/django.po -> django.mo, with Babel.

Django's ``compilemessages`` needs GNU gettext's msgfmt, which a fresh machine may lack;
Babel is pure Python and already a dependency, so `make install` compiles with this and
nothing but Python is needed to run or test the project. ``--check`` compiles nothing and
fails when a catalogue has an untranslated or fuzzy entry, or a plural rule other than the
language's (CLDR's, as Babel knows it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def catalogue_paths() -> list[Path]:
    """Every project catalogue, one per language folder under LOCALE_PATHS."""
    return sorted(
        path
        for folder in settings.LOCALE_PATHS
        for path in Path(folder).glob("*/LC_MESSAGES/django.po")
    )


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name)


def problems(path: Path, catalogue: Catalog) -> list[str]:
    """What keeps a catalogue from being complete: untranslated or fuzzy entries, a wrong
    plural rule, a plural entry with the wrong number of forms."""
    found: list[str] = []
    language = path.parent.parent.name
    expected = get_plural(language)
    if catalogue.num_plurals != expected.num_plurals:
        found.append(
            f"{path}: {catalogue.num_plurals} plural forms, {language} has {expected.num_plurals}"
        )
    for message in catalogue:
        if not message.id:
            continue  # the header
        label = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            found.append(f"{path}: fuzzy: {label!r}")
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if not all(strings):
            found.append(f"{path}: untranslated: {label!r}")
        elif message.pluralizable and len(strings) != catalogue.num_plurals:
            found.append(f"{path}: {len(strings)} plural forms for {label!r}")
    return found


class Command(BaseCommand):
    help = "Compile the project's translation catalogues with Babel (no gettext needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Fail on an untranslated or fuzzy entry or a wrong plural rule; write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        found: list[str] = []
        for path in catalogue_paths():
            catalogue = read_catalogue(path)
            if options["check"]:
                found += problems(path, catalogue)
                continue
            with path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalogue, use_fuzzy=False)
            self.stdout.write(f"compiled {path.with_suffix('.mo')}")
        if found:
            raise CommandError("\n".join(["Catalogues are not complete:", *found]))
