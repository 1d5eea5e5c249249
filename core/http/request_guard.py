"""Requests refused before any view sees them."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

logger = logging.getLogger(__name__)

NUL = "\x00"
# JSON's escape for NUL, which a JSON parser turns into the character itself.
JSON_NUL = re.compile(rb"\\u0000", re.IGNORECASE)
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _in_query(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in data.getlist(key)) for key in data)


def _in_body(request: HttpRequest) -> bool:
    if request.content_type == "multipart/form-data":
        # Files may hold NUL bytes (a PDF, a photo); the text fields may not. (Django's
        # parser drops control characters from file names itself.)
        return _in_query(request.POST)
    body = request.body  # read once here; the view reads the same bytes (e.g. a webhook)
    if b"\x00" in body:
        return True
    if request.content_type == "application/x-www-form-urlencoded":
        return _in_query(request.POST)
    if (request.content_type or "").endswith("json"):
        return JSON_NUL.search(body) is not None
    return False


def nul_in_request(request: HttpRequest) -> str | None:
    """Which input of ``request`` holds a NUL character ("path", "query", ...), or None."""
    if NUL in request.path_info or NUL in request.path:
        return "path"
    if _in_query(request.GET):
        return "query"
    if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
        return "cookies"
    if any(
        NUL in str(value)
        for name, value in request.META.items()
        if name.startswith("HTTP_") or name in ("CONTENT_TYPE", "QUERY_STRING")
    ):
        return "headers"
    if request.method in BODY_METHODS and _in_body(request):
        return "body"
    return None


class RejectNulMiddleware:
    """Answer 400 to a request with a NUL character in its path, query, cookies, headers,
    form fields or JSON body.

    No person types one; PostgreSQL refuses it in text ("A string literal cannot contain
    NUL"), so it would otherwise end as a 500 wherever an input reaches a query, and
    SQLite would store it. Refusing it here, first, covers every URL and every input at
    once. Uploaded files are not read: their bytes are not text.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_in_request(request)
        if where is not None:
            logger.warning("refused a request with a NUL character in its %s", where)
            return render(request, "400.html", status=400)
        return self.get_response(request)
