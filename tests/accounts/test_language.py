"""Which language a page is in: a logged-in person's preference, else the switcher's
cookie, else the browser's Accept-Language, else LANGUAGE_CODE; only languages with a
catalogue count. The switcher stores a logged-in person's choice as their preference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from django.conf import settings
from django.test import Client

from accounts.models import User
from core.locales import page_languages
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# A word on the login page, in each test catalogue.
WORD = {"es": "Entrar-es", "th": "Entrar-th", "fil": "Entrar-fil"}


@pytest.fixture(autouse=True)
def catalogues(tmp_path: Path, settings) -> Iterator[None]:
    """Spanish, Thai and Filipino catalogues translating "Log in" (Vietnamese has none)."""
    for code, word in WORD.items():
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        catalogue = Catalog(locale=code)
        catalogue.add("Log in", word)
        with (folder / "django.mo").open("wb") as handle:
            write_mo(handle, catalogue)
    settings.LOCALE_PATHS = [tmp_path]
    page_languages.cache_clear()
    yield
    page_languages.cache_clear()


def language_of(client: Client, page: str = "/accounts/login/", **headers: str) -> str:
    response = client.get(page, headers=headers)
    assert response.status_code == 200
    return str(response.headers["Content-Language"])


def test_only_languages_with_a_catalogue_are_offered() -> None:
    assert page_languages() == {"en", "es", "th", "fil"}


def test_a_visitor_gets_the_browsers_language(client: Client) -> None:
    assert language_of(client, accept_language="es-MX,es;q=0.9,en;q=0.5") == "es"
    assert WORD["es"] in client.get("/accounts/login/", headers={"accept-language": "es"}).text
    # Tagalog is answered in Filipino; a language without a catalogue falls through.
    assert language_of(client, accept_language="tl") == "fil"
    assert language_of(client, accept_language="vi, th;q=0.8") == "th"
    assert language_of(client, accept_language="de") == "en"
    assert language_of(client) == "en"


def test_the_switcher_cookie_beats_the_browser(client: Client) -> None:
    response = client.post("/accounts/language/", {"language": "th", "next": "/donate/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/donate/"
    assert language_of(client, accept_language="es") == "th"


def test_a_preference_beats_cookie_and_browser_and_the_switcher_changes_it(
    client: Client,
) -> None:
    person = make_user(preferred_language="fil")
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    assert language_of(client, "/accounts/profile/", accept_language="es") == "fil"

    client.post("/accounts/language/", {"language": "es", "next": "/accounts/profile/"})
    assert User.objects.get(pk=person.pk).preferred_language == "es"
    assert language_of(client, "/accounts/profile/") == "es"


def test_the_switcher_refuses_unknown_languages_and_foreign_redirects(client: Client) -> None:
    person = make_user(preferred_language="en")
    client.force_login(person)
    response = client.post(
        "/accounts/language/", {"language": "vi", "next": "https://evil.example.org/"}
    )
    assert response.headers["Location"] == "/"
    assert User.objects.get(pk=person.pk).preferred_language == "en"
    assert client.get("/accounts/language/").status_code == 405
