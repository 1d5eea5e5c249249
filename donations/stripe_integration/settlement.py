"""Fees, net and settlement of card gifts, from Stripe's balance transactions.

Where the figures come from:

* the payment: the charge's balance transaction, fetched once when the payment is recorded
  (``fetch_charge_settlement``: the payment intent with ``latest_charge.balance_transaction``
  expanded) unless the gift already has it;
* refunds: each refund's balance transaction (``fetch_refund_settlements``: the charge's
  refunds with their balance transactions expanded), or those expanded in the event;
* disputes: the dispute object itself lists its balance transactions (the amount withdrawn
  and the dispute fee; when won, the money and fee given back), so they are read from the
  event.

``record_balance_transactions`` keeps each once (unique Stripe id) and sets the gift's
settled gross, fee and net to the sums over all of them, so any order and any number of
deliveries give the same figures. A fetch that fails leaves the gift without figures rather
than failing the event: ``settle_missing`` (``manage.py fetch_settlements``, nightly) fills
them in later. Amounts are Stripe's integers in the settlement currency: nothing here
converts or rounds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import stripe
from django.db import transaction
from django.db.models import Sum

from donations.models import CARD_SOURCES, BalanceTransaction, Donation, SettlementKind
from donations.money import MoneyError, normalize_currency
from donations.selectors.gifts import COUNTED_STATUSES
from donations.stripe_integration import client as stripe_client

logger = logging.getLogger(__name__)

JSON = dict[str, Any]

# Stripe's reporting categories (and, failing that, types) to our kinds.
KINDS: Final = {
    "charge": SettlementKind.CHARGE,
    "payment": SettlementKind.CHARGE,
    "refund": SettlementKind.REFUND,
    "payment_refund": SettlementKind.REFUND,
    "refund_failure": SettlementKind.REFUND,
    "dispute": SettlementKind.DISPUTE,
    "dispute_reversal": SettlementKind.DISPUTE,
}
# Far beyond any real gift, well inside a bigint: an absurd figure is refused, not stored.
LIMIT: Final = 10**15


class BadBalanceTransaction(ValueError):
    """A balance transaction whose figures cannot be right (recorded as a permanent failure)."""


def _int(obj: JSON, key: str) -> int:
    value = obj.get(key)
    if type(value) is not int or abs(value) >= LIMIT:
        raise BadBalanceTransaction(f"balance transaction {obj.get('id')}: bad {key}")
    return value


def _rate(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        return None
    return rate if rate.is_finite() and 0 < rate < 10**12 else None


def _source_id(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return ""


def parse_balance_transaction(obj: object) -> JSON | None:
    """The fields we keep from an expanded balance transaction; None for a bare id or null."""
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"]:
        return None
    amount, fee, net = _int(obj, "amount"), _int(obj, "fee"), _int(obj, "net")
    if net != amount - fee:
        raise BadBalanceTransaction(f"balance transaction {obj['id']}: net is not amount - fee")
    try:
        currency = normalize_currency(str(obj.get("currency") or ""))
    except MoneyError:
        raise BadBalanceTransaction(f"balance transaction {obj['id']}: bad currency") from None
    category = str(obj.get("reporting_category") or obj.get("type") or "")
    created = obj.get("created")
    return {
        "stripe_id": obj["id"][:255],
        "kind": KINDS.get(category, SettlementKind.OTHER),
        "source_id": _source_id(obj.get("source"))[:255],
        "amount_minor": amount,
        "fee_minor": fee,
        "net_minor": net,
        "currency": currency,
        "exchange_rate": _rate(obj.get("exchange_rate")),
        "stripe_created": datetime.fromtimestamp(created, tz=UTC)
        if type(created) is int and 0 < created < 2**40
        else None,
    }


def record_balance_transactions(*, donation: Donation, objects: Iterable[object]) -> int:
    """Keep the balance transactions among ``objects`` for ``donation``; how many were new.

    The caller holds the donation's row lock. The gift's settled figures become the sums over
    all its balance transactions (saved on ``donation`` without saving it: the caller saves).
    Raises ``BadBalanceTransaction`` for figures that cannot be right, or for balance
    transactions in two currencies (one Stripe account settles a charge in one).
    """
    added = 0
    for obj in objects:
        fields = parse_balance_transaction(obj)
        if fields is None:
            continue
        existing = BalanceTransaction.objects.filter(stripe_id=fields["stripe_id"]).first()
        if existing is not None:
            if existing.donation_id != donation.pk:
                raise BadBalanceTransaction(
                    f"balance transaction {existing.stripe_id} belongs to another gift"
                )
            continue
        BalanceTransaction.objects.create(donation=donation, **fields)
        added += 1
    sums = donation.balance_transactions.values("currency").annotate(
        gross=Sum("amount_minor"), fee=Sum("fee_minor"), net=Sum("net_minor")
    )
    rows = list(sums.order_by("currency"))
    if len(rows) > 1:
        raise BadBalanceTransaction(f"gift {donation.pk} settled in two currencies")
    if rows:
        donation.settlement_currency = rows[0]["currency"]
        donation.settled_gross_minor = int(rows[0]["gross"])
        donation.settled_fee_minor = int(rows[0]["fee"])
        donation.settled_net_minor = int(rows[0]["net"])
    return added


def settle_gift(donation: Donation, objects: list[object]) -> None:
    """Record the balance transactions in ``objects`` on ``donation`` (locked, saved later).

    For the ledger's handlers: figures that cannot be right are logged and left out (in a
    savepoint), and the gift itself is still recorded.
    """
    if not any(isinstance(obj, dict) for obj in objects):
        return
    try:
        with transaction.atomic():
            record_balance_transactions(donation=donation, objects=objects)
    except BadBalanceTransaction as exc:
        logger.warning("gift %s: settlement left out: %s", donation.pk, exc)


def fetch_payment_settlement(payment_intent_id: str) -> tuple[str, JSON | None]:
    """The charge and its balance transaction, asked for once per payment (before locks)."""
    if not payment_intent_id or has_charge_settlement(payment_intent_id=payment_intent_id):
        return "", None
    return fetch_charge_settlement(payment_intent_id)


def has_charge_settlement(*, payment_intent_id: str) -> bool:
    """Whether the gift of ``payment_intent_id`` already has its payment's figures."""
    return BalanceTransaction.objects.filter(
        donation__payment_intent_id=payment_intent_id, kind=SettlementKind.CHARGE
    ).exists()


def _log_failure(action: str, exc: stripe.StripeError) -> None:
    logger.warning(
        "Stripe %s failed: %s (status %s, code %s, request %s); the gift's fee is fetched later",
        action,
        type(exc).__name__,
        exc.http_status,
        exc.code,
        exc.request_id,
    )


def fetch_charge_settlement(payment_intent_id: str) -> tuple[str, JSON | None]:
    """(charge id, its expanded balance transaction) of a paid payment intent.

    ("", None) in offline test mode, for an intent without a charge, or when Stripe fails.
    """
    if not stripe_client.is_configured() or not payment_intent_id:
        return "", None
    try:
        intent = stripe_client.get_client().v1.payment_intents.retrieve(
            payment_intent_id, {"expand": ["latest_charge.balance_transaction"]}
        )
    except stripe.StripeError as exc:
        _log_failure("payment intent retrieve", exc)
        return "", None
    charge = intent.to_dict().get("latest_charge")
    if not isinstance(charge, dict):
        return _source_id(charge), None
    bt = charge.get("balance_transaction")
    return _source_id(charge.get("id")), bt if isinstance(bt, dict) else None


def fetch_balance_transaction(bt_id: str) -> JSON | None:
    """One balance transaction by id (None offline or on failure)."""
    if not stripe_client.is_configured() or not bt_id:
        return None
    try:
        found = stripe_client.get_client().v1.balance_transactions.retrieve(bt_id)
    except stripe.StripeError as exc:
        _log_failure("balance transaction retrieve", exc)
        return None
    return found.to_dict()


def fetch_refund_settlements(charge_id: str) -> list[JSON]:
    """The balance transactions of every refund of ``charge_id`` ([] offline or on failure)."""
    if not stripe_client.is_configured() or not charge_id:
        return []
    found: list[JSON] = []
    try:
        refunds = stripe_client.get_client().v1.refunds.list(
            {"charge": charge_id, "limit": 100, "expand": ["data.balance_transaction"]}
        )
        for refund in refunds.auto_paging_iter():
            bt = refund.to_dict().get("balance_transaction")
            if isinstance(bt, dict):
                found.append(bt)
    except stripe.StripeError as exc:
        _log_failure("refund list", exc)
        return []
    return found


def refunds_in(charge: JSON) -> list[object]:
    """Balance transactions of the refunds expanded in a charge object (an event's)."""
    refunds = charge.get("refunds")
    rows = refunds.get("data") if isinstance(refunds, dict) else None
    if not isinstance(rows, list):
        return []
    return [row.get("balance_transaction") for row in rows if isinstance(row, dict)]


def settle_missing(*, limit: int = 500) -> int:
    """Fetch the figures of paid card gifts that have none yet; how many got them.

    For gifts recorded while Stripe could not be asked, or before fees were recorded.
    Each gift in its own transaction, under its row lock.
    """
    pending = (
        Donation.objects.filter(
            source__in=CARD_SOURCES,
            status__in=COUNTED_STATUSES,
            settlement_currency="",
        )
        .exclude(payment_intent_id="")
        .order_by("pk")
        .values_list("pk", "payment_intent_id")[:limit]
    )
    settled = 0
    for pk, payment_intent_id in list(pending):
        charge_id, bt = fetch_charge_settlement(payment_intent_id)
        refunds = fetch_refund_settlements(charge_id)
        if bt is None:
            continue
        with transaction.atomic():
            donation = Donation.objects.select_for_update(of=("self",)).get(pk=pk)
            if charge_id and not donation.charge_id:
                donation.charge_id = charge_id
            record_balance_transactions(donation=donation, objects=[bt, *refunds])
            donation.save()
        settled += 1
    return settled
