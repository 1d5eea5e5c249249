"""Where the browser tests put their screenshots, one folder for the whole run, and when.

A page that fails a check is always photographed (``pages.check_page``), so the failure
can be seen. A screenshot of every page checked (about 250 full-page pictures, a third of
the browser tests' time) is taken only when asked: ``BROWSER_SCREENSHOTS_ALL=1 make test``,
to look at every page as its users would.

The browser tests may run in several processes at once (pytest-xdist): none of them empties
the folder, which would delete what another already wrote. Each removes only the pictures
of earlier runs (older than this run's start, which the main process hands its workers),
and the main process counts this run's pictures at the end.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

# When this run started (tests/conftest.py): the main process's clock, in every worker.
RUN_STARTED = pytest.StashKey[float]()

SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOTS", "") or settings.BASE_DIR / "var" / "browser-screenshots"
)


# Every checked page photographed, not only those that fail a check.
EVERY_PAGE = os.environ.get("BROWSER_SCREENSHOTS_ALL", "").strip().lower() not in ("", "0", "false")


def screenshots_folder(*, run_started: float) -> Path:
    """The folder, made if needed, without the screenshots of earlier runs."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        try:
            if old.stat().st_mtime < run_started:
                old.unlink()
        except FileNotFoundError:
            pass  # another worker removed it first
    return SCREENSHOTS


def taken_since(run_started: float) -> int:
    """How many screenshots this run has taken."""
    if not SCREENSHOTS.is_dir():
        return 0
    return sum(1 for path in SCREENSHOTS.glob("*.png") if path.stat().st_mtime >= run_started)
