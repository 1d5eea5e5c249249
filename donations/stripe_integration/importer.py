"""Bring an existing Stripe account in: customers, subscriptions and past payments.

``import_stripe_account`` reads Stripe's lists in order (customers, then subscriptions, then
paid invoices, then charges), a page of ``PAGE_SIZE`` at a time. Each page is imported in one
transaction together with its list's cursor (the last id read), so a run stopped anywhere
(Stripe down, the process killed) goes on from the last page it finished, and a second run
after a finished one reads nothing and creates nothing. Objects are matched, never duplicated:

* a customer by its id, else its donor by e-mail. When the e-mail is already another Stripe
  customer's donor, the customer gets a donor of its own (without the e-mail, which one donor
  holds) and a proposal to merge the two, which a coordinator confirms on the merge page;
* a subscription by its id (``RecurringGift.stripe_subscription_id``);
* a paid invoice by its id, a charge by its id or payment intent (``Donation``'s unique ids).

Imported gifts are past payments: no receipt is e-mailed and no task is made (the year-end
statement includes them). Their source is "Stripe, outside the donate page" unless they
began on our page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from django.db import transaction

from accounts.models import User
from accounts.services import audit
from core.tasks import enqueue_on_commit
from donations.models import (
    Donation,
    DonationSource,
    Donor,
    GiftInterval,
    RecurringGift,
    StripeCustomerLink,
    StripeImportCursor,
)
from donations.money import MAX_MINOR, MoneyError, normalize_currency
from donations.services.gift_status import donation_status, recurring_status
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.payload import invoice_payment_intent

logger = logging.getLogger(__name__)

JSON = dict[str, Any]
PAGE_SIZE: Final = 100
# The lists, in the order they are read (a payment needs its customer and subscription).
OBJECT_TYPES: Final = ("customers", "subscriptions", "invoices", "charges")
SUBSCRIPTION_STATUS: Final = {"canceled": "canceled", "incomplete_expired": "canceled"}


@dataclass(frozen=True, slots=True)
class ImportProgress:
    object_type: str
    read: int
    created: int
    finished: bool


def _ts(value: object) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if type(value) is int and value > 0 else None


def _sid(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return ""


def _amount(value: object) -> int | None:
    return value if type(value) is int and 0 < value <= MAX_MINOR else None


def _currency(value: object) -> str | None:
    try:
        return normalize_currency(str(value or ""))
    except MoneyError:
        return None


def _donor_of(customer_id: str) -> Donor | None:
    link = StripeCustomerLink.objects.select_related("donor").filter(customer_id=customer_id)
    found = link.first()
    return found.donor if found is not None else None


# ---------------------------------------------------------------------------------------
# One object of each list; each returns whether it created something.


def import_customer(obj: JSON) -> bool:
    customer_id = _sid(obj.get("id"))
    if not customer_id or StripeCustomerLink.objects.filter(customer_id=customer_id).exists():
        return False
    email = str(obj.get("email") or "").strip().lower()[:254]
    name = str(obj.get("name") or "").strip()[:200] or email or customer_id
    donor = Donor.objects.filter(email__iexact=email).first() if email else None
    proposed = None
    if donor is not None and StripeCustomerLink.objects.filter(donor=donor).exists():
        # The e-mail is another customer's already: one person twice, or two people sharing
        # an address. Not ours to decide: a donor of its own, and a proposal to merge.
        proposed, donor = donor, None
    if donor is None:
        donor = Donor.objects.create(name=name, email="" if proposed else email)
    StripeCustomerLink.objects.create(
        customer_id=customer_id, donor=donor, email=email, proposed_merge_with=proposed
    )
    return True


def import_subscription(obj: JSON) -> bool:
    sub_id = _sid(obj.get("id"))
    if not sub_id or RecurringGift.objects.filter(stripe_subscription_id=sub_id).exists():
        return False
    donor = _donor_of(_sid(obj.get("customer")))
    items = obj.get("items")
    rows = items.get("data") if isinstance(items, dict) else None
    item: JSON = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
    found_price = item.get("price")
    price: JSON = found_price if isinstance(found_price, dict) else {}
    raw_quantity = item.get("quantity")
    quantity = raw_quantity if type(raw_quantity) is int and raw_quantity > 0 else 1
    unit = _amount(price.get("unit_amount"))
    currency = _currency(price.get("currency") or obj.get("currency"))
    if donor is None or unit is None or currency is None:
        logger.warning("subscription %s left out: no donor, amount or currency", sub_id)
        return False
    interval = (price.get("recurring") or {}).get("interval")
    status = str(obj.get("status") or "")
    gift = RecurringGift(
        donor=donor,
        amount_minor=unit * quantity,
        currency=currency,
        interval=GiftInterval.YEAR if interval == "year" else GiftInterval.MONTH,
        stripe_subscription_id=sub_id,
        stripe_customer_id=_sid(obj.get("customer")),
        current_period_end=_ts(item.get("current_period_end")),
        stripe_status=SUBSCRIPTION_STATUS.get(status, status)[:30],
        cancelled_at=_ts(obj.get("canceled_at")) or _ts(obj.get("ended_at"))
        if status in SUBSCRIPTION_STATUS
        else None,
    )
    gift.status = recurring_status(gift, [])
    gift.save()
    return True


def import_invoice(obj: JSON) -> bool:
    invoice_id = _sid(obj.get("id"))
    if not invoice_id or Donation.objects.filter(invoice_id=invoice_id).exists():
        return False
    parent = obj.get("parent") if isinstance(obj.get("parent"), dict) else {}
    details = parent.get("subscription_details") if isinstance(parent, dict) else None
    sub_id = _sid(details.get("subscription")) if isinstance(details, dict) else ""
    gift = RecurringGift.objects.filter(stripe_subscription_id=sub_id).first() if sub_id else None
    donor = gift.donor if gift is not None else _donor_of(_sid(obj.get("customer")))
    amount, currency = _amount(obj.get("amount_paid")), _currency(obj.get("currency"))
    paid_at = _ts((obj.get("status_transitions") or {}).get("paid_at")) or _ts(obj.get("created"))
    intent = invoice_payment_intent(obj)
    if donor is None or amount is None or currency is None or paid_at is None:
        return False
    if intent and Donation.objects.filter(payment_intent_id=intent).exists():
        return False
    donation = Donation(
        donor=donor,
        recurring_gift=gift,
        invoice_id=invoice_id,
        subscription_id=sub_id,
        customer_id=_sid(obj.get("customer")),
        payment_intent_id=intent,
        amount_minor=amount,
        currency=currency,
        source=DonationSource.STRIPE_OUTSIDE,
        paid_at=paid_at,
        stripe_created=_ts(obj.get("created")),
    )
    donation.status = donation_status(donation)
    donation.save()
    return True


def import_charge(obj: JSON) -> bool:
    charge_id, intent = _sid(obj.get("id")), _sid(obj.get("payment_intent"))
    if not charge_id or obj.get("status") != "succeeded" or obj.get("paid") is not True:
        return False
    known = Donation.objects.filter(charge_id=charge_id)
    if intent:
        known = known | Donation.objects.filter(payment_intent_id=intent)
    if known.exists():
        return False
    donor = _donor_of(_sid(obj.get("customer")))
    amount, currency = _amount(obj.get("amount")), _currency(obj.get("currency"))
    if donor is None or amount is None or currency is None:
        return False
    raw_refunded = obj.get("amount_refunded")
    refunded = raw_refunded if type(raw_refunded) is int and raw_refunded > 0 else 0
    donation = Donation(
        donor=donor,
        charge_id=charge_id,
        payment_intent_id=intent,
        customer_id=_sid(obj.get("customer")),
        amount_minor=amount,
        refunded_minor=min(refunded, amount),
        currency=currency,
        source=DonationSource.STRIPE_OUTSIDE,
        paid_at=_ts(obj.get("created")),
        stripe_created=_ts(obj.get("created")),
    )
    donation.status = donation_status(donation)
    donation.save()
    return True


IMPORTERS: Final[dict[str, Callable[[JSON], bool]]] = {
    "customers": import_customer,
    "subscriptions": import_subscription,
    "invoices": import_invoice,
    "charges": import_charge,
}
LIST_PARAMS: Final[dict[str, JSON]] = {
    "customers": {},
    "subscriptions": {"status": "all"},
    "invoices": {"status": "paid"},
    "charges": {},
}


def _list_page(object_type: str, starting_after: str) -> tuple[list[JSON], bool]:
    params: JSON = {"limit": PAGE_SIZE, **LIST_PARAMS[object_type]}
    if starting_after:
        params["starting_after"] = starting_after
    service = getattr(stripe_client.get_client().v1, object_type)
    page = service.list(params)
    return [obj.to_dict() for obj in page.data], bool(page.has_more)


def import_stripe_account(
    *, on_page: Callable[[ImportProgress], None] | None = None
) -> list[ImportProgress]:
    """Import every list from where it stopped; the progress of each list at the end.

    Raises ``stripe.StripeError`` when Stripe fails: pages done so far stay done.
    """
    for object_type in OBJECT_TYPES:
        cursor, _ = StripeImportCursor.objects.get_or_create(object_type=object_type)
        while not cursor.finished:
            objects, has_more = _list_page(object_type, cursor.starting_after)
            with transaction.atomic():
                cursor = StripeImportCursor.objects.select_for_update().get(pk=cursor.pk)
                created = sum(1 for obj in objects if IMPORTERS[object_type](obj))
                if objects:
                    cursor.starting_after = _sid(objects[-1].get("id"))
                cursor.read += len(objects)
                cursor.created += created
                cursor.finished = not has_more or not objects
                cursor.save()
            if on_page is not None:
                on_page(ImportProgress(object_type, cursor.read, cursor.created, cursor.finished))
    return import_progress()


def import_progress() -> list[ImportProgress]:
    cursors = {c.object_type: c for c in StripeImportCursor.objects.all()}
    return [
        ImportProgress(
            kind,
            cursors[kind].read if kind in cursors else 0,
            cursors[kind].created if kind in cursors else 0,
            cursors[kind].finished if kind in cursors else False,
        )
        for kind in OBJECT_TYPES
    ]


def start_import(*, by: User) -> None:
    """A staff member runs (or resumes) the import in the background, after commit (by the
    task's name: the tasks module imports this one)."""
    with transaction.atomic():
        audit.record(
            "donations.stripe_import.started",
            actor=by,
            data={
                progress.object_type: progress.read
                for progress in import_progress()
                if progress.read
            },
        )
        enqueue_on_commit("donations.import_stripe_account")


def restart_import(*, by: User | None = None) -> None:
    """Read every list again from its start (what exists is matched, not made twice)."""
    with transaction.atomic():
        StripeImportCursor.objects.all().delete()
        audit.record("donations.stripe_import.restarted", actor=by)
