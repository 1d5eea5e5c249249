"""The public giving pages: the donation form, thank-you and cancel pages, and the offline
test checkout. Views parse with a form and call ``start_gift``; nothing here marks a gift paid.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_http_methods

from core.tasks import enqueue_on_commit
from donations import options
from donations.forms.public import OTHER, DonationForm, preset_value
from donations.models import (
    Campaign,
    Donation,
    DonationStatus,
    RecurringGift,
    RecurringStatus,
)
from donations.money import Money, MoneyError, check_minimum, parse_amount
from donations.selectors import gifts as selectors
from donations.selectors.sharing import impact_texts
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.checkout import start_gift
from donations.stripe_integration.client import StripeUnavailable
from donations.stripe_integration.offline_events import (
    OFFLINE_SESSION_PREFIX,
    OfflineScenario,
    offline_checkout_events,
)
from donations.tasks import fixed_event_ids, is_loopback_url, post_offline_events


def giving_open() -> bool:
    """Gifts can be made: through Stripe, or in offline test mode outside production."""
    return stripe_client.is_configured() or not settings.PRODUCTION


def offline_mode() -> bool:
    """The local test checkout stands in for Stripe (no secret key, not in production)."""
    return not stripe_client.is_configured() and not settings.PRODUCTION


@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The donation page, general or for one campaign (with its progress against the goal)."""
    campaign: Campaign | None = None
    if slug is not None:
        campaign = selectors.public_campaign(slug)
        if campaign is None:
            raise Http404("No such campaign")
    if request.method == "POST" and giving_open():
        form = DonationForm(request.POST)
        if form.is_valid():
            response = _start(request, form, campaign)
            if response is not None:
                return response
    else:
        form = DonationForm(
            initial=_initial(request),
            currency=request.GET.get("currency")
            or options.preferred_currency(
                language=get_language(),
                campaign_currency=campaign.goal_currency if campaign else "",
            ),
        )
    texts = impact_texts(campaign, form.currency_shown)
    context: dict[str, Any] = {
        "form": form,
        # Each suggested amount's impact text, keyed as the amount's radio value.
        "impact": [
            (preset_value(money), money, texts[money.minor])
            for money in form.presets
            if money.minor in texts
        ],
        "campaign": campaign,
        # The page's own address for its Open Graph tags (what a shared link shows).
        "og_url": f"{settings.SITE_URL}{request.path}",
        "progress": selectors.progress_of(campaign) if campaign is not None else None,
        "giving_open": giving_open(),
        "offline_mode": offline_mode(),
        **fee_context(form),
    }
    return render(request, "donations/donate.html", context)


def _initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"cover_fee": request.GET.get("cover_fee") == "on"}
    frequency = request.GET.get("frequency")
    if frequency in ("once", "monthly"):
        initial["frequency"] = frequency
    # The amount chosen on the embedded form (a preset's value, e.g. "USD:25.00").
    amount = request.GET.get("amount", "")
    if amount and len(amount) <= 40:
        initial["amount"] = amount
    # The shared link the donor came by (campaign share links carry utm_source).
    source = request.GET.get("utm_source") or request.GET.get("ref") or ""
    if source:
        initial["referral"] = options.referral_code(source[:200])
    # "Give again" from the donor portal: an amount that is no preset.
    custom = request.GET.get("custom_amount", "")
    if custom and len(custom) <= 40:
        initial["custom_amount"] = custom
    user = request.user
    if user.is_authenticated:
        initial["name"] = user.get_full_name()
        initial["email"] = user.email
        donor = getattr(user, "donor", None)
        if donor is not None:
            initial["anonymous"] = donor.give_anonymously
    return initial


def _start(
    request: HttpRequest, form: DonationForm, campaign: Campaign | None
) -> HttpResponse | None:
    data = form.cleaned_data
    success = reverse("donations:donate_thanks")
    cancel = reverse("donations:donate_cancelled")
    try:
        started = start_gift(
            amount=data["money"],
            frequency=data["frequency"],
            campaign=campaign,
            name=data["name"],
            email=data["email"],
            cover_fee=bool(data.get("cover_fee")),
            tribute_type=data["tribute_type"],
            tribute_name=data["tribute_name"],
            tribute_notify=data.get("tribute_notify", ""),
            anonymous=data["anonymous"],
            user=request.user if request.user.is_authenticated else None,
            referral=data.get("referral", ""),
            # Stripe puts the session's id where the placeholder is.
            success_url=f"{settings.SITE_URL}{success}?session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=f"{settings.SITE_URL}{cancel}"
            + (f"?{urlencode({'campaign': campaign.slug})}" if campaign else ""),
        )
    except ValidationError as exc:
        amount_field = "custom_amount" if data.get("amount") in ("", OTHER) else "amount"
        for field, errors in exc.message_dict.items():
            name = amount_field if field == "amount" else field
            form.add_error(name if name in form.fields else None, errors)
        return None
    except StripeUnavailable as exc:
        form.add_error(None, exc.message)
        return None
    return redirect(started.redirect_url)


def fee_context(form: DonationForm) -> dict[str, Any]:
    """What covering the fee adds: for the amount on the form, and for each suggestion."""
    currency = form.currency_shown
    gift: Money | None = None
    text = form.amount_text().strip()
    if text:
        try:
            gift = parse_amount(text, currency)
            check_minimum(gift)
        except MoneyError:
            gift = None
    fee = options.cover_fee_amount(gift) if gift is not None else None
    total = (
        Money(gift.minor + fee.minor, currency) if gift is not None and fee is not None else None
    )
    return {
        "fee_offered": "cover_fee" in form.fields,
        "fee_gift": gift,
        "fee": fee,
        "fee_total": total,
        "fee_percent": options.fee_percent(),
        "fee_fixed": options.fee_fixed(currency),
        "preset_fees": [(money, options.cover_fee_amount(money)) for money in form.presets],
    }


@require_GET
def fee_preview(request: HttpRequest) -> HttpResponse:
    """The cover-the-fee line for the amount typed or picked so far (htmx swaps it in)."""
    form = DonationForm(request.GET)
    return render(request, "donations/_fee_note.html", fee_context(form))


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    """After Checkout: thanks, and the gift's status as the webhooks left it (read-only)."""
    session_id = request.GET.get("session_id", "")[:255]
    gift = selectors.gift_status_by_session(session_id)
    context = {"gift": gift, "session_id": session_id, **_status_context(gift)}
    if request.headers.get("HX-Request"):
        return render(request, "donations/_gift_status.html", context)
    return render(request, "donations/thanks.html", context)


def _status_context(gift: Donation | RecurringGift | None) -> dict[str, Any]:
    if gift is None:
        return {"state": "unknown", "monthly": False}
    if isinstance(gift, RecurringGift):
        state = {
            RecurringStatus.ACTIVE: "confirmed",
            RecurringStatus.PAST_DUE: "failed",
            RecurringStatus.CANCELLED: "cancelled",
            RecurringStatus.ABANDONED: "abandoned",
        }.get(RecurringStatus(gift.status), "waiting")
        return {"state": state, "monthly": True}
    state = {
        DonationStatus.PENDING: "waiting",
        DonationStatus.FAILED: "failed",
        DonationStatus.ABANDONED: "abandoned",
    }.get(DonationStatus(gift.status), "confirmed")
    return {"state": state, "monthly": False}


@require_GET
def cancelled(request: HttpRequest) -> HttpResponse:
    campaign = selectors.public_campaign(request.GET.get("campaign", "")[:100])
    return render(request, "donations/cancelled.html", {"campaign": campaign})


@require_http_methods(["GET", "POST"])
def test_checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    """Offline test mode's stand-in for Stripe Checkout: pay or decline, nothing is charged.

    Posting builds the events Stripe would send and has a task post them, signed, to our own
    webhook endpoint (so a single-threaded server never waits on itself); the ledger then
    records the gift exactly as it would a real one. 404 whenever Stripe is configured.
    """
    if not offline_mode() or not session_id.startswith(OFFLINE_SESSION_PREFIX):
        raise Http404("There is no test checkout when Stripe is configured")
    gift = selectors.gift_status_by_session(session_id)
    if gift is None:
        raise Http404("No gift waits for this test checkout")
    thanks_url = f"{reverse('donations:donate_thanks')}?{urlencode({'session_id': session_id})}"
    waiting = _status_context(gift)["state"] == "waiting" and not _linked(gift)
    if request.method == "POST":
        choice = request.POST.get("scenario", "")
        scenario: OfflineScenario
        if choice == "paid":
            scenario = "paid"
        elif choice == "declined":
            scenario = "declined"
        elif choice == "abandoned":
            scenario = "abandoned"
        else:
            messages.error(request, gettext("Choose one of the test outcomes."))
            return redirect(request.path)
        if not waiting:
            messages.info(request, gettext("This test checkout was already completed."))
            return redirect(thanks_url)
        try:
            events = offline_checkout_events(session_id=session_id, scenario=scenario)
        except LookupError:
            raise Http404("No gift waits for this test checkout") from None
        enqueue_on_commit(
            post_offline_events,
            webhook_url=_own_webhook_url(request),
            events=fixed_event_ids(session_id, events),
        )
        return redirect(thanks_url)
    context = {
        "gift": gift,
        "monthly": isinstance(gift, RecurringGift),
        "waiting": waiting,
        "thanks_url": thanks_url,
    }
    return render(request, "donations/test_checkout.html", context)


def _linked(gift: Donation | RecurringGift) -> bool:
    """A webhook has already tied the gift to a payment or subscription."""
    if isinstance(gift, Donation):
        return bool(gift.payment_intent_id or gift.failed_at or gift.paid_at)
    return bool(gift.stripe_subscription_id)


def _own_webhook_url(request: HttpRequest) -> str:
    """Our webhook endpoint on this machine: the address the donor used if it is a loopback
    one, else the server's own port on 127.0.0.1."""
    path = reverse("donations:stripe_webhook")
    url = request.build_absolute_uri(path)
    if is_loopback_url(url):
        return url
    return f"http://127.0.0.1:{request.META.get('SERVER_PORT') or '8000'}{path}"
