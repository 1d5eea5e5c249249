"""What the system changes on its own is audited with no actor (the system): gifts and
monthly gifts changed by Stripe's webhooks (with the event's id), receipts issued, voided
and replaced, year-end statements made."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AuditEntry
from donations.models import Donation, Donor, Receipt, RecurringGift, StripeEventStatus
from donations.services.donors import donor_account
from donations.stripe_integration import offline_events as se
from tests.donations import ledger_stream as ls

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def webhook_secret(settings: Any) -> None:
    settings.STRIPE_WEBHOOK_SECRET = ls.SECRET
    settings.STRIPE_SECRET_KEY = ""


def _rows(since: int = 0) -> list[tuple[Any, ...]]:
    return [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.filter(pk__gt=since).order_by("pk")
    ]


def _last() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _deliver(event: dict[str, Any]) -> str:
    outcome = ls.deliver(event)
    assert outcome.status == StripeEventStatus.DONE, outcome
    return str(event["id"])


def test_a_gift_paid_refunded_in_part_and_disputed_is_audited_as_the_system() -> None:
    donor = Donor.objects.create(name="Eve Stone", email="eve@example.org")
    user = donor_account(donor)
    gift = Donation.objects.create(donor=donor, amount_minor=5000, currency="USD")
    start = _last()  # the donor's login granted its role
    session = se.checkout_session(
        session_id="cs_eve",
        mode="payment",
        amount_minor=5000,
        currency="USD",
        email="eve@example.org",
        name="Eve Stone",
        metadata={"donation_id": str(gift.pk)},
        payment_intent="pi_eve",
    )
    paid_event = _deliver(se.build_event("checkout.session.completed", session, created=ls.T0))
    gift.refresh_from_db()
    first = Receipt.objects.get()
    paid = (
        "donations.donation.paid",
        None,
        user.pk,
        "donations.donation",
        str(gift.pk),
        {"paid_at": [None, str(gift.paid_at)], "status": ["pending", "paid"]},
        {
            "currency": "USD",
            "stripe_event": paid_event,
            "stripe_event_type": "checkout.session.completed",
        },
    )
    issued = (
        "donations.receipt.issued",
        None,
        user.pk,
        "donations.receipt",
        str(first.pk),
        {
            "amount_minor": [None, 5000],
            "currency": [None, "USD"],
            "number": [None, first.number],
            "status": [None, "issued"],
            "void_reason": [None, ""],
            "year": [None, first.year],
        },
        {
            "donation": gift.pk,
            "number": first.display_number,
            "stripe_event": paid_event,
            "stripe_event_type": "checkout.session.completed",
        },
    )
    assert _rows(start) == [paid, issued]

    mark = _last()
    refund = se.charge(
        charge_id="ch_eve",
        payment_intent="pi_eve",
        amount_minor=5000,
        currency="USD",
        amount_refunded=1000,
        created=ls.T0,
    )
    refund_event = _deliver(se.build_event("charge.refunded", refund, created=ls.T0 + 5))
    first.refresh_from_db()
    second = Receipt.objects.exclude(pk=first.pk).get()
    by_refund = {"stripe_event": refund_event, "stripe_event_type": "charge.refunded"}
    assert _rows(mark) == [
        (
            "donations.donation.refunded",
            None,
            user.pk,
            "donations.donation",
            str(gift.pk),
            {"refunded_minor": [0, 1000], "status": ["paid", "partially_refunded"]},
            {"currency": "USD", **by_refund},
        ),
        (
            "donations.receipt.voided",
            None,
            user.pk,
            "donations.receipt",
            str(first.pk),
            {
                "status": ["issued", "void"],
                "void_reason": ["", "Refunded in part: replaced by a receipt for the net amount."],
                "voided_at": [None, str(first.voided_at)],
            },
            {"donation": gift.pk, "number": first.display_number, **by_refund},
        ),
        (
            "donations.receipt.replaced",
            None,
            user.pk,
            "donations.receipt",
            str(second.pk),
            {
                "amount_minor": [None, 4000],
                "currency": [None, "USD"],
                "number": [None, second.number],
                "replaces": [None, first.pk],
                "status": [None, "issued"],
                "void_reason": [None, ""],
                "year": [None, second.year],
            },
            {"donation": gift.pk, "number": second.display_number, **by_refund},
        ),
    ]

    mark = _last()
    opened = se.dispute(
        dispute_id="dp_eve",
        charge_id="ch_eve",
        payment_intent="pi_eve",
        amount_minor=4000,
        currency="USD",
        status="needs_response",
        created=ls.T0 + 9,
    )
    dispute_event = _deliver(se.build_event("charge.dispute.created", opened, created=ls.T0 + 9))
    assert _rows(mark) == [
        (
            "donations.donation.disputed",
            None,
            user.pk,
            "donations.donation",
            str(gift.pk),
            {
                "dispute_status": ["", "open"],
                "disputed_minor": [0, 4000],
                "status": ["partially_refunded", "disputed"],
            },
            {
                "currency": "USD",
                "stripe_event": dispute_event,
                "stripe_event_type": "charge.dispute.created",
            },
        )
    ]

    mark = _last()
    ls.deliver(se.build_event("charge.refunded", refund, created=ls.T0 + 5))  # nothing new
    assert _rows(mark) == []


def test_an_instalment_made_and_a_monthly_gift_cancelled_by_stripe_are_audited() -> None:
    donor = Donor.objects.create(name="Dana Weiss", email="dana@example.org")
    user = donor_account(donor)
    monthly = RecurringGift.objects.create(
        donor=donor, amount_minor=500, currency="EUR", checkout_session_id="cs_dana"
    )
    meta = {"recurring_gift_id": str(monthly.pk)}
    start = _last()
    invoice_event = _deliver(
        se.build_event(
            "invoice.paid",
            se.invoice(
                invoice_id="in_dana_1",
                subscription="sub_dana",
                customer="cus_dana",
                amount_minor=500,
                currency="EUR",
                metadata=meta,
                paid=True,
                payment_intent="pi_dana_1",
                created=ls.T0 + 200,
                billing_reason="subscription_create",
            ),
            created=ls.T0 + 201,
        )
    )
    instalment = Donation.objects.get()
    by_invoice = {"stripe_event": invoice_event, "stripe_event_type": "invoice.paid"}
    rows = _rows(start)
    assert [row[0] for row in rows] == [
        "donations.donation.created_by_stripe",
        "donations.recurring.changed_by_stripe",
        "donations.receipt.issued",
    ]
    assert rows[0] == (
        "donations.donation.created_by_stripe",
        None,
        user.pk,
        "donations.donation",
        str(instalment.pk),
        {
            "amount_minor": [None, 500],
            "currency": [None, "EUR"],
            "dispute_status": [None, ""],
            "disputed_minor": [None, 0],
            "paid_at": [None, str(instalment.paid_at)],
            "refunded_minor": [None, 0],
            "status": [None, "paid"],
        },
        {"currency": "EUR", "recurring_gift": monthly.pk, **by_invoice},
    )
    assert rows[1] == (
        "donations.recurring.changed_by_stripe",
        None,
        user.pk,
        "donations.recurringgift",
        str(monthly.pk),
        {"status": ["incomplete", "active"]},
        {
            "currency": "EUR",
            **by_invoice,
            "delivered_by": "webhook",
            "subscription": "sub_dana",
        },
    )

    mark = _last()
    cancelled = se.subscription(
        subscription_id="sub_dana",
        customer="cus_dana",
        status="canceled",
        amount_minor=500,
        currency="EUR",
        metadata=meta,
        current_period_end=ls.T0 + 200 + 30 * ls.DAY,
        canceled_at=ls.T0 + 10 * ls.DAY,
    )
    cancel_event = _deliver(
        se.build_event("customer.subscription.deleted", cancelled, created=ls.T0 + 10 * ls.DAY)
    )
    monthly.refresh_from_db()
    assert _rows(mark) == [
        (
            "donations.recurring.cancelled_by_stripe",
            None,
            user.pk,
            "donations.recurringgift",
            str(monthly.pk),
            {
                "cancelled_at": [None, str(monthly.cancelled_at)],
                "status": ["active", "cancelled"],
                "stripe_status": ["", "canceled"],
            },
            {
                "currency": "EUR",
                "stripe_event": cancel_event,
                "stripe_event_type": "customer.subscription.deleted",
                "delivered_by": "webhook",
                "subscription": "sub_dana",
            },
        )
    ]


def test_a_statement_run_is_audited_once_and_per_statement_emailed(
    coordinator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from donations.services.statements import generate_statements, start_statement_run

    monkeypatch.setattr("donations.services.statements._enqueue_run", lambda run_id: None)
    ana = Donor.objects.create(name="Ana Lima", email="ana.y@example.org")
    cash = Donor.objects.create(name="Cash Giver")
    for donor in (ana, cash):
        Donation.objects.create(
            donor=donor,
            amount_minor=2500,
            currency="USD",
            paid_at=datetime(2026, 3, 3, 12, tzinfo=UTC),
            status="paid",
        )
    run = start_statement_run(year=2026, by=coordinator)
    mark = _last()
    generate_statements(run_id=run.pk)
    generate_statements(run_id=run.pk)  # a retried task: nothing new
    ana.refresh_from_db()
    assert _rows(mark) == [
        (  # the login its e-mail goes to, made for the statement
            "accounts.role.granted",
            None,
            ana.user_id,
            "accounts.user",
            str(ana.user_id),
            {"roles": [None, "donor"]},
            {},
        ),
        (
            "donations.statement.issued",
            None,
            ana.user_id,
            "donations.statementrun",
            str(run.pk),
            {},
            {"year": 2026, "donor": ana.pk},
        ),
        (
            "donations.statement_run.finished",
            None,
            None,
            "donations.statementrun",
            str(run.pk),
            {"error": [None, ""], "status": ["running", "done"]},
            {"year": 2026, "total": 2, "done": 2, "emailed": 1},
        ),
    ]
    assert ana.user_id is not None
