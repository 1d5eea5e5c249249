"""The pages of repeating-shift previews, applications, rosters and profile photos at a
phone's width: they fit, axe-core finds nothing serious, and the preview appears as the
coordinator edits (htmx, under the page's Content-Security-Policy)."""

from __future__ import annotations

import io

from PIL import Image

from tests.browser.pages import assert_accessible, assert_fits, screenshot
from volunteers.models import PLACE_STATUSES, Shift, ShiftSignup


def _fits(page, screenshots, name: str) -> None:
    assert_fits(page)
    assert_accessible(page)
    screenshot(page, screenshots, name)


def test_applications_read_like_a_letter_on_a_phone(page_factory, site, screenshots):
    page = page_factory("phone", as_="coordinator")
    response = page.goto("/coordinator/volunteering/applications/")
    assert response is not None and response.status == 200
    assert page.locator("article.letter").count() >= 1
    # No one-character columns: each answer is as wide as the letter.
    widths = page.eval_on_selector_all(
        "article.letter .letter-part p", "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert widths and min(widths) > 250
    _fits(page, screenshots, "applications")


def test_the_series_preview_appears_as_the_coordinator_edits(page_factory, site, screenshots):
    page = page_factory("phone", as_="coordinator")
    response = page.goto("/coordinator/volunteering/shifts/repeating/new/")
    assert response is not None and response.status == 200
    page.select_option("#id_role", index=1)
    page.select_option("#id_location", index=1)
    page.fill("#id_start_time", "18:00")
    page.fill("#id_end_time", "21:00")
    page.check("input[name=weekdays][value=TU]")
    page.check("input[name=weekdays][value=TH]")
    page.check("input[name=ends][value=count]")
    page.fill("#id_count", "6")
    page.fill("#id_capacity", "3")
    page.locator("#id_count").dispatch_event("change")
    words = page.locator("#series-words")
    words.wait_for()
    assert words.inner_text().startswith("Every Tuesday and Thursday, 18:00\u201321:00, from ")
    assert words.inner_text().endswith(": 6 shifts")
    assert page.locator(".series-dates li").count() == 5
    _fits(page, screenshots, "series-preview")
    # Without htmx, the Preview button re-renders the page with the same words.
    page.click("button[name=preview]")
    page.locator("#series-words").wait_for()
    assert page.locator("#series-words").inner_text().endswith(": 6 shifts")
    _fits(page, screenshots, "series-preview-posted")


def test_the_roster_of_a_series_shift_fits(page_factory, site, screenshots):
    shift = Shift.objects.filter(series__isnull=False).order_by("starts_at").first()
    assert shift is not None
    page = page_factory("phone", as_="coordinator")
    response = page.goto(f"/coordinator/volunteering/shifts/{shift.pk}/")
    assert response is not None and response.status == 200
    assert "FREQ=" not in page.content()
    _fits(page, screenshots, "roster-series")


def test_a_volunteer_adds_a_photo_on_a_phone(page_factory, site, screenshots, tmp_path):
    image = io.BytesIO()
    Image.new("RGB", (600, 800), (30, 90, 160)).save(image, format="JPEG")
    path = tmp_path / "me.jpg"
    path.write_bytes(image.getvalue())
    page = page_factory("phone", as_="volunteer")
    response = page.goto("/volunteer/photo/")
    assert response is not None and response.status == 200
    _fits(page, screenshots, "my-photo-empty")
    page.set_input_files("#id_photo", str(path))
    page.click("button.primary")
    page.locator("#my-photo").wait_for()
    loaded = page.eval_on_selector("#my-photo", "img => img.complete && img.naturalWidth")
    assert loaded == 384  # 600x800 shrunk to fit 512 px
    _fits(page, screenshots, "my-photo")
    signup = (
        ShiftSignup.objects.filter(
            volunteer__email="volunteer@example.org", status__in=PLACE_STATUSES
        )
        .order_by("shift__starts_at")
        .first()
    )
    if signup is not None:
        page.goto(f"/volunteer/shifts/{signup.shift_id}/")
        assert page.locator("#team img.avatar").count() >= 1
        _fits(page, screenshots, "shift-team-photos")
