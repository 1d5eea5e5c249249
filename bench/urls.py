"""The project's URLs plus two pages that do nothing, served only by the bench's gunicorn.

They measure what any request costs before a view does any work (gunicorn, the middleware,
the session and the logged-in user, CSRF for a POST): the fixed part of every page's time,
and of the sign-up race's, which the SQL floor does not include.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from config.urls import urlpatterns as project_urlpatterns


@login_required
@require_GET
def empty_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"<p>{request.user.pk}</p>")


@login_required
@require_POST
def empty_post(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"/bench/empty/?user={request.user.pk}")


EMPTY_PAGE = "/bench/empty/"
EMPTY_POST = "/bench/empty-post/"

urlpatterns = [
    path(EMPTY_PAGE.strip("/") + "/", empty_page),
    path(EMPTY_POST.strip("/") + "/", empty_post),
    *project_urlpatterns,
]
