"""The embeddable donate form, for the organisation's own website.

A page of its own (no site header) that shows the amounts and the once/monthly toggle, and
sends the donor to our donate page, in the top window, with the amount chosen: the payment
itself happens on our page and Stripe's, which never run inside another site's frame.

Only the origins in ``DONATION_EMBED_ORIGINS`` may frame it: the response says so with CSP
``frame-ancestors`` (and carries no ``X-Frame-Options``, which cannot name origins). Every
other page keeps ``X-Frame-Options: DENY``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from donations.forms.public import DonationForm
from donations.models import Campaign
from donations.selectors import gifts as selectors
from donations.views.public import giving_open


def frame_ancestors() -> str:
    """The CSP directive: our own origin and the configured ones ('none' if none is)."""
    origins = settings.DONATION_EMBED_ORIGINS
    return "frame-ancestors " + (" ".join(["'self'", *origins]) if origins else "'none'")


@xframe_options_exempt
@require_GET
def donate_embed(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    campaign: Campaign | None = None
    if slug is not None:
        campaign = selectors.public_campaign(slug)
        if campaign is None:
            raise Http404("No such campaign")
    target = (
        reverse("donations:donate_campaign", kwargs={"slug": campaign.slug})
        if campaign is not None
        else reverse("donations:donate")
    )
    form = DonationForm(currency=request.GET.get("currency"))
    response = render(
        request,
        "donations/embed.html",
        {
            "form": form,
            "campaign": campaign,
            "target": f"{settings.SITE_URL}{target}",
            "giving_open": giving_open(),
        },
    )
    response["Content-Security-Policy"] = frame_ancestors()
    return response
