"""The donate page on a phone, and the embeddable form framed by other sites."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.conftest import PHONE
from tests.browser.pages import assert_accessible, assert_fits, screenshot


def _bottom(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return float(box["y"] + box["height"])


def test_amounts_monthly_toggle_and_pay_button_are_above_the_fold(page_factory, site, screenshots):
    page = page_factory("phone")
    page.goto("/donate/")
    assert_fits(page)
    assert_accessible(page)
    screenshot(page, screenshots, "donate-phone")
    amounts = page.locator("#id_amount label")
    assert amounts.count() == 5  # four suggested amounts and "Other amount"
    monthly = page.locator("#id_frequency label", has_text="Monthly")
    pay = page.get_by_role("button", name=re.compile("Continue to"))
    for locator in (amounts.last, monthly, pay):
        assert locator.is_visible()
        assert _bottom(locator) <= PHONE["height"]
    # "More options" is folded: the dedication is not in the first screen.
    assert not page.get_by_label("Their name").is_visible()
    # The other amount appears when chosen.
    assert not page.get_by_label("Other amount", exact=False).last.is_visible()
    amounts.last.click()
    assert page.locator("#id_custom_amount").is_visible()


def test_picking_an_amount_shows_what_it_does_and_the_share_page_fits(
    page_factory, site, screenshots
):
    page = page_factory("phone")
    page.goto("/donate/night-shifts/?utm_source=qr")
    assert_fits(page)
    assert_accessible(page)
    live = page.locator(".impact-live")
    # With JavaScript only the picked amount's line shows, none before a pick.
    assert not page.locator(".donate .impact").is_visible()
    page.locator("#id_amount label", has_text="$50").click()
    assert live.inner_text() == "$50.00: trains one hotline volunteer"
    page.locator("#id_amount label", has_text="$250").click()
    assert live.inner_text() == ""
    assert page.locator("input[name=referral]").get_attribute("value") == "qr"
    screenshot(page, screenshots, "donate-impact-phone")
    share = page_factory("phone")
    share.goto("/donate/night-shifts/share/")
    assert_fits(share)
    assert_accessible(share)
    assert share.locator(".qr svg").is_visible()
    assert (
        share.get_by_role("link", name="Share on WhatsApp")
        .get_attribute("href")
        .startswith("https://wa.me/?text=")
    )
    screenshot(share, screenshots, "share-phone")


def test_the_general_page_says_what_an_amount_does_and_keeps_the_pay_button_in_view(
    page_factory, site, screenshots
):
    page = page_factory("phone")
    page.goto("/donate/")
    page.locator("#id_amount label").first.click()
    assert page.locator(".impact-live").inner_text() == (
        "$25.00: trains one hotline volunteer for a shift"
    )
    amounts = page.locator("#id_amount label")
    monthly = page.locator("#id_frequency label", has_text="Monthly")
    pay = page.get_by_role("button", name=re.compile("Continue to"))
    for locator in (amounts.last, monthly, pay):
        assert locator.is_visible()
        assert _bottom(locator) <= PHONE["height"]
    assert_fits(page)
    screenshot(page, screenshots, "donate-general-impact-phone")
    # The currency's own amounts (set by staff for yen), with their impact text.
    page.goto("/donate/?currency=JPY")
    assert page.locator("#id_amount label").all_inner_texts()[:4] == [
        "¥3,000",
        "¥5,000",
        "¥10,000",
        "¥20,000",
    ]
    page.locator("#id_amount label").first.click()
    assert page.locator(".impact-live").inner_text() == (
        "¥3,000: trains one hotline volunteer for a shift"
    )
    assert _bottom(pay) <= PHONE["height"]
    share = page_factory("phone")
    share.goto("/donate/share/")
    assert_fits(share)
    assert_accessible(share)
    assert share.locator(".qr svg").is_visible()
    screenshot(share, screenshots, "share-general-phone")


def test_a_bad_gift_is_a_form_error_and_makes_no_session(page_factory, site):
    page = page_factory("phone")
    page.goto("/donate/")
    page.locator("#id_amount label").last.click()
    page.locator("#id_custom_amount").fill("0.10")
    page.get_by_role("button", name=re.compile("Continue to")).click()
    page.wait_for_load_state()
    assert "/donate/" in page.url and "test-checkout" not in page.url
    assert page.locator(".error").count() >= 1


class _Outer(BaseHTTPRequestHandler):
    """A page of "the organisation's website" that frames our embeddable form."""

    frame_src = ""

    def do_GET(self) -> None:
        body = (
            "<!doctype html><title>Our site</title>"
            f'<iframe src="{self.frame_src}" width="380" height="300"></iframe>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def outer_site(site) -> Iterator[int]:
    _Outer.frame_src = site("/donate/embed/")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Outer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_embed_loads_on_an_allowed_origin_and_is_refused_on_another(
    playwright_driver, site, outer_site, settings
):
    port = outer_site
    settings.DONATION_EMBED_ORIGINS = [f"http://allowed.test:{port}"]
    # Two host names for this machine: the allowed site and another one.
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP *.test 127.0.0.1"],
    )
    try:
        page = browser.new_page(viewport=PHONE)
        page.goto(f"http://allowed.test:{port}/")
        frame = page.frame_locator("iframe")
        frame.get_by_role("button", name="Give now").wait_for(timeout=10_000)
        assert frame.locator("#id_amount label").count() == 5

        other = browser.new_page(viewport=PHONE)
        refused: list[str] = []
        other.on("console", lambda message: refused.append(message.text))
        other.goto(f"http://other.test:{port}/")
        other.wait_for_timeout(1000)
        framed = [f for f in other.frames if f != other.main_frame]
        assert len(framed) == 1
        assert framed[0].locator("#id_amount").count() == 0
        assert any("frame-ancestors" in text for text in refused), refused
    finally:
        browser.close()
