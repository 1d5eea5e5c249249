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
from accounts.roles import Role
from core.locales import translated
from tests.factories import make_user
from volunteers.models import Training, VolunteerRole

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


def test_coordinators_give_a_roles_and_a_trainings_text_per_language() -> None:
    coordinator = make_user(roles=[Role.VOLUNTEER_COORDINATOR], preferred_language="en")
    client = Client()
    client.force_login(coordinator)
    form = client.get("/coordinator/volunteering/roles/new/").content.decode()
    assert 'name="name_es"' in form and 'name="description_fil"' in form
    assert "Name in Español" in form
    response = client.post(
        "/coordinator/volunteering/roles/new/",
        {
            "name": "Food bank",
            "description": "Sort and pack food parcels.",
            "name_es": "Banco de alimentos",
            "description_th": "คัดแยกและแพ็กถุงอาหาร",
            "name_vi": "  ",
            "active": "on",
        },
    )
    assert response.status_code == 302
    role = VolunteerRole.objects.get(name="Food bank")
    assert role.translations == {
        "es": {"name": "Banco de alimentos"},
        "th": {"description": "คัดแยกและแพ็กถุงอาหาร"},
    }
    edit = client.get(f"/coordinator/volunteering/roles/{role.pk}/edit/").content.decode()
    assert 'value="Banco de alimentos"' in edit

    response = client.post(
        "/coordinator/volunteering/trainings/new/",
        {"name": "First aid", "name_fil": "Pangunang lunas", "validity_months": "24"},
    )
    assert response.status_code == 302
    training = Training.objects.get(name="First aid")
    assert training.translations == {"fil": {"name": "Pangunang lunas"}}
    with translation.override("fil"):
        assert translated(training, "name") == "Pangunang lunas"
