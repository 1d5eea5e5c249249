"""Reading Stripe's event payloads: ids, times, amounts and metadata, checked, and the two
outcomes a handler can raise besides success (``Deferred``, ``PermanentEventError``).

The ledger's handlers read every field through these, so a field that is missing, of the
wrong type or impossible is handled one way: ignored where Stripe may leave it out, a
``PermanentEventError`` where no retry could make the event apply. Knows no ledger row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from donations.models import StripeEvent
from donations.money import LARGEST_STRIPE_MINOR

JSON = dict[str, Any]


class Deferred(Exception):
    """The event refers to a payment we have not linked yet; it waits for it."""

    def __init__(self, payment_intent_id: str) -> None:
        super().__init__(f"waiting for payment intent {payment_intent_id}")
        self.payment_intent_id = payment_intent_id


class PermanentEventError(Exception):
    """The event can never be applied (e.g. it names a record that does not exist).

    Recorded as failed for a coordinator to look at, but answered with 200: Stripe's
    retries would not change anything.
    """


def timestamp(value: object) -> datetime | None:
    if type(value) is not int:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def event_time(event: StripeEvent) -> datetime:
    return event.stripe_created or timestamp(event.payload.get("created")) or timezone.now()


def earliest(current: datetime | None, new: datetime) -> datetime:
    return new if current is None or new < current else current


def stripe_id(value: object) -> str:
    """A Stripe id from a field that may hold the id or the expanded object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return ""


def event_object(event: StripeEvent) -> JSON:
    data = event.payload.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise PermanentEventError("the event has no data.object")
    return obj


def amount_field(obj: JSON, field: str) -> int | None:
    """An amount in minor units from ``obj[field]``; None when absent or not a whole number.

    An amount no payment can have (negative, or more than Stripe's largest) makes the event a
    permanent failure: it would fail the same way on every retry (``bigint out of range``).
    """
    value = obj.get(field)
    if type(value) is not int:
        return None
    if not 0 <= value <= LARGEST_STRIPE_MINOR:
        raise PermanentEventError(f"{field} {value} is not an amount Stripe can charge")
    return value


def metadata_pk(metadata: object, key: str) -> int | None:
    if not isinstance(metadata, dict):
        return None
    value = metadata.get(key)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def invoice_payment_intent(invoice: JSON) -> str:
    """The payment intent that paid (or tried to pay) the invoice, from its payments."""
    payments = invoice.get("payments")
    rows = payments.get("data") if isinstance(payments, dict) else None
    if not isinstance(rows, list):
        return ""
    chosen = ""
    for row in rows:
        payment = row.get("payment") if isinstance(row, dict) else None
        if not isinstance(payment, dict) or payment.get("type") != "payment_intent":
            continue
        intent = stripe_id(payment.get("payment_intent"))
        if intent and (row.get("status") == "paid" or not chosen):
            chosen = intent
    return chosen


def subscription_amount(sub: JSON) -> tuple[int, str] | None:
    """(each instalment in minor units, currency code) of a subscription: its items' prices
    times their quantities. None when an item has no whole amount (a metered or tiered
    price, or a payload without items): then the amount we keep stays as it is."""
    items = sub.get("items")
    rows = items.get("data") if isinstance(items, dict) else None
    if not isinstance(rows, list) or not rows:
        return None
    total, currencies = 0, set()
    for row in rows:
        price = row.get("price") if isinstance(row, dict) else None
        if not isinstance(price, dict):
            return None
        unit = amount_field(price, "unit_amount")
        quantity = row.get("quantity", 1)
        if unit is None or type(quantity) is not int or quantity < 1:
            return None
        total += unit * quantity
        currencies.add(str(price.get("currency") or "").upper())
    if len(currencies) != 1 or total <= 0 or total > LARGEST_STRIPE_MINOR:
        return None
    return total, currencies.pop()
