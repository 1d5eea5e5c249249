"""What every page must pass in a browser: it fits the screen and axe-core finds no serious issue.

``check_page(page, name, folder)`` runs both checks, so a failure says which page, at which
width, and why (the elements that stick out, the axe rules broken and where), and writes a
full-page screenshot of a page that fails (of every page with ``BROWSER_SCREENSHOTS_ALL=1``:
tests/browser/screenshots.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.browser.screenshots import EVERY_PAGE

if TYPE_CHECKING:
    from playwright.sync_api import Page

ASSETS = Path(__file__).parent / "assets"
# axe-core, vendored from its npm package by tests/browser/assets/vendor_axe.sh (see VERSION).
AXE_SOURCE = (ASSETS / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
AXE_VERSION = (ASSETS / "axe-core" / "VERSION").read_text(encoding="utf-8").split()[1].rstrip(",")

BLOCKING_IMPACTS = ("serious", "critical")

# The widest elements past the right edge, to say what makes a page scroll sideways.
_OVERFLOWING = """() => {
  const limit = window.innerWidth;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 0.5 && box.width > 0) {
      let name = el.tagName.toLowerCase();
      if (el.id) name += '#' + el.id;
      if (el.classList.length) name += '.' + [...el.classList].join('.');
      found.push(name + ' (right edge ' + Math.round(box.right) + 'px)');
    }
  }
  return found.slice(0, 8);
}"""


def overflow(page: Page) -> int:
    """How many pixels the page is wider than its viewport (0 when it fits)."""
    excess: int = page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )
    return excess


def assert_fits(page: Page) -> None:
    """No sideways scrolling: ``document.documentElement.scrollWidth <= innerWidth``."""
    excess = overflow(page)
    if excess:
        culprits = page.evaluate(_OVERFLOWING)
        raise AssertionError(
            f"{page.url} is {excess}px wider than the {page.viewport_size} viewport; "
            f"elements past the edge: {culprits}"
        )


def axe_violations(page: Page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict[str, Any]]:
    """The axe-core violations of ``impacts`` on the page as it is now."""
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:4]]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}; "
            f"{len(violation['nodes'])} element(s), e.g. {targets}"
        )
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    if violations:
        raise AssertionError(
            f"axe-core {AXE_VERSION} found serious or critical issues on {page.url} at "
            f"{page.viewport_size}:\n{describe(violations)}"
        )


def screenshot(page: Page, folder: Path, name: str, *, always: bool = False) -> Path | None:
    """A full-page picture of the page as it is now, when every page is photographed
    (``BROWSER_SCREENSHOTS_ALL``) or ``always``: its file."""
    if not (always or EVERY_PAGE):
        return None
    width = (page.viewport_size or {"width": 0})["width"]
    path = folder / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_page(page: Page, name: str, folder: Path) -> list[str]:
    """What is wrong with the page (empty when it passes); a page that fails a check is
    photographed, and its problems name the picture."""
    problems = []
    for check in (assert_fits, assert_accessible):
        try:
            check(page)
        except AssertionError as error:
            problems.append(str(error))
    taken = screenshot(page, folder, name, always=bool(problems))
    if problems and taken is not None:
        problems.append(f"Screenshot: {taken}")
    return problems
