"""Reading Stripe event payloads: ids, times, metadata, and the two outcomes a handler can
raise besides success (``Deferred``, ``PermanentEventError``). Shared by the ledger's
handlers; knows no ledger row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from donations.models import StripeEvent

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
