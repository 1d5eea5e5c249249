"""Coordinator pages for giving: donations, campaigns, recurring gifts and the Stripe events log.

Lists read through ``donations.selectors.gifts`` so their query count does not grow with rows; the
one write, re-processing failed events, calls ``webhooks.reprocess_failed_events``.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.forms import put_errors_on_form
from core.pagination import EstimatingPaginator
from donations.forms.coordinator import (
    CampaignForm,
    DonationFilterForm,
    RecurringFilterForm,
    ReprocessForm,
    StripeEventFilterForm,
)
from donations.models import Campaign, StripeEventStatus
from donations.selectors import gifts as selectors
from donations.services.campaigns import save_campaign_texts
from donations.stripe_integration.deferred import resolve_deferred, stuck_events
from donations.stripe_integration.disagreements import disagreement_list
from donations.stripe_integration.intake import reprocess_failed_events

PAGE_SIZE = 50


def _query_without_page(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@permission_required("giving.view")
@require_GET
def donation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = DonationFilterForm(request.GET or None)
    criteria: dict[str, Any] = {}
    if filters.is_valid():
        data = filters.cleaned_data
        criteria = {
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "campaign": data["campaign"],
            "status": data["status"],
            "currency": data["currency"],
            "search": data["q"],
        }
    page = EstimatingPaginator(
        selectors.donation_list(**criteria),
        PAGE_SIZE,
        excluding=("status", selectors.UNFINISHED),
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/coordinator/donations.html",
        {
            "filters": filters,
            "page": page,
            "query": _query_without_page(request),
            "section": "donations",
            "zone": settings.ORG_TIME_ZONE,
        },
    )


@permission_required("giving.view")
@require_GET
def campaign_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = [
        (campaign, selectors.progress_of(campaign))
        for campaign in selectors.campaigns_with_progress()
    ]
    return render(
        request,
        "donations/coordinator/campaigns.html",
        {
            "rows": rows,
            "section": "campaigns",
            "site_url": settings.SITE_URL,
            "embed_origins": settings.DONATION_EMBED_ORIGINS,
        },
    )


@permission_required("giving.manage")
def campaign_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A campaign's name and description, in each language, and whether it takes gifts."""
    campaign = get_object_or_404(Campaign, pk=pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = save_campaign_texts(
                campaign=campaign,
                name=data["name"],
                description=data["description"],
                active=data["active"],
                public=data["public"],
                translations=form.translations(),
                by=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("%(saved)s saved.") % {"saved": saved.name})
            return redirect("donations:coord_campaigns")
    if form.is_bound:
        campaign.refresh_from_db(fields=["name"])  # the form wrote its input onto the instance
    return render(
        request,
        "donations/coordinator/campaign_form.html",
        {"form": form, "campaign": campaign, "section": "campaigns"},
    )


@permission_required("giving.view")
@require_GET
def recurring_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = RecurringFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = Paginator(selectors.recurring_gift_list(status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "donations/coordinator/recurring.html",
        {
            "filters": filters,
            "page": page,
            "query": _query_without_page(request),
            "section": "recurring",
            "zone": settings.ORG_TIME_ZONE,
        },
    )


@permission_required("giving.view")
@require_GET
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = StripeEventFilterForm(request.GET or None, types=selectors.stripe_event_types())
    status, event_type, delivered_by = "", "", ""
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        event_type = filters.cleaned_data["type"]
        delivered_by = filters.cleaned_data["delivered_by"]
    events = selectors.stripe_event_list(
        status=status, event_type=event_type, delivered_by=delivered_by
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    failed_on_page = [event.pk for event in page.object_list if event.status == "failed"]
    stuck_on_page = set(
        stuck_events()
        .filter(pk__in=[event.pk for event in page.object_list])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "donations/coordinator/events.html",
        {
            "filters": filters,
            "page": page,
            "query": _query_without_page(request),
            "failed_on_page": failed_on_page,
            "stuck_on_page": stuck_on_page,
            "section": "events",
            "zone": settings.ORG_TIME_ZONE,
        },
    )


@permission_required("giving.view")
@require_GET
def stripe_reconciliation(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the nightly reconciliation found: each Stripe object that disagrees with our
    ledger, what differs, and a link to the gift."""
    return render(
        request,
        "donations/coordinator/reconciliation.html",
        {
            "disagreements": disagreement_list(),
            "section": "events",
            "zone": settings.ORG_TIME_ZONE,
        },
    )


@permission_required("giving.manage")
@require_POST
def event_reprocess(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Run the handlers of the chosen failed events again (after the cause is fixed)."""
    form = ReprocessForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("donations:coord_events")
    outcomes = reprocess_failed_events(event_ids=[event.pk for event in form.cleaned_data["event"]])
    if not outcomes:
        messages.warning(request, gettext("None of those events had failed."))
    else:
        summary = ", ".join(
            f"{count} {StripeEventStatus(status).label.lower()}"
            for status, count in sorted(outcomes.items())
        )
        still_failing = outcomes.get(StripeEventStatus.FAILED, 0)
        (messages.warning if still_failing else messages.success)(
            request, gettext("Re-processed: %(summary)s.") % {"summary": summary}
        )
    back = QueryDict(request.POST.get("query", "")).urlencode()
    url = reverse("donations:coord_events")
    return redirect(f"{url}?{back}" if back else url)


@permission_required("giving.manage")
@require_POST
def event_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Fetch the payment a long-deferred event waits for, record it, run what waits."""
    try:
        ran = resolve_deferred(event_pk=pk)
    except stripe.StripeError:
        messages.error(request, gettext("Stripe could not be asked. Please try again later."))
    else:
        if ran:
            messages.success(
                request,
                ngettext(
                    "The payment was recorded and %(count)d waiting event applied.",
                    "The payment was recorded and %(count)d waiting events applied.",
                    ran,
                )
                % {"count": ran},
            )
        else:
            messages.info(request, gettext("Stripe has no paid charge for that payment."))
    return redirect(f"{reverse('donations:coord_events')}?status=deferred")
