"""Receipts: numbers without gaps per year, issue / void / replace with the ledger, the PDF
read back, the e-mail with its attachment, and coordinators' receipt pages."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.roles import Role
from donations.models import (
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    Receipt,
    ReceiptCounter,
    ReceiptStatus,
)
from donations.services.receipts import receipt_pdf, resend_receipt, sync_receipt
from donations.stripe_integration import offline_events as se
from notifications.models import Message
from notifications.services import deliver_message
from tests.donations import ledger_stream as ls
from tests.factories import make_user

PAID_AT = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def receipt_settings(settings):
    settings.STRIPE_WEBHOOK_SECRET = ls.SECRET
    settings.STRIPE_SECRET_KEY = ""
    settings.ORG_NAME = "Hope Line"
    settings.ORG_ADDRESS = "12 Harbour Street, Springfield"
    settings.ORG_REGISTRATION = "Charity no. 12-3456789"
    settings.RECEIPT_TAX_TEXT = "Keep this receipt for your tax records."
    settings.RECEIPT_NO_GOODS_TEXT = "No goods or services were provided."
    settings.RECEIPT_NUMBER_PREFIX = "R"
    settings.RECEIPT_NUMBER_START = 1
    settings.ORG_TIME_ZONE = "America/New_York"


def paid_gift(
    donor: Donor | None = None, minor: int = 2500, currency: str = "USD", **kwargs: Any
) -> Donation:
    if donor is None:
        donor, _created = Donor.objects.get_or_create(
            email="grace.h@example.org", defaults={"name": "Grace Hopper"}
        )
    return Donation.objects.create(
        donor=donor,
        amount_minor=minor,
        currency=currency,
        status=kwargs.pop("status", DonationStatus.PAID),
        paid_at=kwargs.pop("paid_at", PAID_AT),
        **kwargs,
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# Numbers


@pytest.mark.django_db
def test_numbers_are_consecutive_and_a_new_year_starts_again_at_one():
    with time_machine.travel(datetime(2026, 12, 31, 12, tzinfo=UTC), tick=False):
        first = [sync_receipt(donation=paid_gift(minor=1000 + i)) for i in range(3)]
    with time_machine.travel(datetime(2027, 1, 2, 12, tzinfo=UTC), tick=False):
        second = [sync_receipt(donation=paid_gift(minor=2000 + i)) for i in range(2)]
    assert [(r.year, r.number) for r in first if r] == [(2026, 1), (2026, 2), (2026, 3)]
    assert [(r.year, r.number) for r in second if r] == [(2027, 1), (2027, 2)]
    assert second[0] is not None and second[0].display_number == "R2027-000001"
    assert ReceiptCounter.objects.get(year=2026).next_number == 4


@pytest.mark.django_db
@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_both_ways_of_taking_a_number_count_the_same(monkeypatch, vendor):
    """PostgreSQL takes a number with UPDATE ... RETURNING; other databases (SQLite before
    3.35 has no RETURNING) with an UPDATE then a SELECT. Both run here on whichever
    database the suite uses, so CI on PostgreSQL checks the fallback too."""
    from django.db import connection as db

    from donations.services import receipts

    if vendor == "postgresql" and db.vendor != "postgresql":
        pytest.skip("UPDATE ... RETURNING path is PostgreSQL's")
    monkeypatch.setattr(db, "vendor", vendor)  # the connection receipts.py uses too
    with transaction.atomic():
        taken = [receipts._take_number(2031) for _ in range(3)]
    assert taken == [1, 2, 3]
    assert ReceiptCounter.objects.get(year=2031).next_number == 4


@pytest.mark.django_db
def test_the_first_number_of_a_year_is_configurable(settings):
    settings.RECEIPT_NUMBER_START = 500
    settings.RECEIPT_NUMBER_PREFIX = "HL-"
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        receipt = sync_receipt(donation=paid_gift())
    assert receipt is not None
    assert (receipt.number, receipt.display_number) == (500, "HL-2026-000500")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_get_twenty_distinct_consecutive_numbers():
    """Twenty gifts from twenty donors to twenty campaigns, paid at the same moment: nothing
    but the year's counter is shared, so only the counter's own atomic update keeps the
    numbers distinct (a read-then-write counter makes this test fail: checked by hand)."""
    gifts = []
    for i in range(20):
        donor = Donor.objects.create(name=f"Donor {i:02d}", email=f"donor{i:02d}@example.org")
        campaign = Campaign.objects.create(name=f"Campaign {i:02d}", slug=f"campaign-{i:02d}")
        gifts.append(paid_gift(donor, minor=1000 + i, campaign=campaign))
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def worker(gift: Donation) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                locked = Donation.objects.select_for_update().get(pk=gift.pk)
                sync_receipt(donation=locked)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(gift,)) for gift in gifts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    assert Receipt.objects.values("donation").distinct().count() == 20
    assert Receipt.objects.values("donor_name").distinct().count() == 20
    assert Receipt.objects.values("campaign_name").distinct().count() == 20
    assert ReceiptCounter.objects.get().next_number == 21
    assert Message.objects.filter(kind="donation.receipt").count() == 20


# Issue, void, replace


@pytest.mark.django_db
def test_sync_is_idempotent_and_emails_once():
    gift = paid_gift()
    first = sync_receipt(donation=gift)
    again = sync_receipt(donation=gift)
    assert first is not None and again is not None and first.pk == again.pk
    assert Receipt.objects.count() == 1
    messages = list(Message.objects.filter(kind="donation.receipt"))
    assert len(messages) == 1
    assert messages[0].dedupe_key == f"donation.receipt:{first.year}-{first.number}"
    assert messages[0].essential is True
    assert messages[0].recipient.email == "grace.h@example.org"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [DonationStatus.PENDING, DonationStatus.FAILED, DonationStatus.DISPUTED]
)
def test_no_receipt_for_a_gift_not_paid(status):
    gift = paid_gift(status=status)
    assert sync_receipt(donation=gift) is None
    assert Receipt.objects.count() == 0


def _session_paid(gift: Donation, amount: int, currency: str) -> dict[str, Any]:
    session = se.checkout_session(
        session_id=f"cs_r_{gift.pk}",
        mode="payment",
        amount_minor=amount,
        currency=currency,
        email=gift.donor.email,
        name=gift.donor.name,
        metadata={"donation_id": str(gift.pk)},
        payment_status="paid",
        payment_intent=f"pi_r_{gift.pk}",
    )
    return se.build_event("checkout.session.completed", session, created=ls.T0)


def _refund(gift: Donation, amount: int, refunded: int, created: int) -> dict[str, Any]:
    charge = se.charge(
        charge_id=f"ch_r_{gift.pk}",
        payment_intent=f"pi_r_{gift.pk}",
        amount_minor=amount,
        currency=gift.currency,
        amount_refunded=refunded,
        created=ls.T0,
    )
    return se.build_event("charge.refunded", charge, created=created)


@pytest.mark.django_db
def test_partial_refund_voids_and_replaces_with_the_net_then_full_refund_voids():
    donor = Donor.objects.create(name="Ana Lima", email="ana.lima@example.org")
    gift = Donation.objects.create(donor=donor, amount_minor=5000, currency="USD")
    ls.deliver(_session_paid(gift, 5000, "USD"))
    original = Receipt.objects.get(donation=gift)
    assert (original.status, original.amount_minor) == (ReceiptStatus.ISSUED, 5000)

    ls.deliver(_refund(gift, 5000, 2000, ls.T0 + 10))
    original.refresh_from_db()
    assert original.status == ReceiptStatus.VOID
    assert original.voided_at is not None
    assert "Refunded in part" in original.void_reason
    replacement = Receipt.objects.get(donation=gift, status=ReceiptStatus.ISSUED)
    assert (replacement.amount_minor, replacement.currency) == (3000, "USD")
    assert replacement.replaces_id == original.pk
    assert replacement.number == original.number + 1
    # Delivered again: nothing changes.
    ls.deliver(_refund(gift, 5000, 2000, ls.T0 + 10))
    assert Receipt.objects.filter(donation=gift).count() == 2

    ls.deliver(_refund(gift, 5000, 5000, ls.T0 + 20))
    assert not Receipt.objects.filter(donation=gift, status=ReceiptStatus.ISSUED).exists()
    replacement.refresh_from_db()
    assert (replacement.status, replacement.void_reason) == (
        ReceiptStatus.VOID,
        "Refunded in full.",
    )
    assert Receipt.objects.filter(donation=gift).count() == 2
    keys = sorted(
        Message.objects.filter(kind="donation.receipt").values_list("dedupe_key", flat=True)
    )
    assert keys == [
        f"donation.receipt:{original.year}-{original.number}",
        f"donation.receipt:{replacement.year}-{replacement.number}",
    ]


@pytest.mark.django_db
def test_a_lost_dispute_voids_the_receipt():
    gift = paid_gift()
    receipt = sync_receipt(donation=gift)
    assert receipt is not None
    gift.status = DonationStatus.DISPUTE_LOST
    gift.save()
    assert sync_receipt(donation=gift) is None
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.VOID
    assert receipt.void_reason.startswith("Dispute lost")


# The PDF


@pytest.mark.django_db
def test_pdf_of_a_usd_gift_in_english():
    campaign = Campaign.objects.create(name="School outreach", slug="outreach")
    donor = Donor.objects.create(
        name="Grace Hopper",
        email="grace.h@example.org",
        address_line1="1 Navy Way",
        city="Arlington",
        region="VA",
        postal_code="22202",
        country="US",
    )
    receipt = sync_receipt(donation=paid_gift(donor, minor=2550, campaign=campaign))
    assert receipt is not None
    text = pdf_text(receipt_pdf(receipt))
    for expected in (
        "Hope Line",
        "12 Harbour Street, Springfield",
        "Charity no. 12-3456789",
        "Keep this receipt for your tax records.",
        "No goods or services were provided.",
        receipt.display_number,
        "Grace Hopper",
        "1 Navy Way",
        "$25.50",
        "twenty-five dollars, fifty cents",
        "School outreach",
        "Mar 4, 2026",
    ):
        assert expected in text, expected


@pytest.mark.django_db
def test_pdf_of_a_vnd_gift_in_vietnamese(settings):
    settings.RECEIPT_NO_GOODS_TEXT = ""
    user = make_user(email="binh@example.org", roles=[Role.DONOR], preferred_language="vi")
    donor = Donor.objects.create(name="Trần Thị Bình", email="binh@example.org", user=user)
    receipt = sync_receipt(donation=paid_gift(donor, minor=500000, currency="VND"))
    assert receipt is not None and receipt.language == "vi"
    text = pdf_text(receipt_pdf(receipt))
    assert "Trần Thị Bình" in text
    assert "500.000 ₫" in text
    assert "năm trăm nghìn đồng Việt Nam" in text
    assert receipt.display_number in text
    assert "No goods" not in text


@pytest.mark.django_db
def test_pdf_is_the_same_bytes_every_time_and_marks_a_void_receipt():
    gift = paid_gift()
    receipt = sync_receipt(donation=gift)
    assert receipt is not None
    assert receipt_pdf(receipt) == receipt_pdf(Receipt.objects.get(pk=receipt.pk))
    gift.status = DonationStatus.REFUNDED
    gift.refunded_minor = gift.amount_minor
    gift.save()
    sync_receipt(donation=gift)
    receipt.refresh_from_db()
    assert "VOID: Refunded in full." in pdf_text(receipt_pdf(receipt))


# The e-mail


@pytest.mark.django_db
def test_the_email_carries_the_pdf(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    receipt = sync_receipt(donation=paid_gift())
    assert receipt is not None
    message = Message.objects.get(kind="donation.receipt")
    # The PDF is made when the e-mail goes (outside the numbering lock), not stored here.
    assert message.attachments == []
    assert message.context["receipt_id"] == receipt.pk
    deliver_message(message_id=message.pk)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert receipt.display_number in sent.subject
    name, content, mimetype = sent.attachments[0]
    assert (name, mimetype) == (f"receipt-{receipt.display_number}.pdf", "application/pdf")
    assert content == receipt_pdf(receipt)


@pytest.mark.django_db
def test_a_receipt_voided_before_its_email_went_is_never_sent(settings):
    """A full refund that arrives with its payment (e.g. the refund was deferred until the
    checkout linked the payment) voids the receipt in the same transaction."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    gift = paid_gift()
    receipt = sync_receipt(donation=gift)
    assert receipt is not None
    gift.refunded_minor = gift.amount_minor
    gift.status = DonationStatus.REFUNDED
    gift.save()
    sync_receipt(donation=gift)
    message = Message.objects.get(kind="donation.receipt")
    assert deliver_message(message_id=message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.last_error == f"Receipt {receipt.display_number} was voided before it was sent."
    assert mail.outbox == []


@pytest.mark.django_db
def test_no_email_for_a_donor_without_an_address():
    donor = Donor.objects.create(name="Cash Only")
    receipt = sync_receipt(donation=paid_gift(donor))
    assert receipt is not None and receipt.times_sent == 0
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_resend_uses_a_new_key_each_time_and_refuses_a_void_receipt(coordinator):
    from django.core.exceptions import ValidationError

    gift = paid_gift()
    receipt = sync_receipt(donation=gift)
    assert receipt is not None
    resend_receipt(receipt=receipt, by=coordinator)
    resend_receipt(receipt=receipt, by=coordinator)
    keys = list(
        Message.objects.filter(kind="donation.receipt")
        .order_by("pk")
        .values_list("dedupe_key", flat=True)
    )
    base = f"donation.receipt:{receipt.year}-{receipt.number}"
    assert keys == [base, f"{base}:resend:1", f"{base}:resend:2"]
    receipt.refresh_from_db()
    assert receipt.times_sent == 3
    gift.status = DonationStatus.REFUNDED
    gift.refunded_minor = gift.amount_minor
    gift.save()
    sync_receipt(donation=gift)
    with pytest.raises(ValidationError):
        resend_receipt(receipt=receipt, by=coordinator)


# Coordinator pages

RECEIPTS_URL = "/coordinator/giving/receipts/"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["volunteer", "donor"])
def test_only_coordinators_see_the_receipt_list_and_resend(client: Client, request, who):
    receipt = sync_receipt(donation=paid_gift())
    assert receipt is not None
    client.force_login(request.getfixturevalue(who))
    assert client.get(RECEIPTS_URL).status_code == 403
    assert client.post(f"{RECEIPTS_URL}{receipt.pk}/resend/").status_code == 403
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_visitors_are_sent_to_log_in(client: Client):
    response = client.get(RECEIPTS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_coordinator_resends_and_sees_void_and_replacement(client: Client, coordinator):
    gift = paid_gift(minor=5000)
    original = sync_receipt(donation=gift)
    gift.refunded_minor = 1000
    gift.status = DonationStatus.PARTIALLY_REFUNDED
    gift.save()
    replacement = sync_receipt(donation=gift)
    assert original is not None and replacement is not None
    client.force_login(coordinator)
    page = client.get(RECEIPTS_URL).content.decode()
    assert original.display_number in page and replacement.display_number in page
    assert "Void" in page and f"Replaces {original.display_number}" in page
    response = client.post(f"{RECEIPTS_URL}{replacement.pk}/resend/")
    assert response.status_code == 302
    assert Message.objects.filter(dedupe_key__endswith=":resend:1").count() == 1
    # A void receipt is refused with a message, never a 500.
    response = client.post(f"{RECEIPTS_URL}{original.pk}/resend/", follow=True)
    assert response.status_code == 200
    assert "is void" in response.content.decode()


@pytest.mark.django_db
def test_receipt_list_query_count_does_not_grow(client: Client, coordinator):
    def add(count: int) -> None:
        for i in range(count):
            donor = Donor.objects.create(name=f"Donor {i}", email=f"d{i}-{count}@example.org")
            gift = paid_gift(donor, minor=1000 + i)
            sync_receipt(donation=gift)
            if i % 2:
                gift.refunded_minor = 100
                gift.status = DonationStatus.PARTIALLY_REFUNDED
                gift.save()
                sync_receipt(donation=gift)

    client.force_login(coordinator)
    add(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(RECEIPTS_URL).status_code == 200
    add(12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(RECEIPTS_URL).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


# Donor download


@pytest.mark.django_db
def test_a_donor_downloads_their_receipt_but_not_anothers(client: Client):
    mine_user = make_user(email="mine@example.org", roles=[Role.DONOR])
    mine = Donor.objects.create(name="Mine", email="mine@example.org", user=mine_user)
    other = Donor.objects.create(name="Other", email="other@example.org")
    my_receipt = sync_receipt(donation=paid_gift(mine))
    their_receipt = sync_receipt(donation=paid_gift(other))
    assert my_receipt is not None and their_receipt is not None
    client.force_login(mine_user)
    response = client.get(f"/donor/receipts/{my_receipt.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == receipt_pdf(my_receipt)
    assert client.get(f"/donor/receipts/{their_receipt.pk}/pdf").status_code == 404
    assert client.get("/donor/receipts/999999/pdf").status_code == 404


@pytest.mark.django_db
def test_a_coordinator_downloads_any_receipt(client: Client, coordinator):
    receipt = sync_receipt(donation=paid_gift())
    assert receipt is not None
    client.force_login(coordinator)
    assert client.get(f"/donor/receipts/{receipt.pk}/pdf").status_code == 200


@pytest.mark.django_db
def test_pdf_in_thai_embeds_the_thai_font():
    user = make_user(email="somchai@example.org", roles=[Role.DONOR], preferred_language="th")
    donor = Donor.objects.create(name="สมชาย ใจดี", email="somchai@example.org", user=user)
    receipt = sync_receipt(donation=paid_gift(donor, minor=100000, currency="THB"))
    assert receipt is not None
    data = receipt_pdf(receipt)
    text = pdf_text(data)
    assert "สมชาย ใจดี" in text
    assert "฿1,000.00" in text
    assert "หนึ่งพัน" in text
    assert b"NotoSansThai" in data


@pytest.mark.django_db
def test_receipt_list_finds_a_number_and_filters_by_status(client: Client, coordinator):
    gifts = [paid_gift(minor=1000 + i) for i in range(3)]
    receipts = [sync_receipt(donation=g) for g in gifts]
    gifts[0].status = DonationStatus.REFUNDED
    gifts[0].refunded_minor = gifts[0].amount_minor
    gifts[0].save()
    sync_receipt(donation=gifts[0])
    client.force_login(coordinator)
    wanted = receipts[1]
    assert wanted is not None
    page = client.get(RECEIPTS_URL, {"q": wanted.display_number}).content.decode()
    assert "1 receipt" in page and wanted.display_number in page
    page = client.get(RECEIPTS_URL, {"status": "void"}).content.decode()
    assert "1 receipt" in page
    # Bad filter input is a form error, not a 500.
    assert client.get(RECEIPTS_URL, {"year": "abc"}).status_code == 200
