from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.http.health import OK, run_checks


def _may_check_worker(request: HttpRequest) -> bool:
    """The worker check waits seconds for a reply: staff, or a monitor with the token, only."""
    token: str = settings.HEALTHZ_TOKEN
    given = request.headers.get("X-Healthz-Token", "")
    if token and given and hmac.compare_digest(token, given):
        return True
    return bool(request.user.is_authenticated and request.user.is_staff)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every part answers, 503 naming the parts that do not.

    ``?worker=1`` also sends the ``ping`` task and waits for a worker's reply; it is open to
    staff and to monitors sending the X-Healthz-Token header (settings.HEALTHZ_TOKEN).
    """
    include_worker = request.GET.get("worker") == "1"
    if include_worker and not _may_check_worker(request):
        return JsonResponse(
            {"error": "The worker check needs a staff login or the X-Healthz-Token header."},
            status=403,
        )
    results = run_checks(include_worker=include_worker)
    failing = [name for name, value in results.items() if value != OK]
    body: dict[str, object] = {"status": "ok" if not failing else "failing", **results}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
