"""The fundraiser's pages that are not in the menu, at a phone's width: a donor record, a
campaign, the donor list filtered, and the Stripe import. The menu's pages (reports, the
Stripe events, campaigns, donors, the coordinator's home) are checked at both widths by
test_every_page.py."""

from __future__ import annotations

import pytest

from donations.models import Campaign, Donor
from tests.browser.pages import assert_accessible, assert_fits, screenshot


@pytest.mark.parametrize(
    "path",
    [
        "donor",
        "/coordinator/giving/stripe-import/",
        "campaign",
        "/coordinator/giving/donors/?lapsed=on&monthly=&total_min=10",
    ],
)
def test_giving_pages_fit_a_phone(page_factory, site, screenshots, path):
    if path == "donor":
        path = f"/coordinator/giving/donors/{Donor.objects.get(email='hope.fdn@example.org').pk}/"
    if path == "campaign":
        path = f"/coordinator/giving/campaigns/{Campaign.objects.get(slug='night-shifts').pk}/"
    page = page_factory("phone", as_="coordinator")
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert_fits(page)
    assert_accessible(page)
    screenshot(page, screenshots, path.split("?")[0].strip("/").replace("/", "-") or "home")
