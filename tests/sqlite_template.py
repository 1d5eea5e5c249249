"""SQLite test databases copied from a migrated template instead of migrated each time.

Running every migration takes about 7 CPU-seconds, and on SQLite each test process (each
pytest-xdist worker, and the run of slow tests after them) builds its own in-memory test
database. The first process to need one migrates it as usual and keeps a copy in
``var/test-db/<key>.sqlite3``; the others (of this run and of later runs) copy it into
their in-memory database, which takes a few milliseconds. The key is a digest of every
migration file, Django's and SQLite's versions and the installed apps, so a changed or new
migration makes a new template; templates of other keys are removed. A file lock lets one
process write it while the others wait.

PostgreSQL test databases are left to Django (and CI checks the migrations there).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.db.backends.sqlite3.creation import DatabaseCreation

FOLDER = Path(settings.BASE_DIR) / "var" / "test-db"


def template_key() -> str:
    """What the migrated schema depends on: every migration file, and the versions."""
    digest = hashlib.sha256()
    digest.update(f"{django.get_version()} {sqlite3.sqlite_version}".encode())
    digest.update(" ".join(settings.INSTALLED_APPS).encode())
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            digest.update(str(path.relative_to(config.path)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def install() -> None:
    """Make SQLite's in-memory test databases come from the template (see above)."""
    original = DatabaseCreation.create_test_db

    def create_test_db(
        self: Any,
        verbosity: int = 1,
        autoclobber: bool = False,
        serialize: bool = True,
        keepdb: bool = False,
    ) -> str:
        name = self._get_test_db_name()
        if keepdb or not self.is_in_memory_db(name):
            return str(original(self, verbosity, autoclobber, serialize, keepdb))
        key = template_key()
        template = FOLDER / f"{key}.sqlite3"
        with _locked(FOLDER / ".lock"):
            if not template.is_file():
                created = str(original(self, verbosity, autoclobber, serialize, keepdb))
                partial = template.with_suffix(f".{os.getpid()}.partial")
                written = sqlite3.connect(partial)
                try:
                    _raw(self).backup(written)
                finally:
                    written.close()
                partial.replace(template)
                for old in [*FOLDER.glob("*.sqlite3"), *FOLDER.glob("*.partial")]:
                    if old != template:  # other keys', and what a killed writer left
                        old.unlink(missing_ok=True)
                return created
            self._create_test_db(verbosity, autoclobber, keepdb)
            self.connection.close()
            settings.DATABASES[self.connection.alias]["NAME"] = name
            self.connection.settings_dict["NAME"] = name
            self.connection.ensure_connection()
            # Still under the lock: another run (of other migrations) may replace it.
            stored = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
            try:
                stored.backup(_raw(self))
            finally:
                stored.close()
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        return str(name)

    DatabaseCreation.create_test_db = create_test_db  # type: ignore[method-assign,assignment]


def _raw(creation: Any) -> Any:
    creation.connection.ensure_connection()
    return creation.connection.connection
