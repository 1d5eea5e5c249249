"""The login page in a real browser, at a phone's width and a desktop's."""

from __future__ import annotations

import re

import pytest

from demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.pages import assert_accessible, assert_fits, axe_violations, screenshot


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_login_page_fits_is_accessible_and_logs_a_coordinator_in(
    page_factory, site, screenshots, viewport
):
    page = page_factory(viewport)
    page.goto("/accounts/login/")
    assert page.title().startswith("Log in")
    assert_fits(page)
    assert_accessible(page)
    screenshot(page, screenshots, "login")

    page.get_by_label("E-mail address").fill("coordinator@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(re.compile(r"/coordinator/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Good to see you, Maya")


def test_axe_reports_a_serious_violation_it_is_shown(page_factory, site):
    """The checker itself can fail: an image button without a name is a critical issue."""
    page = page_factory("phone")
    page.goto("/accounts/login/")
    page.evaluate(
        "() => { const b = document.createElement('button');"
        " document.querySelector('main').appendChild(b); }"
    )
    ids = {violation["id"] for violation in axe_violations(page)}
    assert "button-name" in ids
    with pytest.raises(AssertionError, match="button-name"):
        assert_accessible(page)


def test_a_page_wider_than_the_phone_is_caught(page_factory, site):
    page = page_factory("phone")
    page.goto("/accounts/login/")
    page.evaluate(
        "() => { const d = document.createElement('div'); d.id = 'too-wide';"
        " d.setAttribute('style', 'width: 600px; height: 10px');"
        " document.querySelector('main').appendChild(d); }"
    )
    with pytest.raises(AssertionError, match="div#too-wide"):
        assert_fits(page)
