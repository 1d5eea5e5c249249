"""The "update my card" link of a dunning e-mail: a signed link, no login needed.

A Stripe Billing Portal session lives a few minutes, so the e-mail links here and each
POST opens a fresh one. In offline test mode (no Stripe key) the page says what would
happen instead of calling Stripe.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.dunning import gift_for_card_token


@require_http_methods(["GET", "POST"])
def update_card(request: HttpRequest, token: str) -> HttpResponse:
    gift = gift_for_card_token(token)
    if gift is None:
        raise Http404("This link is not valid or has expired.")
    error = ""
    offline = not stripe_client.is_configured()
    if request.method == "POST" and not offline:
        if not gift.stripe_customer_id:
            error = "This monthly gift has no card on file with Stripe yet."
        else:
            return_url = request.build_absolute_uri(reverse("donations:home"))
            try:
                url = stripe_client.billing_portal_url(
                    customer_id=gift.stripe_customer_id, return_url=return_url
                )
            except stripe_client.StripeUnavailable as exc:
                error = exc.message
            else:
                return HttpResponseRedirect(url)
    return render(
        request,
        "donations/update_card.html",
        {"gift": gift, "offline": offline, "error": error, "posted": request.method == "POST"},
        status=503 if error else 200,
    )
