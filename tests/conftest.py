"""Test-wide fixtures and the rule for tests that need a real service.

A test marked ``postgres``, ``redis`` or ``browser`` (Chromium) is skipped with a reason when
the service is not configured, except when ``CI=true``: there it fails, and any skipped test
fails the run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from tests.browser.chromium import chromium_missing
from tests.browser.screenshots import RUN_STARTED, SCREENSHOTS, taken_since
from tests.factories import give_second_factor, make_user

pytest_plugins = ["tests.outbox"]

if connection.vendor == "sqlite":
    # In-memory test databases copied from a migrated template (tests/sqlite_template.py).
    from tests import sqlite_template

    sqlite_template.install()

CI = os.environ.get("CI", "").lower() == "true"

# Tests make thousands of logins: a password hashed with the production hasher's 1,000,000
# PBKDF2 rounds costs ~0.3 s each. Tests use a fast hasher; tests/accounts/test_passwords.py
# covers the production one.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A message kind no app declares, or a context unlike its declaration, fails the test that
# queues it (notifications.kinds); production only logs it.
settings.NOTIFICATIONS_STRICT_KINDS = True
# Links in messages, whatever HOST or PORT the shell running the tests has.
settings.SITE_URL = "http://127.0.0.1:8000"

# Parallel workers (pytest-xdist) share one Redis cache: each keeps its keys under its own
# prefix and clears only those (Django's clear() would flush everyone's).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER:
    settings.CACHES["default"]["KEY_PREFIX"] = (
        f"{settings.CACHES['default'].get('KEY_PREFIX', '')}-{XDIST_WORKER}"
    )


def clear_cache() -> None:
    """Empty this test process's cache (only its own keys on a shared Redis)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache) and XDIST_WORKER:
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{backend.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


def pytest_report_header(config: pytest.Config) -> list[str]:
    db = settings.DATABASES["default"]
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return [
        f"database vendor: {connection.vendor} ({db['ENGINE']}, name {db['NAME']})",
        f"celery broker: {broker}; redis: {'yes' if settings.REDIS_URL else 'no'}; CI: {CI}",
    ]


def pytest_configure(config: pytest.Config) -> None:
    workerinput: dict[str, Any] = getattr(config, "workerinput", {})
    config.stash[RUN_STARTED] = float(workerinput.get("run_started", time.time()))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: each worker learns when the run started."""
    node.workerinput["run_started"] = node.config.stash[RUN_STARTED]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    count = taken_since(terminalreporter.config.stash[RUN_STARTED])
    if count:
        terminalreporter.write_line(f"Browser screenshots ({count}): {SCREENSHOTS}")


def _missing_service(item: pytest.Item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if item.get_closest_marker("browser"):
        return chromium_missing()
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _missing_service(item)
    if reason:
        if CI:
            pytest.fail(f"CI=true but this test {reason}", pytrace=False)
        pytest.skip(reason)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if CI and skipped and reporter is not None:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) were skipped; failing the run.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """The cache holds login throttles; each test starts without any."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _staff_logins_have_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``client.force_login(staff)`` also gives the second factor (as the two-factor page
    would), so the tests of staff pages test those pages. A test of the second factor
    itself sets ``client.second_factor = False`` first (tests/accounts/test_two_factor.py,
    and the permission matrix's unverified staff)."""
    original = Client.force_login

    def force_login(self: Client, user: User, backend: str | None = None) -> None:
        original(self, user, backend)
        if getattr(self, "second_factor", True) and user.is_staff_member:
            give_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def coordinator(db: None):
    return make_user(roles=[Role.ADMINISTRATOR], first_name="Maya", email="maya@example.org")


@pytest.fixture
def volunteer(db: None):
    return make_user(roles=[Role.VOLUNTEER], first_name="Ana", email="ana@example.org")


@pytest.fixture
def donor(db: None):
    return make_user(roles=[Role.DONOR], first_name="Grace", email="grace@example.org")
