"""The test database is fully migrated, however it was made (on SQLite, copied from a
migrated template: tests/sqlite_template.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from donations.models import StripeCustomerErasure


@pytest.mark.django_db
def test_every_migration_is_applied() -> None:
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    # The newest tables are there too (not only the record of their migrations).
    assert StripeCustomerErasure.objects.count() == 0


def test_the_template_key_follows_the_migrations(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests import sqlite_template

    (tmp_path / "migrations").mkdir()
    migration = tmp_path / "migrations" / "0001_initial.py"
    migration.write_text("operations = []\n")
    app = SimpleNamespace(path=str(tmp_path))
    monkeypatch.setattr(apps, "get_app_configs", lambda: [app])
    key = sqlite_template.template_key()
    assert sqlite_template.template_key() == key
    migration.write_text("operations = [1]\n")
    changed = sqlite_template.template_key()
    assert changed != key
    (tmp_path / "migrations" / "0002_more.py").write_text("")
    assert sqlite_template.template_key() not in (key, changed)
