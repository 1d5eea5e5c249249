from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.health import OK, run_checks


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every part answers, 503 naming the parts that do not.

    ``?worker=1`` also sends the ``ping`` task and waits for a worker's reply.
    """
    results = run_checks(include_worker=request.GET.get("worker") == "1")
    failing = [name for name, value in results.items() if value != OK]
    body: dict[str, object] = {"status": "ok" if not failing else "failing", **results}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
