from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from donations.stripe_integration.intake import BadWebhook, receive_event


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's webhook endpoint; anyone may post, only a valid signature gets in.

    400: not a valid signed event (nothing stored). 200: stored and handled, ignored, or a
    duplicate. 500: a handler failed, so Stripe delivers the event again later.
    """
    if request.content_type == "multipart/form-data":
        # Stripe posts JSON; a form upload's body has been parsed already (and is no event).
        return JsonResponse({"error": "expected a JSON event"}, status=400)
    try:
        outcome = receive_event(request.body, request.headers.get("Stripe-Signature"))
    except BadWebhook as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if outcome.failed:
        return JsonResponse({"error": "processing failed, please retry"}, status=500)
    body: dict[str, object] = {"status": outcome.status}
    if outcome.duplicate:
        body["duplicate"] = True
    return JsonResponse(body)
