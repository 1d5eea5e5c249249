"""The Stripe ledger: exact outcomes, any order, any number of deliveries."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from donations.models import (
    DisputeStatus,
    Donation,
    DonationStatus,
    Donor,
    Receipt,
    ReceiptStatus,
    RecurringGift,
    RecurringStatus,
    StripeEvent,
    StripeEventStatus,
)
from donations.services.gift_status import donation_status, recurring_status
from donations.stripe_integration import offline_events as se
from tests.donations import ledger_stream as ls


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = ls.SECRET
    settings.STRIPE_SECRET_KEY = ""


def run_stream(order: list[int], duplicates: list[int]) -> dict[str, Any]:
    """Deliver the stream in ``order`` (then the ``duplicates`` again) and snapshot, rolled back."""
    with transaction.atomic():
        pending = ls.make_pending()
        stream = ls.build_stream(pending)
        for index in [*order, *duplicates]:
            outcome = ls.deliver(stream[index % len(stream)])
            assert not outcome.failed, outcome
        result = ls.snapshot()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_in_order_stream_gives_the_exact_ledger():
    pending = ls.make_pending()
    stream = ls.build_stream(pending)
    for event in stream:
        assert ls.deliver(event).status == StripeEventStatus.DONE
    # Receipts in force: Ana's net of her refund, none for Binh's lost dispute, one per paid
    # instalment. The any-order test compares these too.
    assert ls.snapshot()["receipts"] == [
        ("ana.lima@example.org", "cs_ana", "", 1500, "USD"),
        *[("chris@example.org", "", f"in_chris_{n}", 1000, "USD") for n in range(1, 5)],
        ("dana@example.org", "", "in_dana_1", 500, "EUR"),
    ]
    found = {
        (d.donor.email, d.invoice_id): (d.status, d.amount_minor, d.refunded_minor)
        for d in Donation.objects.select_related("donor")
    }
    assert found == ls.EXPECTED_STATUSES
    assert {g.donor.email: g.status for g in RecurringGift.objects.select_related("donor")} == (
        ls.EXPECTED_RECURRING
    )
    ana = Donation.objects.get(donor__email="ana.lima@example.org")
    assert (ana.payment_intent_id, ana.charge_id, ana.customer_id) == (
        "pi_ana",
        "ch_ana",
        "cus_ana",
    )
    assert ana.fee_covered_minor == 100
    binh = Donation.objects.get(donor__email="binh@example.org")
    assert (binh.dispute_id, binh.dispute_status, binh.disputed_minor) == (
        "dp_binh",
        DisputeStatus.LOST,
        500000,
    )
    chris = RecurringGift.objects.get(donor__email="chris@example.org")
    assert chris.stripe_subscription_id == "sub_chris"
    assert chris.donations.count() == 4
    assert chris.current_period_end is not None
    assert int(chris.current_period_end.timestamp()) == ls.T0 + 150 * ls.DAY
    dana = RecurringGift.objects.get(donor__email="dana@example.org")
    assert dana.cancelled_at is not None
    assert int(dana.cancelled_at.timestamp()) == ls.T0 + 10 * ls.DAY
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {StripeEventStatus.DONE}


@pytest.mark.django_db
def test_refund_before_payment_waits_then_applies():
    pending = ls.make_pending()
    stream = {e["type"] + ":" + e["id"]: e for e in ls.build_stream(pending)}
    refund = next(e for k, e in stream.items() if k.startswith("charge.refunded"))
    session = next(
        e
        for e in stream.values()
        if e["type"] == "checkout.session.completed" and e["data"]["object"]["id"] == "cs_ana"
    )
    assert ls.deliver(refund).status == StripeEventStatus.DEFERRED
    waiting = StripeEvent.objects.get(event_id=refund["id"])
    assert waiting.waiting_for == "pi_ana"
    assert ls.deliver(refund).duplicate is True  # Stripe's retry changes nothing
    assert ls.deliver(session).status == StripeEventStatus.DONE
    ana = Donation.objects.get(pk=pending.ana_once.pk)
    assert (ana.status, ana.refunded_minor) == (DonationStatus.PARTIALLY_REFUNDED, 1000)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.waiting_for) == (StripeEventStatus.DONE, "")
    # As if the refund had come after the payment: the gross receipt is replaced by the net.
    receipts = list(
        Receipt.objects.filter(donation=ana).order_by("pk").values_list("status", "amount_minor")
    )
    assert receipts == [
        (ReceiptStatus.VOID, ana.amount_minor),
        (ReceiptStatus.ISSUED, ana.amount_minor - 1000),
    ]


@pytest.mark.django_db
def test_full_refund_and_failed_async_payment():
    donor = Donor.objects.create(name="Eve", email="eve@example.org")
    once = Donation.objects.create(donor=donor, amount_minor=5000, currency="USD")
    meta = {"donation_id": str(once.pk)}
    session = se.checkout_session(
        session_id="cs_eve",
        mode="payment",
        amount_minor=5000,
        currency="USD",
        email="eve@example.org",
        name="Eve",
        metadata=meta,
        payment_status="unpaid",
        payment_intent="pi_eve",
    )
    ls.deliver(se.build_event("checkout.session.completed", session, created=ls.T0))
    once.refresh_from_db()
    assert once.status == DonationStatus.PENDING
    ls.deliver(se.build_event("checkout.session.async_payment_failed", session, created=ls.T0 + 1))
    once.refresh_from_db()
    assert once.status == DonationStatus.FAILED
    # A later success (e.g. a bank debit that cleared after all) wins over the failure.
    ls.deliver(
        se.build_event("checkout.session.async_payment_succeeded", session, created=ls.T0 + 2)
    )
    refund = se.charge(
        charge_id="ch_eve",
        payment_intent="pi_eve",
        amount_minor=5000,
        currency="USD",
        amount_refunded=5000,
        created=ls.T0,
    )
    ls.deliver(se.build_event("charge.refunded", refund, created=ls.T0 + 3))
    once.refresh_from_db()
    assert (once.status, once.refunded_minor) == (DonationStatus.REFUNDED, 5000)


@pytest.mark.django_db
def test_metadata_naming_a_missing_record_fails_without_asking_for_retries():
    session = se.checkout_session(
        session_id="cs_ghost",
        mode="payment",
        amount_minor=2500,
        currency="USD",
        email="ghost@example.org",
        name="Ghost",
        metadata={"donation_id": "999999"},
        payment_intent="pi_ghost",
    )
    outcome = ls.deliver(se.build_event("checkout.session.completed", session))
    assert outcome.status == StripeEventStatus.FAILED
    assert outcome.failed is False  # 200: a retry would not help
    assert "999999" in StripeEvent.objects.get().error
    assert Donation.objects.count() == 0


def test_status_rules_are_one_function():
    d = Donation(amount_minor=1000, currency="USD")
    assert donation_status(d) == DonationStatus.PENDING
    d.failed_at = d.paid_at = None
    d.refunded_minor = 0
    from django.utils import timezone

    d.paid_at = timezone.now()
    assert donation_status(d) == DonationStatus.PAID
    d.dispute_status = DisputeStatus.WON
    assert donation_status(d) == DonationStatus.DISPUTE_WON
    d.refunded_minor = 400
    assert donation_status(d) == DonationStatus.PARTIALLY_REFUNDED
    d.dispute_status = DisputeStatus.OPEN
    assert donation_status(d) == DonationStatus.DISPUTED
    g = RecurringGift(amount_minor=1000, currency="USD", stripe_status="past_due")
    assert recurring_status(g, []) == RecurringStatus.PAST_DUE
    g.cancelled_at = timezone.now()
    assert recurring_status(g, []) == RecurringStatus.CANCELLED


STREAM_LENGTH = 17


@pytest.mark.postgres
@pytest.mark.django_db
@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    order=st.permutations(list(range(STREAM_LENGTH))),
    duplicates=st.lists(st.integers(0, STREAM_LENGTH - 1), max_size=8),
)
def test_any_order_and_any_duplicates_give_the_same_ledger(order, duplicates):
    expected = run_stream(list(range(STREAM_LENGTH)), [])
    assert len(expected["events"]) == STREAM_LENGTH
    assert run_stream(order, duplicates) == expected


def test_stream_length_matches():
    fake = ls.Pending(
        ana_once=Donation(pk=1),
        binh_once=Donation(pk=2),
        chris_monthly=RecurringGift(pk=3),
        dana_monthly=RecurringGift(pk=4),
    )
    assert len(ls.build_stream(fake)) == STREAM_LENGTH


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_event_from_ten_threads_makes_one_donation():
    pending = ls.make_pending()
    stream = ls.build_stream(pending)
    invoice_paid = next(e for e in stream if e["type"] == "invoice.paid")
    payload = se.encode(invoice_paid)
    header = se.sign_payload(payload, secret=ls.SECRET)
    barrier = threading.Barrier(10)
    outcomes: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            from donations.stripe_integration.intake import receive_event

            outcomes.append(receive_event(payload, header))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(outcomes) == 10
    assert all(o.status == StripeEventStatus.DONE and not o.failed for o in outcomes)
    assert sum(1 for o in outcomes if not o.duplicate) == 1
    assert Donation.objects.filter(invoice_id=invoice_paid["data"]["object"]["id"]).count() == 1
    assert StripeEvent.objects.count() == 1


def _instalment(gift: RecurringGift, *, paid: bool, intent: str, at: int) -> dict[str, Any]:
    invoice = se.invoice(
        invoice_id="in_retry_1",
        subscription="sub_retry",
        customer="cus_retry",
        amount_minor=1000,
        currency="USD",
        metadata={"recurring_gift_id": str(gift.pk)},
        paid=paid,
        payment_intent=intent,
        created=ls.T0,
    )
    return se.build_event("invoice.paid" if paid else "invoice.payment_failed", invoice, created=at)


@pytest.mark.django_db
@pytest.mark.parametrize("paid_first", [False, True])
def test_the_intent_that_paid_an_invoice_is_the_one_kept(paid_first):
    donor = Donor.objects.create(name="Chris", email="chris.r@example.org")
    gift = RecurringGift.objects.create(donor=donor, amount_minor=1000, currency="USD")
    failed = _instalment(gift, paid=False, intent="pi_first_try", at=ls.T0 + 10)
    paid = _instalment(gift, paid=True, intent="pi_retry", at=ls.T0 + 20)
    refund = se.build_event(
        "charge.refunded",
        se.charge(
            charge_id="ch_retry",
            payment_intent="pi_retry",
            amount_minor=1000,
            currency="USD",
            amount_refunded=400,
            created=ls.T0 + 20,
        ),
        created=ls.T0 + 30,
    )
    for event in [paid, failed, refund] if paid_first else [failed, paid, refund]:
        ls.deliver(event)
    donation = Donation.objects.get(invoice_id="in_retry_1")
    assert donation.payment_intent_id == "pi_retry"
    assert (donation.status, donation.refunded_minor) == (
        DonationStatus.PARTIALLY_REFUNDED,
        400,
    )


@pytest.mark.django_db
def test_an_invoice_paid_without_a_charge_records_no_gift():
    donor = Donor.objects.create(name="Trial", email="trial@example.org")
    gift = RecurringGift.objects.create(donor=donor, amount_minor=1000, currency="USD")
    event = _instalment(gift, paid=True, intent="pi_zero", at=ls.T0)
    event["data"]["object"]["amount_paid"] = 0
    assert ls.deliver(event).status == StripeEventStatus.DONE
    assert Donation.objects.count() == 0


# Events that can never apply: answered 200, recorded, not retried


ABSURD = 10**20  # more than a 64-bit integer holds


def _post_signed(client: Any, event: dict[str, Any]) -> Any:
    payload = se.encode(event)
    return client.post(
        "/stripe/webhook/",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": se.sign_payload(payload, secret=ls.SECRET)},
    )


@pytest.mark.django_db
def test_an_absurd_amount_is_a_permanent_failure_answered_200(client, coordinator):
    donor = Donor.objects.create(name="Chris", email="chris.r@example.org")
    gift = RecurringGift.objects.create(donor=donor, amount_minor=1000, currency="USD")
    event = _instalment(gift, paid=True, intent="pi_absurd", at=ls.T0)
    event["data"]["object"]["amount_paid"] = ABSURD
    first = _post_signed(client, event)
    assert (first.status_code, first.json()) == (200, {"status": "failed"})
    stored = StripeEvent.objects.get()
    assert (stored.status, stored.permanent_failure, stored.attempts) == (
        StripeEventStatus.FAILED,
        True,
        1,
    )
    assert stored.error == (
        f"PermanentEventError: amount_paid {ABSURD} is not an amount Stripe can charge"
    )
    assert Donation.objects.count() == 0 and Receipt.objects.count() == 0
    # Shown on the coordinators' events page, said to be final.
    client.force_login(coordinator)
    page = client.get("/coordinator/giving/stripe-events/", {"status": "failed"})
    html = page.content.decode()
    assert [e.pk for e in page.context["page"].object_list] == [stored.pk]
    assert f"amount_paid {ABSURD} is not an amount Stripe can charge" in html
    assert "Cannot be applied as sent: Stripe will not retry it." in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("type_", "field"),
    [
        ("checkout.session.completed", "amount_total"),
        ("charge.refunded", "amount_refunded"),
        ("charge.dispute.created", "amount"),
    ],
)
def test_every_amount_an_event_carries_is_checked(client, type_, field):
    donor = Donor.objects.create(name="Ana", email="ana.q@example.org")
    donation = Donation.objects.create(
        donor=donor, amount_minor=2500, currency="USD", payment_intent_id="pi_q"
    )
    if type_ == "checkout.session.completed":
        obj = se.checkout_session(
            session_id="cs_q",
            mode="payment",
            amount_minor=2500,
            currency="USD",
            email=donor.email,
            name=donor.name,
            metadata={"donation_id": str(donation.pk)},
            payment_status="paid",
            payment_intent="pi_q",
        )
    elif type_ == "charge.refunded":
        obj = se.charge(
            charge_id="ch_q",
            payment_intent="pi_q",
            amount_minor=2500,
            currency="USD",
            amount_refunded=2500,
            created=ls.T0,
        )
    else:
        obj = se.dispute(
            dispute_id="dp_q",
            charge_id="ch_q",
            payment_intent="pi_q",
            amount_minor=2500,
            currency="USD",
            status="needs_response",
            created=ls.T0,
        )
    obj[field] = ABSURD
    response = _post_signed(client, se.build_event(type_, obj, created=ls.T0))
    assert (response.status_code, response.json()) == (200, {"status": "failed"})
    stored = StripeEvent.objects.get()
    assert stored.permanent_failure is True
    assert stored.error.endswith(f"{field} {ABSURD} is not an amount Stripe can charge")
    donation.refresh_from_db()
    assert (donation.status, donation.amount_minor, donation.refunded_minor) == (
        DonationStatus.PENDING,
        2500,
        0,
    )


@pytest.mark.django_db
def test_a_waiting_refund_that_can_never_apply_does_not_block_its_payment():
    """A refund with an absurd amount waits for its payment; when the payment comes, the
    payment is recorded and the refund alone fails, for good."""
    donor = Donor.objects.create(name="Ana", email="ana.w@example.org")
    donation = Donation.objects.create(donor=donor, amount_minor=2500, currency="USD")
    refund = se.charge(
        charge_id="ch_w",
        payment_intent="pi_w",
        amount_minor=2500,
        currency="USD",
        amount_refunded=2500,
        created=ls.T0,
    )
    refund["amount_refunded"] = ABSURD
    assert ls.deliver(se.build_event("charge.refunded", refund, created=ls.T0 + 5)).status == (
        StripeEventStatus.DEFERRED
    )
    session = se.checkout_session(
        session_id="cs_w",
        mode="payment",
        amount_minor=2500,
        currency="USD",
        email=donor.email,
        name=donor.name,
        metadata={"donation_id": str(donation.pk)},
        payment_status="paid",
        payment_intent="pi_w",
    )
    outcome = ls.deliver(se.build_event("checkout.session.completed", session, created=ls.T0))
    assert outcome.status == StripeEventStatus.DONE
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_minor) == (DonationStatus.PAID, 0)
    waited = StripeEvent.objects.get(type="charge.refunded")
    assert (waited.status, waited.permanent_failure, waited.waiting_for) == (
        StripeEventStatus.FAILED,
        True,
        "",
    )


@pytest.mark.django_db
def test_each_monthly_instalment_keeps_the_link_the_monthly_gift_came_from():
    pending = ls.make_pending()
    RecurringGift.objects.filter(pk=pending.chris_monthly.pk).update(referral="whatsapp")
    for event in ls.build_stream(pending):
        ls.deliver(event)
    instalments = Donation.objects.filter(recurring_gift=pending.chris_monthly)
    assert sorted(instalments.values_list("invoice_id", "referral")) == [
        (f"in_chris_{n}", "whatsapp") for n in range(1, 5)
    ]
    assert list(
        Donation.objects.filter(recurring_gift=pending.dana_monthly).values_list(
            "referral", flat=True
        )
    ) == [""]
