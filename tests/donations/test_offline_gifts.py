"""Offline gifts: one at a time and as a deposit batch that must balance before posting;
both get receipts like card gifts. Permissions and query counts of the pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from donations.models import (
    Campaign,
    Deposit,
    DepositLine,
    DepositStatus,
    Donation,
    DonationSource,
    DonationStatus,
    Donor,
    Receipt,
    ReceiptStatus,
)
from donations.money import Money
from donations.services import offline
from donations.services.offline import NewDonor
from notifications.models import Message

pytestmark = pytest.mark.django_db

BASE = "/coordinator/giving"


@pytest.fixture(autouse=True)
def zone(settings):
    settings.ORG_TIME_ZONE = "America/New_York"


@pytest.fixture
def binh() -> Donor:
    return Donor.objects.create(name="Binh Tran", email="binh.o@example.org")


# One gift


def test_a_cheque_is_recorded_paid_and_receipted(coordinator, binh):
    gift = offline.record_offline_gift(
        donor=binh,
        source=DonationSource.CHEQUE,
        amount=Money(12500, "USD"),
        received_on=date(2026, 3, 2),
        cheque_number="1042",
        cheque_bank="Acme Bank",
        by=coordinator,
    )
    assert (gift.status, gift.source, gift.cheque_number, gift.cheque_bank) == (
        DonationStatus.PAID,
        DonationSource.CHEQUE,
        "1042",
        "Acme Bank",
    )
    assert gift.paid_at is not None and gift.paid_at.isoformat() == "2026-03-02T17:00:00+00:00"
    assert gift.entered_by == coordinator
    receipt = Receipt.objects.get(donation=gift)
    assert (receipt.status, receipt.amount_minor) == (ReceiptStatus.ISSUED, 12500)
    assert Message.objects.filter(kind="donation.receipt").count() == 1


def test_an_in_kind_gift_needs_a_description_and_a_new_donor_is_made(coordinator):
    with pytest.raises(ValidationError):
        offline.record_offline_gift(
            donor=None,
            new_donor=NewDonor(name="Chris"),
            source=DonationSource.IN_KIND,
            amount=Money(30000, "USD"),
            received_on=date(2026, 3, 2),
            by=coordinator,
        )
    gift = offline.record_offline_gift(
        donor=None,
        new_donor=NewDonor(name="Chris Osei", city="Accra", country="GH"),
        source=DonationSource.IN_KIND,
        amount=Money(30000, "USD"),
        received_on=date(2026, 3, 2),
        in_kind_description="Two laptops",
        by=coordinator,
    )
    assert (gift.donor.name, gift.donor.city, gift.in_kind_description) == (
        "Chris Osei",
        "Accra",
        "Two laptops",
    )
    # No e-mail address: the receipt is issued, nothing is queued.
    assert Receipt.objects.filter(donation=gift).count() == 1
    assert Message.objects.count() == 0


def test_gift_page_records_a_cash_gift_for_a_chosen_donor(client: Client, coordinator, binh):
    client.force_login(coordinator)
    page = client.get(f"{BASE}/offline-gift/", {"q": "binh"}).content.decode()
    assert f'value="{binh.pk}"' in page
    response = client.post(
        f"{BASE}/offline-gift/",
        {
            "donor": binh.pk,
            "source": "cash",
            "amount": "40",
            "currency": "USD",
            "received_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    gift = Donation.objects.get()
    assert (gift.donor, gift.amount_minor, gift.source) == (binh, 4000, "cash")


def test_gift_page_shows_clear_errors(client: Client, coordinator, binh):
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/offline-gift/",
        {
            "new_name": "Someone",
            "new_email": "BINH.O@example.org",
            "source": "cheque",
            "amount": "25,50",
            "currency": "USD",
            "received_on": "2150-01-01",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A donor with this e-mail exists already" in page
    assert "Enter the cheque&#x27;s number." in page
    assert "The date received cannot be in the future." in page
    assert "Enter the amount in digits" in page
    assert Donation.objects.count() == 0


# A deposit batch


def _deposit(coordinator, total: int = 30000, count: int = 3) -> Deposit:
    return offline.open_deposit(
        deposited_on=date(2026, 4, 1),
        expected_total=Money(total, "USD"),
        expected_count=count,
        reference="SLIP-7",
        by=coordinator,
    )


def test_a_batch_that_does_not_add_up_cannot_be_posted(coordinator, binh):
    deposit = _deposit(coordinator)
    for minor, number in ((10000, "1"), (10000, "2"), (5000, "3")):
        offline.add_deposit_line(
            by=coordinator,
            deposit=deposit,
            donor=binh,
            source=DonationSource.CHEQUE,
            amount=Money(minor, "USD"),
            cheque_number=number,
        )
    assert offline.deposit_totals(deposit).total == Money(25000, "USD")
    with pytest.raises(ValidationError) as caught:
        offline.post_deposit(deposit=deposit, by=coordinator)
    assert "The gifts add up to $250.00 in 3 gifts" in caught.value.messages[0]
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.OPEN
    assert Donation.objects.count() == 0
    assert Receipt.objects.count() == 0


def test_posting_makes_the_gifts_and_receipts_in_one_transaction(coordinator, binh, monkeypatch):
    campaign = Campaign.objects.create(name="Shelter", slug="shelter")
    deposit = _deposit(coordinator)
    offline.add_deposit_line(
        by=coordinator,
        deposit=deposit,
        donor=binh,
        source="cheque",
        amount=Money(10000, "USD"),
        cheque_number="7",
    )
    offline.add_deposit_line(
        by=coordinator,
        deposit=deposit,
        donor=None,
        new_donor=NewDonor(name="Dana Weiss", email="dana.o@example.org"),
        source="cash",
        amount=Money(15000, "USD"),
        campaign=campaign,
    )
    offline.add_deposit_line(
        by=coordinator,
        deposit=deposit,
        donor=binh,
        source="bank_transfer",
        amount=Money(5000, "USD"),
    )
    # The third receipt fails: nothing at all is kept.
    from donations.services import receipts

    real_issue = receipts._issue
    calls = {"n": 0}

    def failing_issue(donation, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("printer on fire")
        return real_issue(donation, **kwargs)

    monkeypatch.setattr(receipts, "_issue", failing_issue)
    with pytest.raises(RuntimeError):
        offline.post_deposit(deposit=deposit, by=coordinator)
    assert (Donation.objects.count(), Receipt.objects.count(), Message.objects.count()) == (0, 0, 0)
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.OPEN

    monkeypatch.setattr(receipts, "_issue", real_issue)
    gifts = offline.post_deposit(deposit=deposit, by=coordinator)
    assert [(g.amount_minor, g.source, g.status) for g in gifts] == [
        (10000, "cheque", "paid"),
        (15000, "cash", "paid"),
        (5000, "bank_transfer", "paid"),
    ]
    assert all(g.deposit_id == deposit.pk for g in gifts)
    assert gifts[1].campaign == campaign
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2, 3]
    deposit.refresh_from_db()
    assert (deposit.status, deposit.posted_by) == (DepositStatus.POSTED, coordinator)
    # Posted once: again is refused, and lines can no longer change.
    with pytest.raises(ValidationError):
        offline.post_deposit(deposit=deposit, by=coordinator)
    with pytest.raises(ValidationError):
        offline.add_deposit_line(
            by=coordinator, deposit=deposit, donor=binh, source="cash", amount=Money(100, "USD")
        )


def test_a_line_in_another_currency_or_in_kind_is_refused(coordinator, binh):
    deposit = _deposit(coordinator)
    with pytest.raises(ValidationError):
        offline.add_deposit_line(
            by=coordinator, deposit=deposit, donor=binh, source="cash", amount=Money(500000, "VND")
        )
    with pytest.raises(ValidationError):
        offline.add_deposit_line(
            by=coordinator, deposit=deposit, donor=binh, source="in_kind", amount=Money(100, "USD")
        )
    assert DepositLine.objects.count() == 0


def test_deposit_pages_add_lines_with_htmx_and_post(client: Client, coordinator, binh):
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/deposits/",
        {
            "deposited_on": "2026-04-01",
            "reference": "SLIP-9",
            "currency": "USD",
            "expected_total": "150",
            "expected_count": "2",
        },
    )
    assert response.status_code == 302
    deposit = Deposit.objects.get()
    url = f"{BASE}/deposits/{deposit.pk}/"
    htmx = {"HX-Request": "true"}
    fragment = client.post(
        f"{url}lines/",
        {"donor": binh.pk, "source": "cheque", "amount": "100", "cheque_number": "55"},
        headers=htmx,
    ).content.decode()
    assert "Entered $100.00 in 1 gift, of $150.00 in 2." in fragment
    # The donor search is cleared (out of band) for the next gift.
    assert '<div id="donor-choices" hx-swap-oob="true"></div>' in fragment
    assert "disabled" in fragment
    # Posting now is refused with the reason.
    response = client.post(f"{url}post/", follow=True)
    assert "The gifts add up to $100.00 in 1 gift" in response.content.decode()
    fragment = client.post(
        f"{url}lines/",
        {"new_name": "Eve Adams", "source": "cash", "amount": "50"},
        headers=htmx,
    ).content.decode()
    assert "Entered $150.00 in 2 gifts, of $150.00 in 2." in fragment
    assert "Balanced" in fragment
    # An erring line comes back with its error in the fragment.
    fragment = client.post(
        f"{url}lines/", {"source": "cash", "amount": "x"}, headers=htmx
    ).content.decode()
    assert "Choose a donor from the search" in fragment
    assert DepositLine.objects.count() == 2
    response = client.post(f"{url}post/")
    assert response.status_code == 302
    assert Donation.objects.count() == 2
    assert Receipt.objects.filter(status=ReceiptStatus.ISSUED).count() == 2


# Permissions and query counts

PAGES = [
    f"{BASE}/offline-gift/",
    f"{BASE}/deposits/",
    f"{BASE}/donors/search/?q=bi",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["volunteer", "donor"])
def test_only_coordinators_open_offline_pages(client: Client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("who", ["volunteer", "donor"])
def test_only_coordinators_change_deposits(client: Client, request, who, coordinator, binh):
    deposit = _deposit(coordinator, total=100, count=1)
    line = offline.add_deposit_line(
        by=coordinator, deposit=deposit, donor=binh, source="cash", amount=Money(100, "USD")
    )
    client.force_login(request.getfixturevalue(who))
    base = f"{BASE}/deposits/{deposit.pk}/"
    assert client.get(base).status_code == 403
    assert (
        client.post(
            f"{base}lines/", {"donor": binh.pk, "source": "cash", "amount": "1"}
        ).status_code
        == 403
    )
    assert client.post(f"{base}lines/{line.pk}/remove/").status_code == 403
    assert client.post(f"{base}post/").status_code == 403
    assert client.post(f"{BASE}/offline-gift/", {}).status_code == 403
    assert Donation.objects.count() == 0 and DepositLine.objects.count() == 1


def test_deposit_pages_query_counts_do_not_grow(client: Client, coordinator):
    client.force_login(coordinator)
    donors = [Donor.objects.create(name=f"D{i}", email=f"d{i}.o@example.org") for i in range(12)]

    def fill(deposit: Deposit, count: int) -> None:
        for donor in donors[:count]:
            offline.add_deposit_line(
                by=coordinator,
                deposit=deposit,
                donor=donor,
                source="cash",
                amount=Money(100, "USD"),
            )

    small = _deposit(coordinator, total=200, count=2)
    fill(small, 2)
    with CaptureQueriesContext(connection) as list_small:
        client.get(f"{BASE}/deposits/")
    with CaptureQueriesContext(connection) as detail_small:
        client.get(f"{BASE}/deposits/{small.pk}/")
    large = _deposit(coordinator, total=1200, count=12)
    fill(large, 12)
    for _ in range(5):
        _deposit(coordinator)
    with CaptureQueriesContext(connection) as list_large:
        client.get(f"{BASE}/deposits/")
    with CaptureQueriesContext(connection) as detail_large:
        client.get(f"{BASE}/deposits/{large.pk}/")
    assert len(list_small.captured_queries) == len(list_large.captured_queries)
    assert len(detail_small.captured_queries) == len(detail_large.captured_queries)


def test_a_gift_and_a_posted_deposit_are_audited(coordinator, binh):
    from accounts.models import AuditEntry
    from tests.factories import make_user

    binh.user = make_user(first_name="Binh", email="binh.u@example.org")
    binh.save(update_fields=["user"])
    gift = offline.record_offline_gift(
        donor=binh,
        source=DonationSource.CHEQUE,
        amount=Money(12500, "USD"),
        received_on=date(2026, 3, 2),
        cheque_number="1042",
        by=coordinator,
    )
    deposit = _deposit(coordinator, total=5000, count=1)
    offline.add_deposit_line(
        by=coordinator, deposit=deposit, donor=binh, source="cash", amount=Money(5000, "USD")
    )
    [banked] = offline.post_deposit(deposit=deposit, by=coordinator)
    deposit.refresh_from_db()
    # Opening the deposit and adding its line: tests/donations/test_service_audit.py.
    drafting = ["donations.deposit.opened", "donations.deposit.line_added"]
    receipts = list(Receipt.objects.order_by("pk"))
    # Each gift's receipt is issued by the coordinator who recorded it (no Stripe event).
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_id, e.data)
        for e in AuditEntry.objects.filter(action="donations.receipt.issued").order_by("pk")
    ] == [
        (
            "donations.receipt.issued",
            coordinator.pk,
            binh.user_id,
            str(receipt.pk),
            {"donation": receipt.donation_id, "number": receipt.display_number},
        )
        for receipt in receipts
    ]
    assert [receipt.donation_id for receipt in receipts] == [gift.pk, banked.pk]
    drafting.append("donations.receipt.issued")
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.exclude(action__in=drafting).order_by("pk")
    ] == [
        (
            "donations.gift.recorded",
            coordinator.pk,
            binh.user_id,
            "donations.donation",
            str(gift.pk),
            {
                "amount_minor": [None, 12500],
                "cheque_number": [None, "1042"],
                "currency": [None, "USD"],
                "in_kind_description": [None, ""],
                "paid_at": [None, "2026-03-02 17:00:00+00:00"],
                "source": [None, "cheque"],
                "status": [None, "paid"],
            },
            {"donor": binh.pk},
        ),
        (
            "donations.gift.recorded",
            coordinator.pk,
            binh.user_id,
            "donations.donation",
            str(banked.pk),
            {
                "amount_minor": [None, 5000],
                "cheque_number": [None, ""],
                "currency": [None, "USD"],
                "deposit": [None, deposit.pk],
                "in_kind_description": [None, ""],
                "paid_at": [None, "2026-04-01 16:00:00+00:00"],
                "source": [None, "cash"],
                "status": [None, "paid"],
            },
            {"donor": binh.pk},
        ),
        (
            "donations.deposit.posted",
            coordinator.pk,
            None,
            "donations.deposit",
            str(deposit.pk),
            {
                "posted_at": [None, str(deposit.posted_at)],
                "posted_by": [None, coordinator.pk],
                "status": ["open", "posted"],
            },
            {"gifts": 1},
        ),
    ]
