"""A realistic stream of Stripe events for several donors, and a snapshot of the ledger.

The pending rows are made as the donation page makes them (``make_pending``); the stream
is what Stripe would then send, in the order it happened, each event with its own created
time. Tests shuffle and duplicate it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from donations.models import (
    Donation,
    DonationStatus,
    Donor,
    Receipt,
    ReceiptStatus,
    RecurringGift,
    RecurringStatus,
    StripeEvent,
)
from donations.stripe_integration import offline_events as se
from donations.stripe_integration.intake import Outcome, receive_event

SECRET = "whsec_ledger_tests"
T0 = 1_790_000_000  # 2026-09-21, a fixed clock for event times
DAY = 24 * 3600


@dataclass
class Pending:
    ana_once: Donation  # USD 25.00, partly refunded (USD 10.00)
    binh_once: Donation  # VND 500,000, disputed and lost
    chris_monthly: RecurringGift  # USD 10.00 a month: 3 paid invoices, 1 failed then paid
    dana_monthly: RecurringGift  # EUR 5.00 a month, one paid invoice, then cancelled


def make_pending() -> Pending:
    def donor(name: str, email: str) -> Donor:
        return Donor.objects.create(name=name, email=email)

    ana = donor("Ana Lima", "ana.lima@example.org")
    binh = donor("Binh Tran", "binh@example.org")
    chris = donor("Chris Osei", "chris@example.org")
    dana = donor("Dana Weiss", "dana@example.org")
    return Pending(
        ana_once=Donation.objects.create(
            donor=ana, amount_minor=2500, currency="USD", fee_covered_minor=100
        ),
        binh_once=Donation.objects.create(donor=binh, amount_minor=500000, currency="VND"),
        chris_monthly=RecurringGift.objects.create(
            donor=chris, amount_minor=1000, currency="USD", checkout_session_id="cs_chris"
        ),
        dana_monthly=RecurringGift.objects.create(
            donor=dana, amount_minor=500, currency="EUR", checkout_session_id="cs_dana"
        ),
    )


def build_stream(p: Pending) -> list[dict[str, Any]]:
    """The events, in the order Stripe created them."""
    events: list[dict[str, Any]] = []
    clock = iter(range(T0, T0 + 10_000))

    def add(event_type: str, obj: dict[str, Any], *, at: int | None = None) -> None:
        created = at if at is not None else next(clock)
        events.append(
            se.build_event(event_type, obj, created=created, event_id=f"evt_{len(events):03d}")
        )

    # Ana: one-time USD 25.00, then USD 10.00 of it refunded.
    ana_meta = {"donation_id": str(p.ana_once.pk)}
    add(
        "checkout.session.completed",
        se.checkout_session(
            session_id="cs_ana",
            mode="payment",
            amount_minor=2500,
            currency="USD",
            email="ana.lima@example.org",
            name="Ana Lima",
            metadata=ana_meta,
            customer="cus_ana",
            payment_intent="pi_ana",
            created=T0,
        ),
    )
    add(
        "charge.refunded",
        se.charge(
            charge_id="ch_ana",
            payment_intent="pi_ana",
            amount_minor=2500,
            currency="USD",
            amount_refunded=1000,
            created=T0,
        ),
    )

    # Binh: one-time VND 500,000, disputed, dispute lost.
    add(
        "checkout.session.completed",
        se.checkout_session(
            session_id="cs_binh",
            mode="payment",
            amount_minor=500000,
            currency="VND",
            email="binh@example.org",
            name="Binh Tran",
            metadata={"donation_id": str(p.binh_once.pk)},
            customer="cus_binh",
            payment_intent="pi_binh",
            created=T0,
        ),
    )
    dispute: dict[str, Any] = {
        "dispute_id": "dp_binh",
        "charge_id": "ch_binh",
        "payment_intent": "pi_binh",
        "amount_minor": 500000,
        "currency": "VND",
        "created": T0 + 5,
    }
    add("charge.dispute.created", se.dispute(status="needs_response", **dispute))
    add("charge.dispute.closed", se.dispute(status="lost", **dispute))

    # Chris: monthly USD 10.00; invoices 1-3 paid, invoice 4 fails and is paid on retry.
    chris_meta = {"recurring_gift_id": str(p.chris_monthly.pk)}
    add(
        "checkout.session.completed",
        se.checkout_session(
            session_id="cs_chris",
            mode="subscription",
            amount_minor=1000,
            currency="USD",
            email="chris@example.org",
            name="Chris Osei",
            metadata=chris_meta,
            customer="cus_chris",
            subscription="sub_chris",
            invoice="in_chris_1",
        ),
    )

    def chris_sub(status: str, period_end: int) -> dict[str, Any]:
        return se.subscription(
            subscription_id="sub_chris",
            customer="cus_chris",
            status=status,
            amount_minor=1000,
            currency="USD",
            metadata=chris_meta,
            current_period_end=period_end,
        )

    def chris_invoice(n: int, *, paid: bool) -> dict[str, Any]:
        return se.invoice(
            invoice_id=f"in_chris_{n}",
            subscription="sub_chris",
            customer="cus_chris",
            amount_minor=1000,
            currency="USD",
            metadata=chris_meta,
            paid=paid,
            payment_intent=f"pi_chris_{n}",
            created=T0 + n * 30 * DAY,
        )

    add("customer.subscription.updated", chris_sub("active", T0 + 31 * DAY))
    for n in (1, 2, 3):
        add("invoice.paid", chris_invoice(n, paid=True), at=T0 + n * 30 * DAY + 10)
    add("invoice.payment_failed", chris_invoice(4, paid=False), at=T0 + 120 * DAY + 10)
    add(
        "customer.subscription.updated",
        chris_sub("past_due", T0 + 150 * DAY),
        at=T0 + 120 * DAY + 11,
    )
    add("invoice.paid", chris_invoice(4, paid=True), at=T0 + 123 * DAY)
    add("customer.subscription.updated", chris_sub("active", T0 + 150 * DAY), at=T0 + 123 * DAY + 1)

    # Dana: monthly EUR 5.00, one paid invoice, then she cancels.
    dana_meta = {"recurring_gift_id": str(p.dana_monthly.pk)}
    dana_invoice = se.invoice(
        invoice_id="in_dana_1",
        subscription="sub_dana",
        customer="cus_dana",
        amount_minor=500,
        currency="EUR",
        metadata=dana_meta,
        paid=True,
        payment_intent="pi_dana_1",
        created=T0 + 200,
        billing_reason="subscription_create",
    )
    add("invoice.paid", dana_invoice, at=T0 + 201)
    dana_sub: dict[str, Any] = {
        "subscription_id": "sub_dana",
        "customer": "cus_dana",
        "amount_minor": 500,
        "currency": "EUR",
        "metadata": dana_meta,
        "current_period_end": T0 + 200 + 30 * DAY,
    }
    add("customer.subscription.updated", se.subscription(status="active", **dana_sub), at=T0 + 202)
    add(
        "customer.subscription.deleted",
        se.subscription(status="canceled", canceled_at=T0 + 10 * DAY, **dana_sub),
        at=T0 + 10 * DAY,
    )
    return events


def deliver(event: dict[str, Any], *, secret: str = SECRET) -> Outcome:
    payload = se.encode(event)
    return receive_event(payload, se.sign_payload(payload, secret=secret))


def snapshot() -> dict[str, Any]:
    """The whole ledger, without our row ids (which differ between runs)."""
    donations = sorted(
        (
            d.donor.email,
            d.checkout_session_id,
            d.invoice_id,
            d.payment_intent_id,
            d.charge_id,
            d.customer_id,
            d.subscription_id,
            d.amount_minor,
            d.currency,
            d.fee_covered_minor,
            d.status,
            d.refunded_minor,
            d.dispute_status,
            d.disputed_minor,
            d.paid_at,
            d.failed_at,
            d.stripe_created,
        )
        for d in Donation.objects.select_related("donor")
    )
    recurring = sorted(
        (
            g.donor.email,
            g.amount_minor,
            g.currency,
            g.status,
            g.stripe_subscription_id,
            g.stripe_customer_id,
            g.checkout_session_id,
            g.current_period_end,
            g.cancelled_at,
            g.stripe_status,
        )
        for g in RecurringGift.objects.select_related("donor")
    )
    events = sorted(StripeEvent.objects.values_list("event_id", "status", "waiting_for"))
    # The receipt in force of each gift (the numbers and the void ones depend on the order).
    receipts = sorted(
        Receipt.objects.filter(status=ReceiptStatus.ISSUED).values_list(
            "donation__donor__email",
            "donation__checkout_session_id",
            "donation__invoice_id",
            "amount_minor",
            "currency",
        )
    )
    return {"donations": donations, "recurring": recurring, "events": events, "receipts": receipts}


EXPECTED_STATUSES = {
    ("ana.lima@example.org", ""): (DonationStatus.PARTIALLY_REFUNDED, 2500, 1000),
    ("binh@example.org", ""): (DonationStatus.DISPUTE_LOST, 500000, 0),
    ("chris@example.org", "in_chris_1"): (DonationStatus.PAID, 1000, 0),
    ("chris@example.org", "in_chris_2"): (DonationStatus.PAID, 1000, 0),
    ("chris@example.org", "in_chris_3"): (DonationStatus.PAID, 1000, 0),
    ("chris@example.org", "in_chris_4"): (DonationStatus.PAID, 1000, 0),
    ("dana@example.org", "in_dana_1"): (DonationStatus.PAID, 500, 0),
}
EXPECTED_RECURRING = {
    "chris@example.org": RecurringStatus.ACTIVE,
    "dana@example.org": RecurringStatus.CANCELLED,
}
