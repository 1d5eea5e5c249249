"""Acceptance 5: translation costs no query. Each demo login's pages take the same number of
queries in every language, with the demo data and with more of it (a second size)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from volunteers.models import Shift
from volunteers.models.shifts import new_token

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PAGES = {
    "coordinator@example.org": [
        "/coordinator/",
        "/coordinator/volunteering/shifts/",
        "/coordinator/volunteering/roles/",
    ],
    "lucia@example.org": ["/volunteer/", "/volunteer/shifts/", "/volunteer/trainings/"],
    "sam@example.org": ["/donor/", "/volunteer/shifts/"],
}


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime(2026, 11, 27, 15, 0, tzinfo=UTC), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        yield


def _counts() -> dict[tuple[str, str], set[int]]:
    counts: dict[tuple[str, str], set[int]] = {}
    for email, pages in PAGES.items():
        user = User.objects.get(email=email)
        for language in LANGUAGES:
            User.objects.filter(pk=user.pk).update(preferred_language=language)
            client = Client()
            client.force_login(user)
            for page in pages:
                client.get(page)  # sessions, caches: warm
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(page)
                assert response.status_code == 200, (email, page)
                assert response.headers["Content-Language"] == language
                counts.setdefault((email, page), set()).add(len(queries))
    return counts


def _more_shifts() -> None:
    """A second size: every shift of the demo twice, a week later."""
    for shift in list(Shift.objects.all()):
        shift.pk = None
        shift.check_in_code = new_token()
        shift.series = None
        shift.occurrence_date = None
        shift.starts_at += timedelta(days=7)
        shift.ends_at += timedelta(days=7)
        shift.save()


@pytest.mark.usefixtures("demo")
def test_every_language_costs_the_same_queries_at_two_sizes() -> None:
    small = _counts()
    for where, numbers in small.items():
        assert len(numbers) == 1, (where, numbers)
    _more_shifts()
    large = _counts()
    for where, numbers in large.items():
        assert len(numbers) == 1, (where, numbers)
    assert large == small
