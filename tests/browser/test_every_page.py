"""Every page of the menu, for every demo person, at a phone's width and a desktop's: it fits
the screen (no sideways scrolling) and axe-core finds no serious or critical issue.

The pages are read from the menu each person sees (``nav.main-nav``), so a page added to the
menu is checked without touching this file. The coordinator also opens a shift's roster.
Screenshots of each page go to the folder printed at the end of the run.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import DEMO_LOGINS
from tests.browser.pages import check_page


def _name(role: str, path: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    return f"{role}--{slug}"


def menu_paths(page) -> list[str]:
    """The same-site pages of the menu as this person sees it, in order, once each."""
    hrefs: list[str] = page.eval_on_selector_all(
        "nav.main-nav a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    seen: list[str] = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in seen:
            seen.append(path)
    return seen


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("role", list(DEMO_LOGINS))
def test_every_menu_page_fits_and_is_accessible(page_factory, site, screenshots, role, viewport):
    page = page_factory(viewport, as_=role)
    page.goto("/")
    start = urlsplit(page.url).path
    paths = [start, *[p for p in menu_paths(page) if p != start]]
    if role == "coordinator":
        page.goto("/coordinator/volunteering/shifts/")
        hrefs = page.eval_on_selector_all("main a[href]", "a => a.map(x => x.getAttribute('href'))")
        rosters = [h for h in hrefs if re.fullmatch(r"/coordinator/volunteering/shifts/\d+/", h)]
        paths.append(rosters[0])
    assert len(paths) >= (10 if role == "coordinator" else 2), paths
    problems: list[str] = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        name = "roster" if path == paths[-1] and role == "coordinator" else _name(role, path)
        problems.extend(check_page(page, name, screenshots))
    assert not problems, "\n\n".join(problems)


def test_the_phone_menu_is_one_button_until_opened(page_factory, site):
    page = page_factory("phone", as_="coordinator")
    page.goto("/coordinator/")
    toggle = page.locator("summary.menu-toggle")
    assert toggle.is_visible()
    assert not page.get_by_role("link", name="Outbox").is_visible()
    toggle.click()
    page.get_by_text("Messages", exact=True).click()
    assert page.get_by_role("link", name="Outbox").is_visible()


def test_the_desktop_menu_shows_the_areas_without_a_menu_button(page_factory, site):
    page = page_factory("desktop", as_="coordinator")
    page.goto("/coordinator/")
    assert not page.locator("summary.menu-toggle").is_visible()
    assert page.get_by_text("Giving", exact=True).is_visible()
    page.get_by_text("Giving", exact=True).click()
    assert page.get_by_role("link", name="Reports").is_visible()
