"""The volunteer's home and "My trainings and clearances": what they show, and to whom."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from core.dates import org_today
from tests.volunteers.factories import (
    make_clearance,
    make_clearance_type,
    make_record,
    make_role,
    make_session,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import (
    Clearance,
    ClearanceStatus,
    ProfileStatus,
    RecordStatus,
    SessionSignup,
    SignupStatus,
    Training,
    TrainingRecord,
    VolunteerProfile,
    VolunteerRole,
)

pytestmark = pytest.mark.django_db


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("status", "title", "text"),
    [
        (
            ProfileStatus.APPLICANT,
            "Your application is under review",
            "A coordinator reads every application and will be in touch.",
        ),
        (
            ProfileStatus.PAUSED,
            "Your volunteering is paused",
            "Tell a coordinator when you would like to start again.",
        ),
        (
            ProfileStatus.LEFT,
            "You are no longer an active volunteer",
            "If you would like to come back, contact a coordinator.",
        ),
    ],
)
def test_home_shows_a_banner_for_the_status(
    client: Client, status: str, title: str, text: str
) -> None:
    person = make_volunteer(status=status)
    client.force_login(person)
    content = page(client, "/volunteer/")
    assert title in content
    assert text in content
    assert "Complete your volunteer application" not in content


def test_a_declined_applicant_reads_the_coordinators_reason(client: Client) -> None:
    person = make_volunteer(status=ProfileStatus.DECLINED)
    VolunteerProfile.objects.filter(user=person).update(
        decline_reason="We need volunteers in Boston <b>only</b> this year."
    )
    client.force_login(person)
    content = page(client, "/volunteer/")
    assert "Your application was not accepted" in content
    assert "We need volunteers in Boston &lt;b&gt;only&lt;/b&gt; this year." in content


def test_an_active_volunteer_sees_no_status_banner(client: Client) -> None:
    person = make_volunteer(status=ProfileStatus.ACTIVE)
    client.force_login(person)
    content = page(client, "/volunteer/")
    for title in (
        "Your application is under review",
        "Your application was not accepted",
        "Your volunteering is paused",
        "You are no longer an active volunteer",
        "Complete your volunteer application",
    ):
        assert title not in content
    assert 'href="/volunteer/trainings/"' in content


def test_an_account_without_a_profile_is_asked_to_apply(client: Client, volunteer: User) -> None:
    make_role("Crisis text line")
    client.force_login(volunteer)
    content = page(client, "/volunteer/")
    assert "Complete your volunteer application" in content
    assert 'href="/volunteer/application/"' in content
    assert "What each role still needs" not in content


@pytest.fixture
def roles_setup():
    """Crisis text line (Trauma-informed care + background check) and School outreach."""
    trauma = make_training("Trauma-informed care", 24)
    safeguarding = make_training("Child safeguarding", 12)
    check = make_clearance_type("Background check", 36)
    crisis = make_role("Crisis text line", trainings=[trauma], clearance_types=[check])
    outreach = make_role(
        "School outreach", trainings=[safeguarding], clearance_types=[check], minimum_age=21
    )
    return trauma, safeguarding, check, crisis, outreach


def test_home_says_what_each_role_still_needs(client: Client, roles_setup) -> None:
    trauma, _safeguarding, check, _crisis, _outreach = roles_setup
    person = make_volunteer()
    today = org_today()
    make_record(person, trauma, completed_on=today - timedelta(days=30))
    make_clearance(person, check, status=ClearanceStatus.PENDING)
    client.force_login(person)
    content = page(client, "/volunteer/")
    assert "To join Crisis text line you need: background check" in content
    assert "To join School outreach you need: Child safeguarding; background check" in content
    assert "Background check is pending." in content
    assert "You have not completed Child safeguarding." in content


def test_a_fully_qualified_volunteer_can_do_the_role(client: Client, roles_setup) -> None:
    trauma, _safeguarding, check, _crisis, _outreach = roles_setup
    person = make_volunteer()
    today = org_today()
    make_record(person, trauma, completed_on=today - timedelta(days=30))
    make_clearance(person, check, issued_on=today - timedelta(days=10))
    client.force_login(person)
    content = page(client, "/volunteer/")
    assert "You can do Crisis text line" in content
    assert "To join Crisis text line" not in content
    assert "To join School outreach you need: Child safeguarding" in content


def test_my_trainings_shows_records_clearances_needs_and_sessions(
    client: Client, roles_setup
) -> None:
    trauma, safeguarding, check, _crisis, _outreach = roles_setup
    hotline = make_training("Hotline protocol", None)
    first_aid = make_training("First aid", 12)
    person = make_volunteer()
    make_record(person, trauma, completed_on=date(2025, 3, 4), expires_on=date(2099, 3, 4))
    make_record(person, hotline, completed_on=date(2024, 1, 15))
    make_record(person, first_aid, completed_on=date(2020, 6, 1), expires_on=date(2021, 6, 1))
    make_record(person, safeguarding, completed_on=date(2025, 1, 10), status=RecordStatus.PENDING)
    rejected = make_record(
        person, make_training("Motivational interviewing"), completed_on=date(2024, 9, 2)
    )
    TrainingRecord.objects.filter(pk=rejected.pk).update(
        status=RecordStatus.REJECTED, rejection_reason="The certificate has no date on it."
    )
    make_clearance(
        person,
        check,
        issued_on=date(2024, 3, 1),
        expires_on=date(2099, 3, 1),
        reference_number="BC-SECRET-7731",
    )
    start = datetime(2099, 5, 12, 22, 0, tzinfo=ZoneInfo("UTC"))
    session = make_session(
        safeguarding, starts_at=start, capacity=2, time_zone="America/New_York", trainer="Dr Ruiz"
    )
    client.force_login(person)
    content = page(client, "/volunteer/trainings/")
    assert "Completed on 4 Mar 2025. Valid until 4 Mar 2099." in content
    assert "Completed on 15 Jan 2024. Never expires." in content
    assert "Completed on 1 Jun 2020." in content
    assert "Expired on 1 Jun 2021." in content
    assert "Certificate for 10 Jan 2025: pending verification by a coordinator." in content
    assert (
        "Certificate for 2 Sep 2024 was not accepted: The certificate has no date on it." in content
    )
    assert "Background check: valid until March 2099" in content
    assert "To join School outreach you need: Child safeguarding" in content
    # The session, in its own zone (22:00 UTC is 18:00 in New York in May), with places left.
    assert "Tue 12 May 2099, 18:00\u201321:00</time> (United States (New York) Time)" in content
    assert "2 of 2" in content
    assert "Dr Ruiz" in content
    assert f'action="/volunteer/trainings/sessions/{session.pk}/sign-up/"' in content
    assert "Sign up" in content


def test_my_trainings_shows_my_place_and_my_waitlist_position(client: Client) -> None:
    training = make_training()
    full = make_session(training, capacity=1)
    open_session = make_session(training, capacity=3, starts_at=timezone.now() + timedelta(days=9))
    first, second, me = make_volunteer(), make_volunteer(), make_volunteer()
    services.sign_up_for_session(session=full, volunteer=first)
    services.sign_up_for_session(session=full, volunteer=second)
    waiting = services.sign_up_for_session(session=full, volunteer=me)
    mine = services.sign_up_for_session(session=open_session, volunteer=me)
    client.force_login(me)
    content = page(client, "/volunteer/trainings/")
    assert "You are on the waitlist: number 2." in content
    assert "None: the session is full (2 people waiting)" in content
    assert f'action="/volunteer/trainings/sign-ups/{waiting.pk}/cancel/"' in content
    assert "Leave the waitlist" in content
    assert "You have a place." in content
    assert "2 of 3" in content
    assert f'action="/volunteer/trainings/sign-ups/{mine.pk}/cancel/"' in content
    assert "Cancel my place" in content


def test_my_trainings_has_honest_empty_states(client: Client) -> None:
    client.force_login(make_volunteer())
    content = page(client, "/volunteer/trainings/")
    assert "No trainings recorded yet." in content
    assert "No clearances yet." in content
    assert "No training sessions are planned at the moment." in content
    assert "The organisation has not set up any roles yet." in content


def test_a_volunteer_never_sees_their_clearance_details(client: Client) -> None:
    person = make_volunteer()
    check = make_clearance_type("Background check", 36)
    clearance = make_clearance(
        person,
        check,
        issued_on=date(2024, 11, 5),
        expires_on=date(2099, 11, 5),
        reference_number="FBI-REF-558812",
    )
    Clearance.objects.filter(pk=clearance.pk).update(notes="Old caution from 2009, cleared.")
    make_clearance(
        person,
        make_clearance_type("Reference check"),
        status=ClearanceStatus.PENDING,
        reference_number="REF-PENDING-99",
    )
    make_role("Crisis text line", clearance_types=[check])
    client.force_login(person)
    for url in ("/volunteer/", "/volunteer/trainings/"):
        content = page(client, url)
        assert "FBI-REF-558812" not in content
        assert "REF-PENDING-99" not in content
        assert "Old caution" not in content
        assert "5 Nov 2024" not in content
    trainings = page(client, "/volunteer/trainings/")
    assert "Background check: valid until November 2099" in trainings
    assert "Reference check: pending" in trainings


def test_a_volunteer_cannot_cancel_someone_elses_signup(client: Client) -> None:
    training = make_training()
    session = make_session(training, capacity=5)
    owner, intruder = make_volunteer(), make_volunteer()
    signup = services.sign_up_for_session(session=session, volunteer=owner)
    client.force_login(intruder)
    response = client.post(f"/volunteer/trainings/sign-ups/{signup.pk}/cancel/")
    assert response.status_code == 404
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED
    assert client.post("/volunteer/trainings/sign-ups/999999/cancel/").status_code == 404


def test_pages_are_for_volunteers_only(client: Client, donor: User) -> None:
    for url in ("/volunteer/trainings/", "/volunteer/trainings/evidence/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    client.force_login(donor)
    assert client.get("/volunteer/trainings/").status_code == 403
    assert client.get("/volunteer/trainings/evidence/").status_code == 403
    session = make_session(make_training())
    assert client.post(f"/volunteer/trainings/sessions/{session.pk}/sign-up/").status_code == 403
    assert SessionSignup.objects.count() == 0


def _records_across_trainings(person: User, count: int, trainings: list[Training]) -> None:
    today = org_today()
    for i in range(count):
        make_record(
            person,
            trainings[i % len(trainings)],
            completed_on=today - timedelta(days=400 + i),
            status=(RecordStatus.VERIFIED, RecordStatus.PENDING, RecordStatus.REJECTED)[i % 3],
        )


def test_my_trainings_takes_the_same_number_of_queries_for_10_and_200_records(
    client: Client,
) -> None:
    trainings = [make_training(f"Training {i}", 12 if i % 2 else None) for i in range(10)]
    check = make_clearance_type()
    make_role("Crisis text line", trainings=trainings[:3], clearance_types=[check])
    make_role("School outreach", trainings=trainings[3:5], minimum_age=21)
    few, many = make_volunteer(), make_volunteer()
    _records_across_trainings(few, 10, trainings)
    _records_across_trainings(many, 200, trainings)
    for person in (few, many):
        make_clearance(person, check)
        for days in (3, 5, 8):
            session = make_session(
                trainings[days], starts_at=timezone.now() + timedelta(days=days), capacity=1
            )
            services.sign_up_for_session(session=session, volunteer=make_volunteer())
            services.sign_up_for_session(session=session, volunteer=person)

    counts = []
    for person in (few, many):
        client.force_login(person)
        client.get("/volunteer/trainings/")  # warm the session and the role cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/volunteer/trainings/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.content.decode().count("You are on the waitlist: number 1.") == 3
    assert counts[0] == counts[1]


SHIFT_LINKS = ("/volunteer/shifts/", "/volunteer/hours/", "/volunteer/shifts/swaps/")


def _links(content: str) -> set[str]:
    return set(re.findall(r'href="(/volunteer/[^"]*)"', content))


def main_content(client: Client, url: str) -> str:
    """The page's own content, without the site's navigation."""
    content = page(client, url)
    return " ".join(content[content.index('<main id="main"') : content.index("</main>")].split())


def test_an_applicant_sees_their_application_and_next_steps_not_the_shifts(
    client: Client,
) -> None:
    trained = make_role("Crisis text line", trainings=[make_training("Trauma-informed care")])
    make_role("School outreach")
    make_role("Fundraising events")
    person = make_volunteer(status=ProfileStatus.APPLICANT)
    profile = VolunteerProfile.objects.get(user=person)
    profile.wanted_roles.set([trained, VolunteerRole.objects.get(name="School outreach")])
    VolunteerProfile.objects.filter(pk=profile.pk).update(
        applied_at=datetime(2026, 11, 3, 15, tzinfo=ZoneInfo("UTC"))
    )
    client.force_login(person)
    content = main_content(client, "/volunteer/")
    assert "Your application is under review" in content
    assert "You applied on 3 November 2026." in content
    assert "What happens next" in content
    # Only the roles they asked for, with what each will need once approved.
    assert "To join Crisis text line you need: Trauma-informed care" in content
    assert "School outreach needs nothing more from you" in content
    assert "Fundraising events" not in content
    assert "an approved application" not in content
    assert "still being reviewed." not in content  # said once, above, not per role
    # Nothing that only an approved volunteer can use.
    for text in ("Find a shift", "My hours", "Places others offer", "My schedule"):
        assert text not in content
    assert not _links(content) & set(SHIFT_LINKS)
    assert {"/volunteer/trainings/", "/volunteer/trainings/evidence/"} <= _links(content)


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        (
            ProfileStatus.ACTIVE,
            ("Find a shift", "My schedule", "My hours", "Places others offer"),
            (),
        ),
        (
            ProfileStatus.PAUSED,
            ("My schedule", "My hours"),
            ("Find a shift", "Places others offer"),
        ),
        (ProfileStatus.LEFT, ("My schedule", "My hours"), ("Find a shift", "Places others offer")),
        (ProfileStatus.DECLINED, (), ("Find a shift", "My schedule", "My hours", "My trainings")),
    ],
)
def test_the_home_offers_what_the_status_allows(
    client: Client, status: str, shown: tuple[str, ...], hidden: tuple[str, ...]
) -> None:
    client.force_login(make_volunteer(status=status))
    content = main_content(client, "/volunteer/")
    for text in shown:
        assert text in content, text
    for text in hidden:
        assert text not in content, text
