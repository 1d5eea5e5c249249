"""Objects that disagree: Stripe's charges and subscriptions against our ledger.

Part of the nightly reconciliation (after the missed events are applied). It reads
Stripe's charges of the last ``days`` days (each with its balance transaction) and every
subscription, takes those our ledger knows (a gift by its charge or payment intent, a
monthly gift by its subscription) and compares:

* a charge: its amount and currency, the amount refunded, its state (paid, refunded in
  part or in full, failed, pending, disputed) and Stripe's fee on it against the gift's
  amount, ``refunded_minor``, status and the fee of the same balance transaction we keep;
* a subscription: its status and each instalment's amount against the monthly gift's.

Each object that disagrees gets one ``StripeDisagreement`` row saying what differs (ours
and Stripe's value, amounts in minor units of the difference's currency); an object that
agrees again loses its row. Stripe objects our ledger does not know are not listed here:
the import and the deferred-event list cover them. Reads only: nothing in the ledger is
changed (the administrator decides, e.g. by re-processing an event).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from donations.models import (
    BalanceTransaction,
    Donation,
    DonationStatus,
    RecurringGift,
    StripeDisagreement,
)
from donations.money import Money, format_money
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.payload import JSON, stripe_id, subscription_amount

logger = logging.getLogger(__name__)

PAGE_SIZE: Final = 100
CHARGE: Final = "charge"
SUBSCRIPTION: Final = "subscription"
# Fields whose values are amounts (shown as money); the others are shown as they are.
AMOUNT_FIELDS: Final = frozenset({"amount", "refunded", "fee"})

Difference = dict[str, Any]


@dataclass(frozen=True, slots=True)
class DisagreementCheck:
    """What one check found: objects of ours compared, and how many disagree."""

    charges: int
    subscriptions: int
    disagreeing: int


def _difference(field: str, ours: object, stripe: object, currency: str) -> Difference:
    return {"field": field, "ours": ours, "stripe": stripe, "currency": currency}


def _charge_state(charge: JSON) -> tuple[str, frozenset[str]] | None:
    """Stripe's state of a charge in our words, and the statuses of ours that match it."""
    status = charge.get("status")
    if status == "failed":
        return DonationStatus.FAILED, frozenset({DonationStatus.FAILED})
    if status == "pending":
        return DonationStatus.PENDING, frozenset({DonationStatus.PENDING})
    if status != "succeeded":
        return None
    if charge.get("disputed"):
        disputes = {
            DonationStatus.DISPUTED,
            DonationStatus.DISPUTE_WON,
            DonationStatus.DISPUTE_LOST,
        }
        return DonationStatus.DISPUTED, frozenset(disputes)
    amount, refunded = charge.get("amount") or 0, charge.get("amount_refunded") or 0
    if refunded and refunded >= amount:
        return DonationStatus.REFUNDED, frozenset({DonationStatus.REFUNDED})
    if refunded:
        return DonationStatus.PARTIALLY_REFUNDED, frozenset({DonationStatus.PARTIALLY_REFUNDED})
    return DonationStatus.PAID, frozenset({DonationStatus.PAID})


def charge_differences(
    charge: JSON, donation: Donation, fees: dict[str, int | None]
) -> list[Difference]:
    """How ``charge`` and our ``donation`` differ (empty: they agree). ``fees`` maps our
    balance transactions' Stripe ids to their fees."""
    found: list[Difference] = []
    currency = str(charge.get("currency") or "").upper()
    if currency and currency != donation.currency:
        found.append(_difference("currency", donation.currency, currency, ""))
        return found  # the amounts cannot be compared
    amount = charge.get("amount")
    if isinstance(amount, int) and amount != donation.amount_minor:
        found.append(_difference("amount", donation.amount_minor, amount, donation.currency))
    refunded = charge.get("amount_refunded")
    if isinstance(refunded, int) and refunded != donation.refunded_minor:
        found.append(_difference("refunded", donation.refunded_minor, refunded, donation.currency))
    state = _charge_state(charge)
    if state is not None and donation.status not in state[1]:
        found.append(_difference("status", donation.status, state[0], ""))
    balance = charge.get("balance_transaction")
    if isinstance(balance, dict) and isinstance(balance.get("fee"), int):
        ours = fees.get(str(balance.get("id")))
        if ours != balance["fee"]:
            code = str(balance.get("currency") or "").upper()
            found.append(_difference("fee", ours, balance["fee"], code))
    return found


def subscription_differences(sub: JSON, gift: RecurringGift) -> list[Difference]:
    found: list[Difference] = []
    status = str(sub.get("status") or "")
    if status and status != gift.stripe_status:
        found.append(_difference("status", gift.stripe_status, status, ""))
    amount = subscription_amount(sub)
    if amount is not None:
        minor, currency = amount
        if currency != gift.currency:
            found.append(_difference("currency", gift.currency, currency, ""))
        elif minor != gift.amount_minor:
            found.append(_difference("amount", gift.amount_minor, minor, gift.currency))
    return found


def _listed(pages: Any) -> list[JSON]:
    return [obj.to_dict() for obj in pages.auto_paging_iter()]


def find_disagreements(*, days: int = 3) -> DisagreementCheck:
    """Compare Stripe's charges of the last ``days`` days and all its subscriptions with our
    ledger, and keep the list of those that disagree. Raises ``stripe.StripeError`` when
    Stripe cannot be read (nothing is changed then)."""
    client = stripe_client.get_client()
    since = int((timezone.now() - timedelta(days=days)).timestamp())
    charges = _listed(
        client.v1.charges.list(
            {
                "created": {"gte": since},
                "limit": PAGE_SIZE,
                "expand": ["data.balance_transaction"],
            }
        )
    )
    subscriptions = _listed(client.v1.subscriptions.list({"status": "all", "limit": PAGE_SIZE}))
    return record_disagreements(charges=charges, subscriptions=subscriptions)


def _donations_for(charges: Iterable[JSON]) -> dict[str, Donation]:
    charge_ids = {stripe_id(c.get("id")) for c in charges} - {""}
    intents = {stripe_id(c.get("payment_intent")) for c in charges} - {""}
    by_key: dict[str, Donation] = {}
    for donation in Donation.objects.filter(
        Q(charge_id__in=charge_ids) | Q(payment_intent_id__in=intents)
    ):
        if donation.payment_intent_id:
            by_key.setdefault(f"pi:{donation.payment_intent_id}", donation)
        if donation.charge_id:
            by_key[f"ch:{donation.charge_id}"] = donation
    return by_key


def record_disagreements(*, charges: list[JSON], subscriptions: list[JSON]) -> DisagreementCheck:
    """Compare the listed objects with the ledger (a fixed number of queries) and replace
    the stored disagreements of the objects compared."""
    donations = _donations_for(charges)
    balance_ids = {
        str(c["balance_transaction"].get("id"))
        for c in charges
        if isinstance(c.get("balance_transaction"), dict)
    }
    fees: dict[str, int | None] = dict(
        BalanceTransaction.objects.filter(stripe_id__in=balance_ids).values_list(
            "stripe_id", "fee_minor"
        )
    )
    gifts = {
        gift.stripe_subscription_id: gift
        for gift in RecurringGift.objects.filter(
            stripe_subscription_id__in={stripe_id(s.get("id")) for s in subscriptions} - {""}
        )
    }
    found: dict[str, StripeDisagreement] = {}
    compared: set[str] = set()
    charges_compared = 0
    for charge in charges:
        object_id = stripe_id(charge.get("id"))
        donation = donations.get(f"ch:{object_id}") or donations.get(
            f"pi:{stripe_id(charge.get('payment_intent'))}"
        )
        if donation is None or not object_id:
            continue
        charges_compared += 1
        compared.add(object_id)
        differences = charge_differences(charge, donation, fees)
        if differences:
            found[object_id] = StripeDisagreement(
                stripe_id=object_id,
                object_type=CHARGE,
                donation=donation,
                currency=donation.currency,
                differences=differences,
            )
    for sub in subscriptions:
        object_id = stripe_id(sub.get("id"))
        gift = gifts.get(object_id)
        if gift is None:
            continue
        compared.add(object_id)
        differences = subscription_differences(sub, gift)
        if differences:
            found[object_id] = StripeDisagreement(
                stripe_id=object_id,
                object_type=SUBSCRIPTION,
                recurring_gift=gift,
                currency=gift.currency,
                differences=differences,
            )
    now = timezone.now()
    with transaction.atomic():
        StripeDisagreement.objects.filter(stripe_id__in=compared - set(found)).delete()
        known = dict(
            StripeDisagreement.objects.filter(stripe_id__in=set(found)).values_list(
                "stripe_id", "first_found_at"
            )
        )
        for row in found.values():
            row.first_found_at = known.get(row.stripe_id, now)
            row.checked_at = now
        StripeDisagreement.objects.bulk_create(
            found.values(),
            update_conflicts=True,
            unique_fields=["stripe_id"],
            update_fields=[
                "object_type",
                "donation",
                "recurring_gift",
                "currency",
                "differences",
                "first_found_at",
                "checked_at",
            ],
        )
    if found:
        logger.warning("Stripe reconciliation: %d objects disagree with the ledger", len(found))
    return DisagreementCheck(
        charges=charges_compared,
        subscriptions=len(compared) - charges_compared,
        disagreeing=len(found),
    )


def field_label(field: str) -> str:
    labels = {
        "amount": gettext("Amount"),
        "refunded": gettext("Refunded"),
        "status": gettext("Status"),
        "fee": gettext("Stripe fee"),
        "currency": gettext("Currency"),
    }
    return labels.get(field, field)


def _shown(value: object, field: str, currency: str) -> str:
    if value is None or value == "":
        return "—"
    if field in AMOUNT_FIELDS and isinstance(value, int) and currency:
        return format_money(Money(value, currency))
    if field == "status":
        labels = dict(DonationStatus.choices)
        return str(labels.get(str(value), value))
    return str(value)


@dataclass(frozen=True, slots=True)
class ShownDifference:
    label: str
    ours: str
    stripe: str


def describe(row: StripeDisagreement) -> list[ShownDifference]:
    """A disagreement's differences as people read them (labels, money, statuses)."""
    shown = []
    for diff in row.differences:
        field, code = str(diff.get("field")), str(diff.get("currency") or "")
        shown.append(
            ShownDifference(
                label=field_label(field),
                ours=_shown(diff.get("ours"), field, code),
                stripe=_shown(diff.get("stripe"), field, code),
            )
        )
    return shown


def disagreement_list() -> list[tuple[StripeDisagreement, list[ShownDifference]]]:
    """Every stored disagreement, newest found first, with its gift and donor (one query)."""
    rows = StripeDisagreement.objects.select_related(
        "donation__donor", "recurring_gift__donor"
    ).order_by("-first_found_at", "-pk")
    return [(row, describe(row)) for row in rows]
