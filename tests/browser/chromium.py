"""Where the browser tests find their browser, and why they cannot run without one.

Kept apart from the fixtures so the root conftest can ask "is Chromium here?" without
importing Playwright: a test marked ``browser`` is skipped with this reason locally and fails
under ``CI=true`` (``.ci/run`` installs Debian's ``chromium`` when it is missing).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("BROWSER_CHROMIUM", "/usr/bin/chromium"))

# Headless, sandbox-free (we run as root in CI) and silent: without the background-networking
# flags Chromium tries to reach Google's hosts, which this closed network refuses (and which
# would make a test depend on the internet).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "needs the playwright package (make install)"
    if not CHROMIUM.exists():
        return f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    return None
