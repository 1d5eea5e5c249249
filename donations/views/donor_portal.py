"""The donor portal: a donor's gifts, totals, monthly gifts, receipts and details.

Every page reads through the logged-in person's own donor record (``Donor.user``), so an id
in a URL that belongs to someone else is simply not found (404), never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.permissions import AuthenticatedHttpRequest, user_can
from donations.forms.portal import DonorDetailsForm, NewAmountForm
from donations.forms.public import give_again_url
from donations.models import Donor, RecurringGift
from donations.money import format_money
from donations.selectors import donors as selectors
from donations.selectors.portal import last_gift
from donations.services.donors import update_donor_details
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.dunning import card_update_token
from donations.stripe_integration.subscriptions import (
    cancel_recurring_gift,
    change_recurring_amount,
)

View = Callable[..., HttpResponse]


def donor_portal(view: View) -> View:
    """Logged-in people who are donors: the donor role, or a donor record of their own.

    Sets ``request.donor`` (None for a donor without any gift recorded yet).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        donor = selectors.donor_for_user(request.user)
        if donor is None and not user_can(request.user, "donor.self"):
            raise PermissionDenied(gettext("This page is for donors."))
        request.donor = donor  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _donor(request: HttpRequest) -> Donor | None:
    donor: Donor | None = getattr(request, "donor", None)
    return donor


@donor_portal
@require_http_methods(["GET"])
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    donor = _donor(request)
    context: dict[str, Any] = {"donor": donor}
    if donor is not None:
        totals = selectors.yearly_totals(donor)
        recurring = list(selectors.donor_recurring(donor))
        gifts = list(selectors.donor_gifts(donor))
        again = last_gift(gifts)
        context.update(
            gifts=gifts,
            give_again=give_again_url(again) if again is not None else "",
            give_again_gift=again,
            totals=totals,
            lifetime=selectors.lifetime_totals(totals),
            recurring=[
                (gift, card_update_token(gift) if gift.cancelled_at is None else "")
                for gift in recurring
            ],
            receipts=list(selectors.donor_receipts(donor)),
            statement_years=selectors.statement_years(totals),
        )
    return render(request, "donations/portal/home.html", context)


@donor_portal
@require_http_methods(["GET", "POST"])
def details(request: AuthenticatedHttpRequest) -> HttpResponse:
    donor = _donor(request)
    if donor is None:
        messages.info(request, gettext("Your details are kept once you have given."))
        return redirect("donations:home")
    form = DonorDetailsForm(request.POST or None, instance=donor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        update_donor_details(
            donor=donor,
            name=data["name"],
            address_line1=data["address_line1"],
            address_line2=data["address_line2"],
            city=data["city"],
            region=data["region"],
            postal_code=data["postal_code"],
            country=data["country"],
            communication_consent=data["communication_consent"],
            give_anonymously=data["give_anonymously"],
            by=request.user,
        )
        messages.success(request, gettext("Your details have been saved."))
        return redirect("donations:home")
    return render(request, "donations/portal/details.html", {"form": form, "donor": donor})


@donor_portal
@require_http_methods(["GET", "POST"])
def cancel_recurring(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: are you sure? POST: cancel the monthly gift (only the donor's own)."""
    donor = _donor(request)
    gift = get_object_or_404(RecurringGift.objects.select_related("campaign"), pk=pk, donor=donor)
    if request.method == "POST":
        if gift.cancelled_at is not None:
            messages.info(request, gettext("This monthly gift was cancelled already."))
            return redirect("donations:home")
        try:
            cancel_recurring_gift(gift=gift, by=request.user)
        except stripe_client.StripeUnavailable:
            messages.error(
                request,
                gettext("We could not reach our card processor. Nothing has changed; try again."),
            )
            return render(
                request, "donations/portal/cancel_recurring.html", {"gift": gift}, status=503
            )
        messages.success(
            request, gettext("Your monthly gift is cancelled; you will not be charged again.")
        )
        return redirect("donations:home")
    return render(
        request,
        "donations/portal/cancel_recurring.html",
        {"gift": gift, "offline": not stripe_client.is_configured()},
    )


@donor_portal
@require_http_methods(["GET", "POST"])
def change_recurring(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: the new amount form. POST: change the monthly gift's amount (only the donor's
    own, only while it runs); the service says what is wrong with an amount."""
    donor = _donor(request)
    gift = get_object_or_404(RecurringGift.objects.select_related("campaign"), pk=pk, donor=donor)
    if gift.cancelled_at is not None:
        messages.info(request, gettext("This monthly gift was cancelled already."))
        return redirect("donations:home")
    form = NewAmountForm(request.POST or None, currency=gift.currency)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            changed = change_recurring_amount(
                gift=gift, amount=form.cleaned_data["amount"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("amount", exc)
            status = 400
        except stripe_client.StripeUnavailable:
            messages.error(
                request,
                gettext("We could not reach our card processor. Nothing has changed; try again."),
            )
            status = 503
        else:
            messages.success(
                request,
                gettext(
                    "Your monthly gift is now %(amount)s, from your next payment. "
                    "We have sent you a confirmation."
                )
                % {"amount": format_money(changed.money)},
            )
            return redirect("donations:home")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "donations/portal/change_recurring.html",
        {"gift": gift, "form": form, "offline": not stripe_client.is_configured()},
        status=status,
    )
