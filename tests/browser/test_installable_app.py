"""The volunteer site as an installed app, in Chromium: the service worker registers, the
manifest passes Chromium's installability checks, and with the network cut the schedule
page still opens from the worker's copy, saying it may be out of date."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.conftest import PHONE
from tests.browser.pages import assert_fits, check_page, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture
def profile_page(playwright_driver, site, tmp_path) -> Iterator[Page]:
    """A page in a browser profile on disk, as a phone's browser is: Chromium says an app
    cannot be installed from a private (incognito) window, which every other test uses."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        base_url=site.url,
        locale="en-US",
        timezone_id="America/New_York",
    )
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": site.sessions["volunteer"],
                "url": site.url,
            }
        ]
    )
    yield context.pages[0] if context.pages else context.new_page()
    context.close()


def test_the_app_installs_and_the_schedule_opens_offline(profile_page, site, screenshots):
    page = profile_page
    page.goto("/volunteer/schedule/")
    state = page.evaluate(
        "() => navigator.serviceWorker.ready.then(r => r.active && r.active.scriptURL)"
    )
    assert state == site("/sw.js")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == site("/manifest.webmanifest")
    assert manifest["errors"] == []
    assert cdp.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}

    page.reload()  # now through the worker, which keeps a copy
    online = page.locator("#upcoming-title + ul h3").all_inner_texts()
    assert online, "the demo volunteer has shifts coming up"
    assert not page.locator(".offline-note").is_visible()

    page.context.set_offline(True)
    page.reload()
    offline = page.locator("#upcoming-title + ul h3").all_inner_texts()
    assert offline == online
    note = page.locator(".offline-note")
    assert note.is_visible()
    assert "may be out of date" in note.inner_text()
    assert_fits(page)
    screenshot(page, screenshots, "schedule-offline")
    page.context.set_offline(False)


def test_the_phone_pages_fit_and_are_accessible(page_factory, site, screenshots):
    """The volunteer's home (next shift first) and the page of that shift (its team)."""
    page = page_factory("phone", as_="volunteer")
    page.goto("/volunteer/")
    problems = check_page(page, "volunteer-home", screenshots)
    shift_link = page.locator("#next-shift a", has_text="Shift details")
    if shift_link.count():
        shift_link.first.click()
    else:
        page.goto("/volunteer/schedule/")
        page.locator("#upcoming-title + ul h3 a").first.click()
    page.wait_for_selector("#team-title")
    problems += check_page(page, "shift-team", screenshots)
    page.goto("/notifications/preferences/")
    problems += check_page(page, "preferences", screenshots)
    assert problems == []
