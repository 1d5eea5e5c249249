"""The administrator's page to export or erase a person's data, at a phone's width: it fits
and axe-core finds no serious issue (with the erase form, and with a refusal's reasons)."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.browser.pages import assert_accessible, assert_fits, screenshot


@pytest.mark.parametrize("email", ["volunteer@example.org", "sam@example.org"])
def test_the_person_data_page_fits_a_phone(page_factory, site, screenshots, email):
    person = User.objects.get(email=email)
    page = page_factory("phone", as_="coordinator")
    response = page.goto(f"/coordinator/people/{person.pk}/data/")
    assert response is not None and response.status == 200
    assert_fits(page)
    assert_accessible(page)
    screenshot(page, screenshots, f"person-data-{email.split('@')[0]}")
