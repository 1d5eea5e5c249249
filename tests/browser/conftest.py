"""Browser tests: Debian's Chromium, driven by Playwright, against a live server of the app.

One server and one browser serve the whole package: the demo data (``seed_demo``) is loaded
once into the test database, a threaded live server answers on 127.0.0.1, and each demo
person gets one logged-in session, shared by the tests as a cookie. The data is flushed when
the package is done, so tests that run after see an empty database as usual.

Every test here is marked ``browser`` (skipped with a reason without Chromium, a failure under
``CI=true``) and ``slow`` (it starts a server and a browser, so ``-m "not slow"`` leaves it
out). ``make test`` runs them in the parallel run, in groups (``BROWSER_GROUPS``): each worker
that runs a group has its own database, demo data, server and browser. Screenshots go to
``var/browser-screenshots/`` (or ``$BROWSER_SCREENSHOTS``); the folder is printed at the end
of the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from accounts.services import two_factor
from config.celery import app as celery_app
from demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.screenshots import RUN_STARTED, screenshots_folder
from tests.browser.server import LiveServer
from tests.factories import give_second_factor, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright
    from pytest_django.plugin import DjangoDbBlocker

# Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is deliberate (the calls are synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

# The demo people (demo/management/commands/seed_demo.py), one per kind of account.
DEMO_LOGINS = {
    "coordinator": "coordinator@example.org",
    "volunteer_coordinator": "volunteering@example.org",
    "safeguarding_lead": "safeguarding@example.org",
    "fundraiser": "fundraising@example.org",
    "viewer": "viewer@example.org",
    "volunteer": "volunteer@example.org",
    "donor": "donor@example.org",
    "volunteer_and_donor": "sam@example.org",
    "applicant": "kofi@example.org",
}


# Under pytest-xdist (``--dist loadgroup``, as ``make test`` runs them) the browser tests
# form this many groups, each run by one worker from start to end: a worker loads the demo
# data and starts a server and a browser once for its group, and the groups run at the same
# time as each other and as the rest of the suite.
BROWSER_GROUPS = 2


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder needs Chromium, starts a server, and reads the test database."""
    here = Path(__file__).parent
    mine = [item for item in items if here in Path(str(item.fspath)).parents]
    for index, item in enumerate(mine):
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.slow)
        item.add_marker(pytest.mark.django_db)
        # In turn, so that each group gets its share of the long tests (phone, desktop).
        item.add_marker(pytest.mark.xdist_group(f"browser-{index % BROWSER_GROUPS + 1}"))


@dataclass
class Site:
    """The running app: its address and one logged-in session cookie per demo person."""

    url: str
    sessions: dict[str, str] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # Staff's recovery codes (made with the demo data, so the server sees them).
    recovery_codes: dict[str, list[str]] = field(default_factory=dict)

    def __call__(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture(scope="package")
def site(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Site]:
    """The demo data in the test database, served by a live server on 127.0.0.1."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        server = LiveServer("127.0.0.1")
        server.start()
        running = Site(url=server.url)
        for name, email in DEMO_LOGINS.items():
            user = User.objects.get(email=email)
            client = Client()
            client.force_login(user)
            if user.is_staff_member:
                give_second_factor(client, user)
                running.recovery_codes[name] = two_factor.new_recovery_codes(user=user)
            running.sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
            running.users[name] = user
        # Staff who have never logged in (no second factor yet), for the first-login test:
        # made here, committed, so the server sees them.
        for role in (Role.VIEWER, Role.FUNDRAISER):
            make_user(email=f"first.{role.value}@example.org", roles=[role], password=DEMO_PASSWORD)
    try:
        yield running
    finally:
        server.stop()
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
        # The demo data queued send tasks that no worker took; left in the broker, a later
        # test's workers would take them for that test's rows (the ids start again at 1).
        celery_app.control.purge()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """One Chromium for the whole run (starting one costs about a second)."""
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest) -> Path:
    """The folder this run's screenshots go to, without those of earlier runs."""
    return screenshots_folder(run_started=request.config.stash[RUN_STARTED])


ContextFactory = Callable[..., "BrowserContext"]


@pytest.fixture
def new_context(browser: Browser, site: Site) -> Iterator[ContextFactory]:
    """Open a browser context at a viewport ("phone" or "desktop"), logged in as a demo person.

    ``new_context("phone")`` is a visitor; ``new_context("phone", as_="coordinator")`` carries
    that person's session cookie. Contexts are closed after the test.
    """
    from tests.browser.pages import AXE_SOURCE

    opened: list[BrowserContext] = []

    def open_context(viewport: str, as_: str | None = None) -> BrowserContext:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
            base_url=site.url,
            locale="en-US",
            timezone_id="America/New_York",
        )
        context.set_default_timeout(15_000)
        # axe-core is injected by the browser itself before any page script, so the page's
        # Content-Security-Policy never has to allow it.
        context.add_init_script(script=AXE_SOURCE)
        if as_ is not None:
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": site.sessions[as_],
                        "url": site.url,
                    }
                ]
            )
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page_factory(new_context: ContextFactory) -> Callable[..., Page]:
    """A fresh page in a new context: ``page_factory("phone", as_="volunteer")``."""

    def open_page(viewport: str, as_: str | None = None) -> Page:
        return new_context(viewport, as_=as_).new_page()

    return open_page
