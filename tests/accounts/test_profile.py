from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_a_person_updates_their_details(client: Client, volunteer) -> None:
    client.force_login(volunteer)
    response = client.post(
        "/accounts/profile/",
        {
            "first_name": "Ana",
            "last_name": "Lima",
            "phone": "+44 20 7946 0958",
            "preferred_language": "es",
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.last_name == "Lima"
    assert volunteer.phone.as_e164 == "+442079460958"
    assert (volunteer.preferred_language, volunteer.time_zone) == ("es", "Europe/London")


def test_an_invalid_time_zone_is_refused_and_nothing_changes(client: Client, volunteer) -> None:
    client.force_login(volunteer)
    response = client.post(
        "/accounts/profile/",
        {
            "first_name": "Ana",
            "last_name": "Changed",
            "phone": "",
            "preferred_language": "en",
            "time_zone": "Nowhere/Special",
        },
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    volunteer.refresh_from_db()
    assert volunteer.last_name != "Changed"
    assert volunteer.time_zone == "America/New_York"


def test_pages_stay_in_english_until_the_persons_language_is_translated(
    client: Client, volunteer, monkeypatch
) -> None:
    volunteer.preferred_language = "fr"
    volunteer.save()
    client.force_login(volunteer)
    # No French catalogue ships yet: one language on the page, not Django's odd words.
    response = client.get("/volunteer/")
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"
    assert ">Log out</button>" in response.content.decode()
    # Once French is translated, the same person sees French pages.
    monkeypatch.setattr("core.locales.page_languages", lambda: frozenset({"en", "fr"}))
    response = client.get("/volunteer/")
    assert '<html lang="fr">' in response.content.decode()
    assert response["Content-Language"] == "fr"
    assert timezone.get_current_timezone_name() == "UTC"  # reset after the request


def test_dates_are_shown_in_the_viewers_time_zone(client: Client, coordinator) -> None:
    from datetime import UTC, datetime, timedelta

    from accounts.roles import Role
    from tests.factories import make_user

    joined = datetime.now(UTC).replace(hour=20, minute=0) - timedelta(days=2)
    make_user(roles=[Role.VOLUNTEER], date_joined=joined)
    client.force_login(coordinator)
    coordinator.time_zone = "Asia/Bangkok"  # UTC+7: 20:00 UTC is the next day there
    coordinator.save()
    bangkok = client.get("/coordinator/").content.decode()
    coordinator.time_zone = "America/Los_Angeles"
    coordinator.save()
    los_angeles = client.get("/coordinator/").content.decode()
    next_day = (joined + timedelta(days=1)).strftime("%-d %b %Y")
    same_day = joined.strftime("%-d %b %Y")
    assert f">{next_day}</time>" in bangkok
    assert f">{same_day}</time>" in los_angeles
