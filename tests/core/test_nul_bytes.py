"""A NUL character in any input of any URL is answered 400, never 500 (core.http.request_guard).

Built from the URL resolver, so a new page is covered without being listed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from core.http.request_guard import RejectNulMiddleware, nul_in_request
from tests.factories import make_user

SAMPLES = {"int": "1", "str": "abc", "slug": "abc", "path": "abc", "uuid": "0" * 32}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    """Every route of the site as a ``path()`` string (regular-expression routes left out)."""
    for pattern in patterns:
        route = str(pattern.pattern)
        if route.startswith("^") or "(?P" in route:
            continue
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + route)
        else:
            yield prefix + route


def concrete(route: str, *, nul_in_first_parameter: bool = False) -> str:
    """A URL of ``route``, its parameters filled with sample values (or the first with NUL)."""
    first = True

    def fill(match: re.Match[str]) -> str:
        nonlocal first
        value = SAMPLES[match["kind"] or "str"]
        if first and nul_in_first_parameter:
            value = "ab%00c"
        first = False
        return value

    return "/" + CONVERTER.sub(fill, route)


ROUTES = sorted(set(routes(get_resolver().url_patterns)))
URLS = [concrete(route) for route in ROUTES]


def test_the_resolver_gives_every_page() -> None:
    assert len(ROUTES) > 150
    for path in ("/donate/thanks/", "/calendar/abc.ics", "/notifications/unsubscribe/abc/"):
        assert path in URLS


def path_with_nul(route: str) -> str:
    if CONVERTER.search(route):
        return concrete(route, nul_in_first_parameter=True)
    return concrete(route) + "%00"


@pytest.mark.parametrize("route", ROUTES)
def test_a_nul_in_any_input_of_any_page_is_a_400(route: str) -> None:
    """Refused before any view, session or database is touched (no database here)."""
    url = concrete(route)
    client = Client()
    assert client.get(path_with_nul(route)).status_code == 400
    assert client.get(url, {"q": "\x00", "session_id": "a\x00"}).status_code == 400
    assert client.get(url, {"page\x00": "1"}).status_code == 400
    assert client.post(url, {"email": "ana\x00@example.org"}).status_code == 400
    assert client.post(url, data=b'{"id": "a\x00"}', content_type="text/plain").status_code == 400
    json_body = '{"name": "a\\u0000b"}'
    assert client.post(url, data=json_body, content_type="application/json").status_code == 400
    assert client.get(url, HTTP_X_FORWARDED_FOR="1.2.3.4\x00").status_code == 400
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="es\x00").status_code == 400
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get(url).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/donate/thanks/?session_id=%00",
        "/calendar/%00.ics",
        "/notifications/unsubscribe/%00/",
        "/accounts/login/magic/%00/",
    ],
)
def test_the_urls_from_the_report_answer_400_with_a_page(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "We could not read this request" in response.content.decode()


@pytest.mark.django_db
def test_a_logged_in_coordinators_form_with_a_nul_is_refused(client: Client) -> None:
    client.force_login(make_user(roles=[Role.ADMINISTRATOR]))
    response = client.post("/coordinator/volunteering/shifts/new/", {"notes": "a\x00b"})
    assert response.status_code == 400


def _passes(request: HttpRequest) -> bool:
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse("ok")

    response = RejectNulMiddleware(view)(request)
    return response.status_code == 200 and seen == [request]


def test_clean_requests_and_uploaded_files_with_nul_bytes_pass() -> None:
    factory = RequestFactory()
    assert _passes(factory.get("/volunteer/shifts/", {"q": "Ana Ng"}))
    assert _passes(factory.post("/x/", {"note": "100% sure: 0 % 0"}))
    upload = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4\x00\x00binary", "application/pdf")
    assert _passes(factory.post("/volunteer/evidence/", {"provider": "Red Cross", "file": upload}))
    webhook = factory.post(
        "/stripe/webhook/", data=b'{"id": "evt_1"}', content_type="application/json"
    )
    assert _passes(webhook)
    assert webhook.body == b'{"id": "evt_1"}'  # still readable by the view


def test_the_input_holding_the_nul_is_named() -> None:
    factory = RequestFactory()
    upload = SimpleUploadedFile("a.pdf", b"%PDF", "application/pdf")
    assert nul_in_request(factory.post("/x/", {"file": upload, "note": "\x00"})) == "body"
    assert nul_in_request(factory.post("/x/", {"note": "a\x00"})) == "body"
    assert nul_in_request(factory.get("/x/", {"q": "a\x00"})) == "query"
    assert nul_in_request(factory.get("/x/", HTTP_REFERER="\x00")) == "headers"
    assert nul_in_request(factory.get("/x\x00/")) == "path"
