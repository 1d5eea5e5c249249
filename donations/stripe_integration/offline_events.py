"""Stripe events as the pinned API version sends them: built here, signed here.

Two users: the offline test checkout (no ``STRIPE_SECRET_KEY``), which plays Stripe's part by
building the events a real checkout would cause and posting them, signed, to our own webhook
endpoint; and the tests, which drive the real webhook path with the same shapes.

Shapes follow the Stripe API reference for ``STRIPE_API_VERSION`` (2026-10-28.endive): an
invoice names its subscription under ``parent.subscription_details`` and its payment intents
under ``payments``; a subscription's billing period lives on its items; a charge does not
name its invoice.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any, Literal

import stripe

from donations.models import Donation, RecurringGift
from donations.stripe_integration.client import STRIPE_API_VERSION

JSON = dict[str, Any]
OfflineScenario = Literal["paid", "declined", "abandoned"]
OFFLINE_SESSION_PREFIX = "cs_test_offline_"
MONTH_SECONDS = 30 * 24 * 3600


def new_id(prefix: str) -> str:
    """A fresh Stripe-looking id, e.g. ``pi_test_3f9a...``."""
    return f"{prefix}_test_{secrets.token_hex(12)}"


def build_event(
    event_type: str, obj: JSON, *, created: int | None = None, event_id: str | None = None
) -> JSON:
    """An event wrapping ``obj``, as delivered to a webhook endpoint."""
    return {
        "id": event_id or new_id("evt"),
        "object": "event",
        "api_version": STRIPE_API_VERSION,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def sign_payload(payload: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send with ``payload``."""
    header: str = stripe.WebhookSignature.generate_signature_header(
        payload.decode("utf-8"), secret, timestamp
    )
    return header


def encode(event: JSON) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


def checkout_session(
    *,
    session_id: str,
    mode: Literal["payment", "subscription"],
    amount_minor: int,
    currency: str,
    email: str,
    name: str,
    metadata: dict[str, str],
    payment_status: Literal["paid", "unpaid"] = "paid",
    customer: str | None = None,
    payment_intent: str | None = None,
    subscription: str | None = None,
    invoice: str | None = None,
    created: int | None = None,
    status: Literal["complete", "expired"] = "complete",
) -> JSON:
    return {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount_minor,
        "amount_total": amount_minor,
        "created": int(time.time()) if created is None else created,
        "currency": currency.lower(),
        "customer": customer,
        "customer_details": {
            "address": None,
            "email": email,
            "name": name,
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        },
        "customer_email": email,
        "invoice": invoice,
        "livemode": False,
        "metadata": dict(metadata),
        "mode": mode,
        "payment_intent": payment_intent,
        "payment_status": payment_status,
        "status": status,
        "submit_type": "donate" if mode == "payment" else None,
        "subscription": subscription,
    }


def invoice(
    *,
    invoice_id: str,
    subscription: str,
    customer: str,
    amount_minor: int,
    currency: str,
    metadata: dict[str, str],
    paid: bool,
    payment_intent: str,
    created: int,
    billing_reason: str = "subscription_cycle",
) -> JSON:
    """An invoice of a subscription, paid or with its payment failed (still open)."""
    return {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": amount_minor,
        "amount_paid": amount_minor if paid else 0,
        "amount_remaining": 0 if paid else amount_minor,
        "attempt_count": 1,
        "billing_reason": billing_reason,
        "collection_method": "charge_automatically",
        "created": created,
        "currency": currency.lower(),
        "customer": customer,
        "livemode": False,
        "metadata": {},
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "metadata": dict(metadata),
                "subscription": subscription,
            },
        },
        "payments": {
            "object": "list",
            "data": [
                {
                    "id": new_id("inpay"),
                    "object": "invoice_payment",
                    "amount_paid": amount_minor if paid else None,
                    "amount_requested": amount_minor,
                    "created": created,
                    "currency": currency.lower(),
                    "invoice": invoice_id,
                    "is_default": True,
                    "livemode": False,
                    "payment": {"type": "payment_intent", "payment_intent": payment_intent},
                    "status": "paid" if paid else "open",
                    "status_transitions": {
                        "canceled_at": None,
                        "paid_at": created if paid else None,
                    },
                }
            ],
            "has_more": False,
            "url": f"/v1/invoice_payments?invoice={invoice_id}",
        },
        "period_end": created,
        "period_start": created - MONTH_SECONDS,
        "status": "paid" if paid else "open",
        "status_transitions": {
            "finalized_at": created,
            "paid_at": created if paid else None,
        },
        "total": amount_minor,
    }


def subscription(
    *,
    subscription_id: str,
    customer: str,
    status: str,
    amount_minor: int,
    currency: str,
    metadata: dict[str, str],
    current_period_end: int,
    interval: str = "month",
    canceled_at: int | None = None,
) -> JSON:
    period_start = current_period_end - MONTH_SECONDS
    return {
        "id": subscription_id,
        "object": "subscription",
        "cancel_at_period_end": False,
        "canceled_at": canceled_at,
        "collection_method": "charge_automatically",
        "currency": currency.lower(),
        "customer": customer,
        "ended_at": canceled_at,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": new_id("si"),
                    "object": "subscription_item",
                    "current_period_end": current_period_end,
                    "current_period_start": period_start,
                    "price": {
                        "id": new_id("price"),
                        "object": "price",
                        "currency": currency.lower(),
                        "recurring": {"interval": interval, "interval_count": 1},
                        "type": "recurring",
                        "unit_amount": amount_minor,
                    },
                    "quantity": 1,
                    "subscription": subscription_id,
                }
            ],
            "has_more": False,
        },
        "livemode": False,
        "metadata": dict(metadata),
        "status": status,
    }


def charge(
    *,
    charge_id: str,
    payment_intent: str,
    amount_minor: int,
    currency: str,
    amount_refunded: int,
    created: int,
) -> JSON:
    return {
        "id": charge_id,
        "object": "charge",
        "amount": amount_minor,
        "amount_captured": amount_minor,
        "amount_refunded": amount_refunded,
        "captured": True,
        "created": created,
        "currency": currency.lower(),
        "disputed": False,
        "livemode": False,
        "metadata": {},
        "paid": True,
        "payment_intent": payment_intent,
        "refunded": amount_refunded >= amount_minor,
        "status": "succeeded",
    }


def dispute(
    *,
    dispute_id: str,
    charge_id: str,
    payment_intent: str,
    amount_minor: int,
    currency: str,
    status: str,
    created: int,
) -> JSON:
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": amount_minor,
        "charge": charge_id,
        "created": created,
        "currency": currency.lower(),
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": "fraudulent",
        "status": status,
    }


def _expired_session(session_id: str, one_time: Donation | None, now: int) -> JSON:
    """``checkout.session.expired`` for the one-time gift, else the monthly gift, of the session."""
    gift: Donation | RecurringGift | None = one_time
    if gift is None:
        gift = (
            RecurringGift.objects.select_related("donor")
            .filter(checkout_session_id=session_id)
            .first()
        )
    if gift is None:
        raise LookupError(session_id)
    key = "donation_id" if isinstance(gift, Donation) else "recurring_gift_id"
    session = checkout_session(
        session_id=session_id,
        mode="payment" if isinstance(gift, Donation) else "subscription",
        amount_minor=gift.amount_minor,
        currency=gift.currency,
        email=gift.donor.email,
        name=gift.donor.name,
        metadata={key: str(gift.pk)},
        payment_status="unpaid",
        created=now,
        status="expired",
    )
    return build_event("checkout.session.expired", session, created=now + 1)


def offline_checkout_events(*, session_id: str, scenario: OfflineScenario) -> list[JSON]:
    """The events Stripe would send after the donor finishes the checkout ``session_id``.

    One-time, paid: ``checkout.session.completed`` (paid). One-time, declined: the session
    completes unpaid and ``checkout.session.async_payment_failed`` follows. Monthly, paid:
    the session, the subscription and its first paid invoice. Monthly, declined: the first
    invoice's payment fails and the subscription is past due. Abandoned (one-time or
    monthly): ``checkout.session.expired``, as Stripe sends when the donor never finishes.
    Raises ``LookupError`` when no pending gift has that offline session id.
    """
    if not session_id.startswith(OFFLINE_SESSION_PREFIX):
        raise LookupError(session_id)
    now = int(time.time())
    donation = Donation.objects.select_related("donor").filter(checkout_session_id=session_id)
    one_time = donation.first()
    if scenario == "abandoned":
        return [_expired_session(session_id, one_time, now)]
    if one_time is not None:
        metadata = {"donation_id": str(one_time.pk)}
        intent = new_id("pi")
        paid = scenario == "paid"
        session = checkout_session(
            session_id=session_id,
            mode="payment",
            amount_minor=one_time.amount_minor,
            currency=one_time.currency,
            email=one_time.donor.email,
            name=one_time.donor.name,
            metadata=metadata,
            payment_status="paid" if paid else "unpaid",
            customer=new_id("cus"),
            payment_intent=intent,
            created=now,
        )
        events = [build_event("checkout.session.completed", session, created=now)]
        if not paid:
            events.append(
                build_event("checkout.session.async_payment_failed", session, created=now + 1)
            )
        return events
    gift = (
        RecurringGift.objects.select_related("donor").filter(checkout_session_id=session_id).first()
    )
    if gift is None:
        raise LookupError(session_id)
    metadata = {"recurring_gift_id": str(gift.pk)}
    customer = new_id("cus")
    sub_id = new_id("sub")
    invoice_id = new_id("in")
    paid = scenario == "paid"
    session = checkout_session(
        session_id=session_id,
        mode="subscription",
        amount_minor=gift.amount_minor,
        currency=gift.currency,
        email=gift.donor.email,
        name=gift.donor.name,
        metadata=metadata,
        payment_status="paid" if paid else "unpaid",
        customer=customer,
        subscription=sub_id,
        invoice=invoice_id,
        created=now,
    )
    sub = subscription(
        subscription_id=sub_id,
        customer=customer,
        status="active" if paid else "past_due",
        amount_minor=gift.amount_minor,
        currency=gift.currency,
        metadata=metadata,
        current_period_end=now + MONTH_SECONDS,
    )
    first_invoice = invoice(
        invoice_id=invoice_id,
        subscription=sub_id,
        customer=customer,
        amount_minor=gift.amount_minor,
        currency=gift.currency,
        metadata=metadata,
        paid=paid,
        payment_intent=new_id("pi"),
        created=now,
        billing_reason="subscription_create",
    )
    return [
        build_event("checkout.session.completed", session, created=now),
        build_event("customer.subscription.updated", sub, created=now),
        build_event(
            "invoice.paid" if paid else "invoice.payment_failed", first_invoice, created=now
        ),
    ]
