"""Coordinators give an application question's and a campaign's text per language in their
own forms (not only the data administration), guarded by the permission map; volunteers
and donors then read it in their language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry
from accounts.roles import Role
from donations.models import Campaign
from tests.factories import make_user
from volunteers.models import ApplicationQuestion

pytestmark = pytest.mark.django_db

QUESTIONS = "/coordinator/volunteering/questions/"


def _client(*roles: Role) -> Client:
    client = Client()
    client.force_login(make_user(roles=list(roles), preferred_language="en"))
    return client


def test_a_coordinator_adds_and_changes_a_question_with_its_translations() -> None:
    client = _client(Role.VOLUNTEER_COORDINATOR)
    form = client.get(f"{QUESTIONS}new/").content.decode()
    assert 'name="text_es"' in form and 'name="help_text_th"' in form
    assert "Question in Español" in form
    response = client.post(
        f"{QUESTIONS}new/",
        {
            "text": "Why do you want to volunteer with us?",
            "help_text": "A few sentences are enough.",
            "text_es": "¿Por qué quiere ser voluntario con nosotros?",
            "text_th": "ทำไมคุณจึงอยากเป็นอาสาสมัครกับเรา",
            "help_text_th": "เขียนสั้น ๆ ก็พอ",
            "text_vi": "   ",
            "required": "on",
            "position": "1",
            "active": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == QUESTIONS
    question = ApplicationQuestion.objects.get()
    assert question.required is True
    assert question.translations == {
        "es": {"text": "¿Por qué quiere ser voluntario con nosotros?"},
        "th": {"text": "ทำไมคุณจึงอยากเป็นอาสาสมัครกับเรา", "help_text": "เขียนสั้น ๆ ก็พอ"},
    }
    entry = AuditEntry.objects.get(action="volunteers.question.created")
    assert entry.changes["text"] == [None, "Why do you want to volunteer with us?"]
    assert entry.changes["translations"][0] is None

    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    apply = visitor.get("/volunteer/apply/").content.decode()
    assert "ทำไมคุณจึงอยากเป็นอาสาสมัครกับเรา" in apply
    assert "เขียนสั้น ๆ ก็พอ" in apply
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "fil"  # none given: the default text
    assert "Why do you want to volunteer with us?" in visitor.get("/volunteer/apply/").text

    edit = client.get(f"{QUESTIONS}{question.pk}/edit/").content.decode()
    assert 'value="¿Por qué quiere ser voluntario con nosotros?"' in edit
    response = client.post(
        f"{QUESTIONS}{question.pk}/edit/",
        {
            "text": "Why do you want to volunteer with us?",
            "text_es": "¿Por qué desea ser voluntaria o voluntario?",
            "position": "1",
            "active": "on",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.translations == {"es": {"text": "¿Por qué desea ser voluntaria o voluntario?"}}
    assert ApplicationQuestion.objects.get().required is False
    assert AuditEntry.objects.filter(action="volunteers.question.changed").count() == 1


def test_a_question_without_text_is_refused_and_nothing_is_saved() -> None:
    client = _client(Role.VOLUNTEER_COORDINATOR)
    response = client.post(
        f"{QUESTIONS}new/", {"text": "", "text_es": "¿Algo?", "position": "0", "active": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"text": ["This field is required."]}
    assert ApplicationQuestion.objects.count() == 0


def test_the_questions_page_costs_the_same_queries_for_two_and_twenty_questions() -> None:
    client = _client(Role.VOLUNTEER_COORDINATOR)

    def count(total: int) -> int:
        ApplicationQuestion.objects.all().delete()
        ApplicationQuestion.objects.bulk_create(
            ApplicationQuestion(
                text=f"Question {n}", position=n, translations={"es": {"text": "?"}}
            )
            for n in range(total)
        )
        with CaptureQueriesContext(connection) as queries:
            page = client.get(QUESTIONS)
        assert page.status_code == 200
        assert page.content.decode().count("Edit the question and its translations") == total
        return len(queries)

    assert count(2) == count(20)


def test_staff_who_only_read_volunteering_see_the_questions_without_edit_links() -> None:
    ApplicationQuestion.objects.create(text="Which languages do you speak?")
    page = _client(Role.SAFEGUARDING_LEAD).get(QUESTIONS).content.decode()
    assert "Which languages do you speak?" in page
    assert "/edit/" not in page and "Add a question" not in page


def test_a_fundraiser_gives_a_campaigns_name_and_description_per_language() -> None:
    campaign = Campaign.objects.create(
        name="Night shifts", slug="night-shifts", description="Keep the line open at night."
    )
    client = _client(Role.FUNDRAISER)
    listing = client.get("/coordinator/giving/campaigns/").content.decode()
    assert f"/coordinator/giving/campaigns/{campaign.pk}/edit/" in listing
    url = f"/coordinator/giving/campaigns/{campaign.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'name="name_vi"' in form and 'name="description_fil"' in form
    response = client.post(
        url,
        {
            "name": "Night shifts",
            "description": "Keep the line open at night.",
            "name_vi": "Ca đêm",
            "description_vi": "Giữ đường dây hoạt động suốt đêm.",
            "name_es": "Turnos de noche",
            "active": "on",
            "public": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/coordinator/giving/campaigns/"
    campaign.refresh_from_db()
    assert campaign.translations == {
        "es": {"name": "Turnos de noche"},
        "vi": {"name": "Ca đêm", "description": "Giữ đường dây hoạt động suốt đêm."},
    }
    assert AuditEntry.objects.get(action="donations.campaign.changed").changes["translations"] == [
        "{}",
        '{"es": {"name": "Turnos de noche"}, '
        '"vi": {"description": "Giữ đường dây hoạt động suốt đêm.", "name": "Ca đêm"}}',
    ]
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = visitor.get("/donate/night-shifts/").content.decode()
    assert "Ca đêm" in page and "Giữ đường dây hoạt động suốt đêm." in page

    # A name left empty is refused; nothing changes.
    response = client.post(url, {"name": " ", "name_es": "Otra", "active": "on", "public": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    campaign.refresh_from_db()
    assert campaign.translations["es"] == {"name": "Turnos de noche"}


def test_a_volunteer_coordinator_cannot_edit_a_campaign() -> None:
    campaign = Campaign.objects.create(name="Night shifts", slug="night-shifts")
    client = _client(Role.VOLUNTEER_COORDINATOR)
    url = f"/coordinator/giving/campaigns/{campaign.pk}/edit/"
    assert client.post(url, {"name": "Mine", "active": "on"}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "Night shifts"
