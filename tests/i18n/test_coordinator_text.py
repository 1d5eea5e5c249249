"""Coordinators' own text per language (roles, trainings, application questions, campaigns),
with the default language as fallback, where volunteers and donors read it; seed_demo gives
translations for a role, a training, a question and campaigns (acceptance 6)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from accounts.models import User
from core.locales import translated
from volunteers.models import VolunteerRole

pytestmark = pytest.mark.django_db


def test_the_readers_language_else_the_default() -> None:
    role = VolunteerRole(
        name="Crisis text line",
        description="Answer texts.",
        translations={"es": {"name": "Línea de texto de crisis", "description": " "}},
    )
    with translation.override("es"):
        assert translated(role, "name") == "Línea de texto de crisis"
        assert translated(role, "description") == "Answer texts."  # blank: the default
    with translation.override("vi"):
        assert translated(role, "name") == "Crisis text line"
    assert translated(role, "name", "es-mx") == "Línea de texto de crisis"
    assert translated(VolunteerRole(name="Shift lead"), "name", "th") == "Shift lead"


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime(2026, 11, 27, 15, 0, tzinfo=UTC), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        yield


@pytest.mark.usefixtures("demo")
def test_demo_volunteers_and_donors_read_the_coordinators_text_in_their_language() -> None:
    lucia = Client()
    lucia.force_login(User.objects.get(email="lucia@example.org"))  # Spanish
    trainings = lucia.get("/volunteer/trainings/").content.decode()
    assert "Atención informada sobre el trauma" in trainings
    home = lucia.get("/volunteer/").content.decode()
    assert "Línea de texto de crisis" in home

    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = visitor.get("/donate/night-shifts/").content.decode()
    assert "Đường dây nhắn tin khủng hoảng: ca đêm" in page
    assert "từ nửa đêm đến 6 giờ sáng" in page

    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    apply = visitor.get("/volunteer/apply/").content.decode()
    assert "ทำไมคุณจึงอยากเป็นอาสาสมัครกับเรา" in apply
    assert "สายด่วนข้อความช่วงวิกฤต" in apply

    # A language without a translation shows the default text.
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Crisis text line: night shifts" in visitor.get("/donate/night-shifts/").text
