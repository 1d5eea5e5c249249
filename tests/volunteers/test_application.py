"""The public volunteer application and the late application of an older account."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from core.dates import org_today
from tests.factories import make_user
from tests.utils import send_outbox
from tests.volunteers.factories import make_role, make_volunteer
from volunteers.models import (
    ApplicationAnswer,
    ApplicationQuestion,
    ProfileStatus,
    VolunteerProfile,
    VolunteerRole,
)

pytestmark = pytest.mark.django_db

URL = "/volunteer/apply/"


@pytest.fixture
def questions() -> tuple[ApplicationQuestion, ApplicationQuestion]:
    why = ApplicationQuestion.objects.create(
        text="Why do you want to volunteer with us?", required=True, position=1
    )
    experience = ApplicationQuestion.objects.create(
        text="Any experience with crisis support?", required=False, position=2
    )
    ApplicationQuestion.objects.create(text="An old question", active=False, position=3)
    return why, experience


@pytest.fixture
def roles() -> tuple[VolunteerRole, VolunteerRole]:
    crisis = make_role("Crisis text line")
    outreach = make_role("School outreach")
    VolunteerRole.objects.create(name="Retired role", active=False)
    return crisis, outreach


def application(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "Lin",
        "last_name": "Tran",
        "email": "Lin.Tran@Example.org",
        "phone": "+1 202 555 0199",
        "preferred_language": "en",
        "time_zone": "America/Chicago",
        "password1": "a long enough passphrase",
        "password2": "a long enough passphrase",
        "date_of_birth": "1994-02-11",
        "emergency_contact_name": "Mai Tran",
        "emergency_contact_phone": "+1 202 555 0142",
        "skills": "Counselling, Vietnamese interpreting",
        "languages": "English, Vietnamese",
        "availability": "Weekday evenings",
    }
    data.update(changes)
    return data


def test_the_form_shows_active_roles_and_questions(client: Client, questions, roles) -> None:
    why, experience = questions
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["wanted_roles"].queryset) == list(roles)
    assert form.fields[f"question_{why.pk}"].required is True
    assert form.fields[f"question_{experience.pk}"].required is False
    assert not any(
        name.startswith("question_")
        and name not in {f"question_{why.pk}", f"question_{experience.pk}"}
        for name in form.fields
    )
    content = response.content.decode()
    assert "Why do you want to volunteer with us?" in content
    assert "An old question" not in content
    assert "Retired role" not in content


def test_an_application_creates_an_applicant_who_confirms_the_address_then_logs_in(
    client: Client, questions, roles, django_capture_on_commit_callbacks
) -> None:
    why, experience = questions
    crisis, outreach = roles
    data = application(
        wanted_roles=[str(crisis.pk), str(outreach.pk)],
        **{f"question_{why.pk}": "  I want to help survivors.  ", f"question_{experience.pk}": ""},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data, follow=True)
    assert response.redirect_chain == [("/accounts/confirm/", 302)]
    assert "Confirm your e-mail address with the link we have sent you" in (
        response.content.decode()
    )
    user = User.objects.get()
    assert user.email == "lin.tran@example.org"
    assert user.is_active is False
    assert "_auth_user_id" not in client.session
    assert (user.first_name, user.last_name) == ("Lin", "Tran")
    assert user.phone.as_e164 == "+12025550199"
    assert user.time_zone == "America/Chicago"
    assert user.roles == frozenset({Role.VOLUNTEER})
    assert user.check_password("a long enough passphrase")
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.status == ProfileStatus.APPLICANT
    assert profile.date_of_birth == date(1994, 2, 11)
    assert profile.emergency_contact_name == "Mai Tran"
    assert profile.emergency_contact_phone.as_e164 == "+12025550142"
    assert profile.skills == "Counselling, Vietnamese interpreting"
    assert profile.languages == "English, Vietnamese"
    assert profile.availability == "Weekday evenings"
    assert set(profile.wanted_roles.all()) == {crisis, outreach}
    assert list(ApplicationAnswer.objects.values_list("question_id", "answer")) == [
        (why.pk, "I want to help survivors.")
    ]
    # The link in the e-mail (sent by the outbox's worker) opens the account and shows the
    # application under review.
    assert send_outbox() == 1
    assert [m.to for m in mail.outbox] == [["lin.tran@example.org"]]
    link = re.search(
        r"http://127\.0\.0\.1:8000(/accounts/confirm/\S+/\S+/)", str(mail.outbox[0].body)
    )
    assert link is not None
    home = client.post(link.group(1), follow=True)
    assert home.redirect_chain == [("/", 302), ("/volunteer/", 302)]
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "Your application is under review" in home.content.decode()


def test_a_missing_required_answer_saves_nothing(client: Client, questions, roles) -> None:
    why, _experience = questions
    response = client.post(URL, application(**{f"question_{why.pk}": "   "}))
    assert response.status_code == 200
    assert response.context["form"].errors == {f"question_{why.pk}": ["This field is required."]}
    assert User.objects.count() == 0
    assert VolunteerProfile.objects.count() == 0
    assert ApplicationAnswer.objects.count() == 0


def test_a_taken_email_looks_like_success_and_only_its_owner_hears(
    client: Client, questions, django_capture_on_commit_callbacks
) -> None:
    """Nobody may learn from this page who volunteers here; the owner gets an e-mail."""
    why, _experience = questions
    owner = make_user(email="lin.tran@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, application(**{f"question_{why.pk}": "To help."}))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm/"
    assert User.objects.count() == 1
    assert VolunteerProfile.objects.count() == 0
    assert ApplicationAnswer.objects.count() == 0
    assert send_outbox() == 1
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert mail.outbox[0].subject == "[Hope Line] You already have an account with Hope Line"


def test_applications_from_one_connection_are_limited(client: Client, questions) -> None:
    why, _experience = questions
    for n in range(10):
        client.post(
            URL, application(email=f"person{n}@example.org", **{f"question_{why.pk}": "To help."})
        )
    response = client.post(
        URL, application(email="one.more@example.org", **{f"question_{why.pk}": "To help."})
    )
    assert response.status_code == 429
    assert "Too many applications from this connection" in response.content.decode()
    assert User.objects.count() == 10


def test_a_date_of_birth_in_the_future_is_refused(client: Client) -> None:
    tomorrow = org_today() + timedelta(days=1)
    response = client.post(URL, application(date_of_birth=tomorrow.isoformat()))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date_of_birth": ["A date of birth must be in the past."]
    }
    assert User.objects.count() == 0
    assert VolunteerProfile.objects.count() == 0


def test_a_logged_in_person_is_sent_to_their_home(client: Client, volunteer: User) -> None:
    client.force_login(volunteer)
    response = client.get(URL, follow=True)
    assert response.redirect_chain == [("/", 302), ("/volunteer/", 302)]
    response = client.post(URL, application())
    assert response.status_code == 302
    assert User.objects.count() == 1


def test_an_account_without_a_profile_completes_its_application(
    client: Client, volunteer: User, questions, roles
) -> None:
    why, _experience = questions
    crisis, _outreach = roles
    client.force_login(volunteer)
    home = client.get("/volunteer/")
    assert "Complete your volunteer application" in home.content.decode()

    response = client.post(
        "/volunteer/application/",
        {
            "date_of_birth": "1990-06-01",
            "skills": "First aid",
            "wanted_roles": [str(crisis.pk)],
            f"question_{why.pk}": "Because it matters.",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/volunteer/", 302)]
    profile = VolunteerProfile.objects.get(user=volunteer)
    assert profile.status == ProfileStatus.APPLICANT
    assert profile.date_of_birth == date(1990, 6, 1)
    assert profile.skills == "First aid"
    assert list(profile.wanted_roles.all()) == [crisis]
    assert list(ApplicationAnswer.objects.values_list("profile_id", "question_id", "answer")) == [
        (profile.pk, why.pk, "Because it matters.")
    ]
    content = response.content.decode()
    assert "Thank you! Your application is with our coordinators." in content
    assert "Complete your volunteer application" not in content


def test_completing_the_application_needs_the_required_answers(
    client: Client, volunteer: User, questions
) -> None:
    why, _experience = questions
    client.force_login(volunteer)
    response = client.post("/volunteer/application/", {"date_of_birth": "1990-06-01"})
    assert response.status_code == 200
    assert response.context["form"].errors == {f"question_{why.pk}": ["This field is required."]}
    assert VolunteerProfile.objects.count() == 0


def test_someone_with_a_profile_cannot_apply_twice(client: Client) -> None:
    person = make_volunteer(status=ProfileStatus.ACTIVE)
    client.force_login(person)
    response = client.post("/volunteer/application/", {"date_of_birth": "1980-01-01"})
    assert response.status_code == 302
    assert response["Location"] == "/volunteer/"
    assert VolunteerProfile.objects.get().date_of_birth == date(1990, 5, 17)


def test_completing_an_application_is_for_logged_in_volunteers(client: Client, donor: User) -> None:
    response = client.get("/volunteer/application/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/volunteer/application/"
    client.force_login(donor)
    assert client.get("/volunteer/application/").status_code == 403


@pytest.mark.django_db
def test_help_texts_are_shown_as_typed_never_as_markup(client: Client) -> None:
    """One field template (includes/field.html) escapes every help text, once: a
    coordinator's question and the translated help of the built-in fields alike."""
    ApplicationQuestion.objects.create(
        text="Where did you hear of us?",
        help_text='Friends, <b>church</b> & "radio"',
        position=1,
    )
    html = client.get(URL).content.decode()
    assert "Friends, &lt;b&gt;church&lt;/b&gt; &amp; &quot;radio&quot;" in html
    assert "<b>church</b>" not in html
    assert "&amp;lt;" not in html  # not escaped twice
    assert "Include the country code if they live outside the organisation&#x27;s country." in html
