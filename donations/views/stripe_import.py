"""The staff page for bringing an existing Stripe account in: progress per list, a button
that runs (or resumes) the import in the background, and the merges it proposes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from donations.models import StripeCustomerLink
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.importer import import_progress, start_import


@permission_required("giving.view")
@require_GET
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    proposals = StripeCustomerLink.objects.filter(proposed_merge_with__isnull=False).select_related(
        "donor", "proposed_merge_with"
    )
    return render(
        request,
        "donations/coordinator/stripe_import.html",
        {
            "progress": import_progress(),
            "proposals": list(proposals),
            "configured": stripe_client.is_configured(),
            "section": "events",
        },
    )


@permission_required("giving.manage")
@require_POST
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not stripe_client.is_configured():
        messages.error(request, gettext("Stripe is not set up: there is no account to import."))
        return redirect("donations:coord_stripe_import")
    start_import(by=request.user)
    messages.success(
        request, gettext("The import runs in the background; reload this page to follow it.")
    )
    return redirect("donations:coord_stripe_import")
