"""The fundraiser's pages of this issue at a phone's width: reports, a donor record, the
Stripe import, the events log and the coordinator's home (with donor tasks)."""

from __future__ import annotations

import pytest

from donations.models import Donor
from tests.browser.pages import assert_accessible, assert_fits, screenshot


@pytest.mark.parametrize(
    "path",
    [
        "/coordinator/giving/reports/",
        "donor",
        "/coordinator/giving/stripe-import/",
        "/coordinator/giving/stripe-events/",
        "/coordinator/giving/campaigns/",
        "/coordinator/",
    ],
)
def test_giving_pages_fit_a_phone(page_factory, site, screenshots, path):
    if path == "donor":
        path = f"/coordinator/giving/donors/{Donor.objects.get(email='hope.fdn@example.org').pk}/"
    page = page_factory("phone", as_="coordinator")
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert_fits(page)
    assert_accessible(page)
    screenshot(page, screenshots, path.strip("/").replace("/", "-") or "home")
