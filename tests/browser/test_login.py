"""The login page in a real browser, at a phone's width and a desktop's."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.pages import (
    assert_accessible,
    assert_fits,
    axe_violations,
    check_page,
    screenshot,
)
from tests.browser.screenshots import EVERY_PAGE


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

    # Staff give a second factor (the demo coordinator has an authenticator already):
    # here one of the recovery codes.
    page.wait_for_url(re.compile(r"/accounts/two-factor/\?next="))
    assert_fits(page)
    assert_accessible(page)
    page.get_by_label("Code").fill(site.recovery_codes["coordinator"].pop())
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"^http://[^/]+/coordinator/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Good to see you, Maya")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_first_staff_login_sets_up_an_authenticator_app(
    page_factory, site, screenshots, viewport, django_db_blocker
):
    # Staff made by the site fixture without a second factor (every demo login has one).
    email = "first.viewer@example.org" if viewport == "phone" else "first.fundraiser@example.org"
    page = page_factory(viewport)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
    assert_fits(page)
    assert_accessible(page)
    screenshot(page, screenshots, "two-factor-setup")
    assert page.locator(".qr svg").count() == 1
    with django_db_blocker.unblock():
        device = TOTPDevice.objects.get(user__email=email, confirmed=False)
    page.get_by_label("Code").fill(f"{totp(device.bin_key, device.step, device.t0):06d}")
    page.get_by_role("button", name="Turn on two-factor login").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/recovery-codes/"))
    assert_fits(page)
    assert_accessible(page)
    assert page.locator(".codes code").count() == 10
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(re.compile(r"^http://[^/]+/coordinator/$"))


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
        " d.style.width = '600px'; d.style.height = '10px';"
        " document.querySelector('main').appendChild(d); }"
    )
    with pytest.raises(AssertionError, match="div#too-wide"):
        assert_fits(page)


def test_a_page_that_fails_a_check_is_photographed_and_one_that_passes_is_not(
    page_factory, site, screenshots
):
    page = page_factory("phone")
    page.goto("/accounts/login/")
    passed = screenshots / "check-passes-390.png"
    passed.unlink(missing_ok=True)
    assert check_page(page, "check-passes", screenshots) == []
    assert passed.is_file() == EVERY_PAGE

    page.evaluate(
        "() => { const d = document.createElement('div'); d.id = 'too-wide';"
        " d.style.width = '600px'; d.style.height = '10px';"
        " document.querySelector('main').appendChild(d); }"
    )
    failed = screenshots / "check-fails-390.png"
    failed.unlink(missing_ok=True)
    problems = check_page(page, "check-fails", screenshots)
    assert len(problems) == 2 and "div#too-wide" in problems[0]
    assert problems[1] == f"Screenshot: {failed}"
    assert failed.stat().st_size > 1000
