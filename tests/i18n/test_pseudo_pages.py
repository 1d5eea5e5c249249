"""Acceptance 1 (pages and PDFs): every page each demo login can reach from its home, and
every PDF linked from them, in each of the five languages, shows no text outside the
pseudo-language's markers except data. See tests/i18n/pseudo.py."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from demo.people import APPLICANT_EMAIL, PEOPLE
from tests.i18n.pseudo import DataWords, html_texts, pdf_texts, problems, pseudo_catalogue
from tests.utils import read_download

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
LOGINS = [person.email for person in PEOPLE] + [APPLICANT_EMAIL]
# Pages of the same shape (ids aside) are visited this many times each.
PER_SHAPE = 2
# Not ours (Django's admin), files people uploaded (evidence), or not pages.
SKIPPED = ("/admin/", "/static/", "/media/", "/accounts/logout", "/healthz")
UPLOADS = re.compile(r"/documents/")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _links(base: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIPPED) or UPLOADS.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def _texts(response: Any) -> list[str]:
    kind = response.get("Content-Type", "").split(";")[0]
    body = read_download(response) if response.streaming else response.content
    if kind == "text/html":
        return html_texts(body.decode())
    if kind == "application/pdf":
        return pdf_texts(body)
    if kind == "image/svg+xml":
        return html_texts(body.decode())
    if kind == "text/csv":
        # Unless the headers are names for programs (gift_count), not for people.
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        if rows and all(IDENTIFIER.fullmatch(h) for h in rows[0]):
            return []
        # Cells holding a JSON object or a dotted code are data for programs (the audit
        # export's changes and actions).
        return [
            cell
            for row in rows
            for cell in row
            if not _json_object(cell) and not DOTTED_CODE.fullmatch(cell)
        ]
    return []


DOTTED_CODE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")


def _json_object(cell: str) -> bool:
    if not cell.startswith("{"):
        return False
    try:
        return isinstance(json.loads(cell), dict)
    except ValueError:
        return False


def crawl(client: Client, data: dict[str, DataWords], found: dict[str, str]) -> int:
    """Visit every page reachable from the home, adding what each shows unmarked to
    ``found``; the number of pages visited."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue = ["/"]
    while queue:
        url = queue.pop(0)
        if url in seen or shapes[_shape(url)] >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[_shape(url)] += 1
        response = client.get(url, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        try:
            texts = _texts(response)
        except Exception as exc:
            raise AssertionError(f"{final}: {exc}") from exc
        # A receipt or statement is in the language it was issued in.
        kind = "pdf" if response.get("Content-Type", "") == "application/pdf" else "page"
        for words, where in problems(final, texts, data[kind]).items():
            found.setdefault(words, where)
        if response.get("Content-Type", "").startswith("text/html"):
            queue += [link for link in _links(final, response.content.decode()) if link not in seen]
    return sum(shapes.values())


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime(2026, 11, 27, 15, 0, tzinfo=UTC), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        yield


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_and_pdf_of_every_demo_login_is_translated(language: str) -> None:
    data = {"page": DataWords([language]), "pdf": DataWords(LANGUAGES, any_word=True)}
    found: dict[str, str] = {}
    visited = 0
    with pseudo_catalogue():
        anonymous = Client()
        anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        visited += crawl(anonymous, data, found)
        for email in LOGINS:
            user = User.objects.get(email=email)
            User.objects.filter(pk=user.pk).update(preferred_language=language)
            client = Client()
            client.force_login(user)
            visited += crawl(client, data, found)
    assert visited > 100
    report = [f"{words!r} at {where}" for words, where in sorted(found.items())]
    assert not report, f"{len(report)} unmarked texts:\n" + "\n".join(report)
