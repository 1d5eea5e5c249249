"""The one place that talks to Stripe: the configured SDK client and the requests we make.

Every call goes through ``get_client()``, a ``stripe.StripeClient`` built from settings:

* the secret key ``STRIPE_SECRET_KEY`` (without it the app runs in offline test mode and must
  not call this module; ``get_client`` refuses);
* the API version pinned to ``STRIPE_API_VERSION``, the version the installed SDK was
  generated for, so request and webhook shapes match the SDK's types. Upgrading the SDK
  moves the pin: read Stripe's changelog and update handlers and fixtures with it;
* ``STRIPE_API_BASE``, when set, as the base address of every Stripe API (tests point it
  at a local stub); empty means Stripe's own;
* at most ``MAX_NETWORK_RETRIES`` retries of a failed request. A create is always sent with
  an idempotency key, so a retry (the SDK's or a donor resubmitting the form) never makes a
  second object.

Errors from Stripe become ``StripeUnavailable``, whose message may be shown to a donor; the
Stripe error is its ``__cause__``. Logs name the error class, HTTP status, code and Stripe's
request id, never the error text (it can echo what was sent) nor the key.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext
from stripe._api_version import _ApiVersion

from donations.money import Money

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses
    from stripe.params.checkout import SessionCreateParams, SessionCreateParamsLineItemPriceData

logger = logging.getLogger(__name__)

# The API version the installed SDK was generated for (stripe/_api_version.py).
STRIPE_API_VERSION: Final[str] = _ApiVersion.CURRENT
MAX_NETWORK_RETRIES: Final = 2
# Seconds to connect and to wait for an answer: a donor is waiting on the page.
HTTP_TIMEOUT: Final = (5.0, 20.0)

GiftFrequency = Literal["once", "monthly"]


class StripeUnavailable(Exception):
    """Stripe refused or could not be reached; ``str()`` is safe to show a donor."""

    def __init__(self) -> None:
        super().__init__(
            gettext("The payment page could not be opened. Please try again in a minute.")
        )

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    """The part of a created Checkout Session we keep: its id and where to send the donor."""

    id: str
    url: str


def is_configured() -> bool:
    """True when a Stripe secret key is set (otherwise the app runs in offline test mode)."""
    return bool(settings.STRIPE_SECRET_KEY)


def get_client() -> stripe.StripeClient:
    """The configured client for the current settings (one per key and base, reused)."""
    if not settings.STRIPE_SECRET_KEY:
        raise ImproperlyConfigured(
            "STRIPE_SECRET_KEY is not set: the app is in offline test mode, "
            "which must not call Stripe."
        )
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


@functools.lru_cache(maxsize=4)
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    base_addresses: BaseAddresses | None = None
    if api_base:
        base_addresses = {
            "api": api_base,
            "connect": api_base,
            "files": api_base,
            "meter_events": api_base,
        }
    return stripe.StripeClient(
        api_key,
        stripe_version=STRIPE_API_VERSION,
        base_addresses=base_addresses,
        max_network_retries=MAX_NETWORK_RETRIES,
        # Thread-safe: the SDK keeps one requests session per thread.
        http_client=stripe.RequestsClient(timeout=HTTP_TIMEOUT),
    )


def checkout_for_gift(
    *,
    amount: Money,
    frequency: GiftFrequency,
    product_name: str,
    customer_email: str,
    success_url: str,
    cancel_url: str,
    metadata: Mapping[str, str],
    idempotency_key: str,
) -> CheckoutSession:
    """Create a Checkout Session for a one-time or monthly gift of ``amount``.

    ``metadata`` (our record ids) is set on the session and on the payment intent (one-time)
    or the subscription (monthly), so every later webhook links back to our records.
    ``idempotency_key`` must come from our pending record, so that a retried submission gets
    the same session instead of a second one. The amount must already have passed
    ``money.check_minimum``. Raises ``StripeUnavailable`` when Stripe fails.
    """
    if not idempotency_key:
        raise ValueError("an idempotency key is required for every create")
    if frequency not in ("once", "monthly"):
        raise ValueError(f"unknown gift frequency {frequency!r}")
    our_metadata = dict(metadata)
    price_data: SessionCreateParamsLineItemPriceData = {
        "currency": amount.stripe_currency,
        "unit_amount": amount.minor,
        "product_data": {"name": product_name},
    }
    params: SessionCreateParams = {
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "customer_email": customer_email,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": our_metadata,
    }
    if frequency == "monthly":
        price_data["recurring"] = {"interval": "month"}
        params["mode"] = "subscription"
        params["subscription_data"] = {"metadata": our_metadata}
    else:
        params["mode"] = "payment"
        params["submit_type"] = "donate"
        params["payment_intent_data"] = {"metadata": our_metadata}

    try:
        session = get_client().v1.checkout.sessions.create(
            params, {"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as exc:
        _log_stripe_error("checkout session create", exc, idempotency_key)
        raise StripeUnavailable() from exc
    if not session.url:
        # Only embedded or custom UI sessions come without one; we never ask for those.
        logger.error("Stripe returned checkout session %s without a url", session.id)
        raise StripeUnavailable()
    return CheckoutSession(id=session.id, url=session.url)


def _log_stripe_error(action: str, exc: stripe.StripeError, idempotency_key: str) -> None:
    logger.warning(
        "Stripe %s failed: %s (status %s, code %s, request %s, idempotency key %s)",
        action,
        type(exc).__name__,
        exc.http_status,
        exc.code,
        exc.request_id,
        idempotency_key,
    )


def billing_portal_url(*, customer_id: str, return_url: str) -> str:
    """A fresh Stripe Billing Portal session for ``customer_id``: where a donor updates a card.

    Sessions are short-lived, so links in e-mails point at our page, which calls this on
    each click. Raises ``StripeUnavailable`` when Stripe fails.
    """
    if not customer_id:
        raise ValueError("a Stripe customer id is required")
    try:
        session = get_client().v1.billing_portal.sessions.create(
            {"customer": customer_id, "return_url": return_url}
        )
    except stripe.StripeError as exc:
        _log_stripe_error("billing portal session create", exc, "")
        raise StripeUnavailable() from exc
    return str(session.url)


@dataclass(frozen=True, slots=True)
class CancelledSubscription:
    """What Stripe said about a subscription we asked it to cancel."""

    id: str
    status: str
    canceled_at: int | None


def cancel_subscription(*, subscription_id: str, idempotency_key: str) -> CancelledSubscription:
    """Cancel a subscription at once (no proration, no final invoice).

    ``idempotency_key`` must come from our record (e.g. ``cancel-recurring-<pk>``), so a
    double click or a retry sends the same request and gets the same answer. A subscription
    that Stripe has already cancelled (say, from its dashboard) is not an error: its current
    state is returned. Raises ``StripeUnavailable`` when Stripe fails.
    """
    if not subscription_id:
        raise ValueError("a Stripe subscription id is required")
    if not idempotency_key:
        raise ValueError("an idempotency key is required")
    client = get_client()
    try:
        sub = client.v1.subscriptions.cancel(
            subscription_id, options={"idempotency_key": idempotency_key}
        )
    except stripe.InvalidRequestError as exc:
        # Cancelling a cancelled subscription is refused; ask what it is now.
        try:
            sub = client.v1.subscriptions.retrieve(subscription_id)
        except stripe.StripeError as again:
            _log_stripe_error("subscription retrieve", again, idempotency_key)
            raise StripeUnavailable() from exc
        if sub.status not in ("canceled", "incomplete_expired"):
            _log_stripe_error("subscription cancel", exc, idempotency_key)
            raise StripeUnavailable() from exc
    except stripe.StripeError as exc:
        _log_stripe_error("subscription cancel", exc, idempotency_key)
        raise StripeUnavailable() from exc
    return CancelledSubscription(
        id=str(sub.id), status=str(sub.status), canceled_at=sub.canceled_at
    )


def fetch_subscription(subscription_id: str) -> dict[str, Any] | None:
    """The subscription as Stripe has it now, or None in offline test mode."""
    if not is_configured() or not subscription_id:
        return None
    found = get_client().v1.subscriptions.retrieve(subscription_id)
    return found.to_dict()


def fetch_invoice_with_payments(invoice_id: str) -> dict[str, Any] | None:
    """The invoice with its payments list, or None in offline test mode."""
    if not is_configured() or not invoice_id:
        return None
    found = get_client().v1.invoices.retrieve(invoice_id, {"expand": ["payments"]})
    return found.to_dict()


@dataclass(frozen=True, slots=True)
class UpdatedSubscription:
    """A subscription as Stripe answered our update: its id, status and whole state."""

    id: str
    status: str
    data: dict[str, Any]


def update_subscription_amount(
    *, subscription_id: str, amount: Money, interval: str, idempotency_key: str
) -> UpdatedSubscription:
    """Charge ``amount`` a month (or a year: ``interval``) from the next invoice on.

    The subscription's one item gets a new inline price for the same product
    (``price_data``), with ``proration_behavior=none``: nothing is charged or credited
    today, the next invoice is for the new amount. ``idempotency_key`` must name this
    change (the gift, its state and the new amount), so a double click sends one request.
    Raises ``StripeUnavailable`` when Stripe fails or the subscription is not one item.
    """
    if not subscription_id:
        raise ValueError("a Stripe subscription id is required")
    if not idempotency_key:
        raise ValueError("an idempotency key is required")
    client = get_client()
    try:
        current = client.v1.subscriptions.retrieve(subscription_id).to_dict()
        items = current.get("items", {}).get("data", [])
        if len(items) != 1:
            logger.error("subscription %s has %d items, not one", subscription_id, len(items))
            raise StripeUnavailable()
        item = items[0]
        product = item["price"]["product"]
        product_id = product if isinstance(product, str) else product["id"]
        sub = client.v1.subscriptions.update(
            subscription_id,
            {
                "items": [
                    {
                        "id": item["id"],
                        "price_data": {
                            "currency": amount.stripe_currency,
                            "product": product_id,
                            "unit_amount": amount.minor,
                            "recurring": {"interval": "year" if interval == "year" else "month"},
                        },
                        "quantity": 1,
                    }
                ],
                "proration_behavior": "none",
            },
            {"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as exc:
        _log_stripe_error("subscription update", exc, idempotency_key)
        raise StripeUnavailable() from exc
    except (KeyError, TypeError) as exc:
        logger.error("subscription %s came back without a price we can read", subscription_id)
        raise StripeUnavailable() from exc
    return UpdatedSubscription(id=str(sub.id), status=str(sub.status), data=sub.to_dict())


def erase_customer(*, customer_id: str, idempotency_key: str) -> None:
    """Remove what names a person from a Stripe customer: name, e-mail, phone, address,
    shipping, description, invoice custom fields and every metadata key.

    The customer itself is kept, not deleted: its id stays valid for the charges, invoices
    and subscriptions our gifts point at, so refunds, disputes and the reconciliation keep
    working, and Stripe keeps its payment records as the law requires of it (the invoices
    it already finalised keep their own copy of the name, as our receipts keep amounts and
    numbers). A customer already deleted at Stripe holds nothing more: not an error.
    Raises ``StripeUnavailable`` when Stripe fails.
    """
    if not customer_id:
        raise ValueError("a Stripe customer id is required")
    try:
        get_client().v1.customers.update(
            customer_id,
            {
                "name": "",
                "email": "",
                "phone": "",
                "description": "",
                "address": "",
                "shipping": "",
                "metadata": "",
                "invoice_settings": {"custom_fields": ""},
            },
            {"idempotency_key": idempotency_key},
        )
    except stripe.InvalidRequestError as exc:
        if exc.code == "resource_missing":
            return
        _log_stripe_error("customer erase", exc, idempotency_key)
        raise StripeUnavailable() from exc
    except stripe.StripeError as exc:
        _log_stripe_error("customer erase", exc, idempotency_key)
        raise StripeUnavailable() from exc
