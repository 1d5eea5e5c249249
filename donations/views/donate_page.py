"""The general donate page (the general fund, no campaign): its staff screen (what each
suggested amount does, the suggested amounts per currency, share links) and its public
share page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.forms import put_errors_on_form
from donations import options
from donations.forms.segments import ImpactLineForm, SuggestedAmountsForm
from donations.selectors.amounts import configured, suggested_amounts
from donations.selectors.sharing import impact_lines, share_links
from donations.services import segments as impact_services
from donations.services.donate_page import save_suggested_amounts

TEMPLATE = "donations/coordinator/donate_page.html"


def _context(
    impact_form: ImpactLineForm | None = None, amounts_form: SuggestedAmountsForm | None = None
) -> dict[str, Any]:
    return {
        "lines": impact_lines(None),
        "form": impact_form or ImpactLineForm(),
        "amounts_form": amounts_form or SuggestedAmountsForm(),
        # Each currency's amounts now, and whether staff set them (else the default).
        "currencies": [
            (code, suggested_amounts(code), configured(code) is not None)
            for code in options.currencies()
        ],
        "share": share_links(None),
        "section": "campaigns",
    }


@permission_required("giving.view")
@require_GET
def general_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, TEMPLATE, _context())


@permission_required("giving.manage")
@require_POST
def general_impact_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ImpactLineForm(request.POST)
    if form.is_valid():
        try:
            impact_services.save_impact_line(
                campaign=None,
                amount=form.money(),
                text=form.cleaned_data["text"],
                translations=form.translations(),
                actor=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("Impact text saved."))
            return redirect("donations:coord_donate_page")
    return render(request, TEMPLATE, _context(impact_form=form), status=400)


@permission_required("giving.manage")
@require_POST
def amounts_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SuggestedAmountsForm(request.POST)
    if form.is_valid():
        save_suggested_amounts(
            currency=form.cleaned_data["currency"], amounts=form.money(), by=request.user
        )
        messages.success(request, gettext("Suggested amounts saved."))
        return redirect("donations:coord_donate_page")
    return render(request, TEMPLATE, _context(amounts_form=form), status=400)


@require_GET
def general_share(request: HttpRequest) -> HttpResponse:
    """Anyone may share the general donate page, as a campaign's."""
    return render(request, "donations/share.html", {"campaign": None, "share": share_links(None)})
