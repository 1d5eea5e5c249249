"""Issue 17's donor-portal additions at a phone's width (390 px): "give again" on the
portal home, the page where a monthly donor changes their amount (with an error shown),
and the staff page of the objects that disagree with Stripe."""

from __future__ import annotations

from tests.browser.pages import assert_accessible, assert_fits, screenshot


def test_give_again_and_change_amount_fit_a_phone(page_factory, site, screenshots):
    page = page_factory("phone", as_="donor")
    response = page.goto("/donor/")
    assert response is not None and response.status == 200
    assert_fits(page)
    assert_accessible(page)
    again = page.locator("#give-again a.button")
    assert again.count() == 1
    href = again.get_attribute("href") or ""
    assert href.startswith("/donate/") and "frequency=once" in href
    screenshot(page, screenshots, "donor-give-again")
    change = page.locator("a", has_text="Change amount")
    assert change.count() >= 1
    change.first.click()
    page.wait_for_url("**/amount/")
    assert_fits(page)
    assert_accessible(page)
    page.fill("input[name=amount]", "0.10")
    page.get_by_role("button", name="Change the amount").click()
    assert page.locator(".errorlist, .error").first.is_visible()
    assert_fits(page)
    screenshot(page, screenshots, "donor-change-amount")
    # Following the link opens the donation page with the last gift chosen.
    page.goto(href)
    assert_fits(page)


def test_objects_that_disagree_fit_a_phone(page_factory, site, screenshots):
    page = page_factory("phone", as_="coordinator")
    response = page.goto("/coordinator/giving/stripe-reconciliation/")
    assert response is not None and response.status == 200
    assert_fits(page)
    assert_accessible(page)
    screenshot(page, screenshots, "stripe-reconciliation")
