"""A campaign's page for fundraisers (impact text per suggested amount, share links, gifts
per link source) and its public share page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.forms import put_errors_on_form
from donations.forms.segments import ImpactLineForm
from donations.models import Campaign
from donations.selectors import gifts as gift_selectors
from donations.selectors.reports import totals_by_link, totals_sum
from donations.selectors.sharing import impact_lines, share_links
from donations.services import segments as services


def _context(campaign: Campaign, form: ImpactLineForm | None = None) -> dict[str, Any]:
    sources = totals_by_link(campaign)
    return {
        "campaign": campaign,
        "lines": impact_lines(campaign),
        "form": form or ImpactLineForm(),
        "share": share_links(campaign),
        "sources": sources,
        "sources_total": totals_sum(sources),
        "reporting_currency": settings.REPORTING_CURRENCY,
        "section": "campaigns",
    }


@permission_required("giving.view")
@require_GET
def campaign_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    return render(request, "donations/coordinator/campaign.html", _context(campaign))


@permission_required("giving.manage")
@require_POST
def impact_save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    form = ImpactLineForm(request.POST)
    if form.is_valid():
        try:
            services.save_impact_line(
                campaign=campaign,
                amount=form.money(),
                text=form.cleaned_data["text"],
                translations=form.translations(),
                actor=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("Impact text saved."))
            return redirect("donations:coord_campaign", pk=campaign.pk)
    return render(
        request, "donations/coordinator/campaign.html", _context(campaign, form), status=400
    )


@permission_required("giving.manage")
@require_POST
def impact_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = services.delete_impact_line(pk=pk, actor=request.user)
    if line is None:
        raise Http404("No such impact text.")
    messages.success(request, gettext("Impact text deleted."))
    if line.campaign_id is None:
        return redirect("donations:coord_donate_page")
    return redirect("donations:coord_campaign", pk=line.campaign_id)


@require_GET
def share_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone may share an open public campaign: copy the link, the phone's share sheet,
    e-mail, WhatsApp, Facebook, or a QR code."""
    campaign = gift_selectors.public_campaign(slug)
    if campaign is None:
        raise Http404("No such campaign")
    return render(
        request,
        "donations/share.html",
        {
            "campaign": campaign,
            "progress": gift_selectors.progress_of(campaign),
            "share": share_links(campaign),
        },
    )
