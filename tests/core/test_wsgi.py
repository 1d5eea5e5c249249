"""The WSGI entry point freezes what start-up loaded out of the garbage collector."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def test_the_wsgi_application_freezes_its_start_up_objects() -> None:
    probe = (
        "import gc, config.wsgi; print(gc.get_freeze_count(), callable(config.wsgi.application))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    frozen, callable_app = out.stdout.split()
    assert int(frozen) > 50_000  # Django and the project's modules
    assert callable_app == "True"


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_the_first_healthz_after_start_up_answers_within_a_second() -> None:
    """Start-up loads the URLconf and the broker's transport; the first request does not."""
    probe = (
        "import time, config.wsgi\n"
        "from django.test import Client\n"
        "started = time.monotonic()\n"
        "response = Client().get('/healthz')\n"
        "print(response.status_code, time.monotonic() - started)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    status, seconds = out.stdout.split()
    assert status == "200"
    assert float(seconds) < 1.0
