"""An erased donor's customers at Stripe, cleared through the real SDK against the local stub
once the erasure has committed: never inside its transaction; when Stripe cannot be
reached the erasure stands, the customer waits (shown on the donor's pages) and the task
and the sweep try again until Stripe answers."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from pytest_httpserver import HTTPServer

from accounts.models import AuditEntry, User
from accounts.roles import Role
from accounts.services.erasure import erase_person
from donations.models import (
    Donation,
    DonationStatus,
    Donor,
    StripeCustomerErasure,
    StripeCustomerLink,
)
from donations.services.donor_data import erase_donor
from donations.stripe_integration.customer_erasure import sweep_customer_erasures
from donations.tasks import StripeStillUnreachable, erase_stripe_customer
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
EMAIL = "noor@example.org"
# What the erasure sends for each customer: every personal field emptied.
EMPTIED = {
    "name": "",
    "email": "",
    "phone": "",
    "description": "",
    "address": "",
    "shipping": "",
    "metadata": "",
    "invoice_settings[custom_fields]": "",
}


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _donor() -> Donor:
    """Noor gave once by card (customer cus_noor) and was brought in from an older Stripe
    customer (cus_noor_old); no account (no receipt was e-mailed yet, which makes one)."""
    noor = Donor.objects.create(name="Noor Haddad", email=EMAIL, address_line1="4 Quay Road")
    Donation.objects.create(
        donor=noor,
        amount_minor=2500,
        currency="USD",
        status=DonationStatus.PAID,
        paid_at=NOW - timedelta(days=3),
        customer_id="cus_noor",
    )
    StripeCustomerLink.objects.create(customer_id="cus_noor_old", donor=noor, email=EMAIL)
    return noor


def _answer(stub: HTTPServer, customer_id: str) -> None:
    stub.expect_request(f"/v1/customers/{customer_id}", method="POST").respond_with_json(
        {"id": customer_id, "object": "customer", "email": None, "name": None}
    )


def _erase(noor: Donor, admin: User, capture: Any) -> list[int]:
    """Erase Noor; the tasks sent after commit are caught, not run. Their row ids."""
    with capture(execute=False) as callbacks:
        erase_donor(donor=noor, by=admin, confirmation=EMAIL)
    rows = list(StripeCustomerErasure.objects.order_by("customer_id"))
    assert len(callbacks) == len(rows) == 2
    return [row.pk for row in rows]


def _unreachable(settings: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port}"


def test_the_customers_are_cleared_after_the_erasure_commits(
    stripe_stub: HTTPServer, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    noor = _donor()
    ids = _erase(noor, coordinator, django_capture_on_commit_callbacks)
    # Nothing went to Stripe inside the erasure's transaction; the erasure is whole.
    assert stripe_stub.log == []
    noor.refresh_from_db()
    assert (noor.name, noor.email) == (f"Erased donor #{noor.pk}", "")
    assert list(StripeCustomerErasure.objects.values_list("customer_id", "status")) == [
        ("cus_noor", "pending"),
        ("cus_noor_old", "pending"),
    ]
    # Both customers are linked to the erased donor: a later import of the Stripe account
    # skips them instead of making a new donor from what Stripe still holds.
    assert sorted(StripeCustomerLink.objects.values_list("customer_id", "donor_id", "email")) == [
        ("cus_noor", noor.pk, ""),
        ("cus_noor_old", noor.pk, ""),
    ]
    _answer(stripe_stub, "cus_noor")
    _answer(stripe_stub, "cus_noor_old")
    assert [erase_stripe_customer(erasure_id=pk) for pk in ids] == [True, True]
    sent = [(request.path, dict(request.form)) for request, _ in stripe_stub.log]
    assert sent == [("/v1/customers/cus_noor", EMPTIED), ("/v1/customers/cus_noor_old", EMPTIED)]
    assert [request.headers["Idempotency-Key"] for request, _ in stripe_stub.log] == [
        f"erase-customer-{ids[0]}-0",
        f"erase-customer-{ids[1]}-0",
    ]
    assert list(
        StripeCustomerErasure.objects.values_list("status", "attempts", "done_at", "last_error")
    ) == [("done", 1, NOW, ""), ("done", 1, NOW, "")]
    # A second run (a redelivered task) asks Stripe nothing more.
    assert erase_stripe_customer(erasure_id=ids[0]) is True
    assert len(stripe_stub.log) == 2
    entries = AuditEntry.objects.filter(action__startswith="donations.stripe_customer.")
    assert [(e.action, e.actor_id, e.data["customer"]) for e in entries.order_by("pk")] == [
        ("donations.stripe_customer.erasure_queued", coordinator.pk, "cus_noor"),
        ("donations.stripe_customer.erasure_queued", coordinator.pk, "cus_noor_old"),
        ("donations.stripe_customer.erased", None, "cus_noor"),
        ("donations.stripe_customer.erased", None, "cus_noor_old"),
    ]
    # The gift keeps its customer id (refunds and disputes still find it).
    gift = Donation.objects.get()
    assert (gift.customer_id, gift.amount_minor) == ("cus_noor", 2500)


def test_unreachable_stripe_leaves_the_erasure_whole_and_tries_again(
    settings: Any,
    stripe_stub: HTTPServer,
    coordinator: User,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    noor = _donor()
    ids = _erase(noor, coordinator, django_capture_on_commit_callbacks)
    stub_base = settings.STRIPE_API_BASE
    _unreachable(settings)
    with pytest.raises(StripeStillUnreachable):
        erase_stripe_customer(erasure_id=ids[0])
    # The erasure stands; the customer waits, with the attempt counted.
    noor.refresh_from_db()
    assert (noor.name, noor.email, noor.address_line1) == (f"Erased donor #{noor.pk}", "", "")
    assert list(
        StripeCustomerErasure.objects.values_list("customer_id", "status", "attempts", "last_error")
    ) == [("cus_noor", "pending", 1, "APIConnectionError"), ("cus_noor_old", "pending", 0, "")]
    failed = AuditEntry.objects.get(action="donations.stripe_customer.failed")
    assert (failed.actor_id, failed.data) == (
        None,
        {"customer": "cus_noor", "attempt": 1, "error": "APIConnectionError"},
    )
    # The administrator sees what Stripe still holds, on the donor's pages.
    client.force_login(coordinator)
    for url in (
        f"/coordinator/giving/donors/{noor.pk}/",
        f"/coordinator/giving/donors/{noor.pk}/data/",
    ):
        page = client.get(url).content.decode()
        assert "Stripe still holds this donor's name and contact details" in page, url
        assert "Stripe customer cus_noor, tries so far: 1" in page
        assert "Stripe customer cus_noor_old, tries so far: 0" in page

    # Stripe is back. The sweep leaves a row tried in the last half hour to the task's own
    # retries; an hour on, it clears both, with a new idempotency key for the retried one.
    settings.STRIPE_API_BASE = stub_base
    _answer(stripe_stub, "cus_noor")
    _answer(stripe_stub, "cus_noor_old")
    assert sweep_customer_erasures() == 1  # cus_noor_old, never tried
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert sweep_customer_erasures() == 1
    assert [request.headers["Idempotency-Key"] for request, _ in stripe_stub.log] == [
        f"erase-customer-{ids[1]}-0",
        f"erase-customer-{ids[0]}-1",
    ]
    assert list(StripeCustomerErasure.objects.values_list("status", "attempts")) == [
        ("done", 2),
        ("done", 1),
    ]
    page = client.get(f"/coordinator/giving/donors/{noor.pk}/").content.decode()
    assert "Stripe still holds" not in page
    assert sweep_customer_erasures() == 0


def test_a_customer_deleted_at_stripe_counts_as_cleared(
    stripe_stub: HTTPServer, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    noor = _donor()
    ids = _erase(noor, coordinator, django_capture_on_commit_callbacks)
    stripe_stub.expect_request("/v1/customers/cus_noor", method="POST").respond_with_json(
        {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": "No such customer: 'cus_noor'",
            }
        },
        status=404,
    )
    assert erase_stripe_customer(erasure_id=ids[0]) is True
    assert StripeCustomerErasure.objects.get(pk=ids[0]).status == "done"


def test_offline_test_mode_queues_nothing(
    settings: Any, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    settings.STRIPE_SECRET_KEY = ""
    noor = _donor()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = erase_donor(donor=noor, by=coordinator, confirmation=EMAIL)
    assert (callbacks, StripeCustomerErasure.objects.count()) == ([], 0)
    assert "stripe_customers_queued" not in result.counts


def test_erasing_a_person_queues_their_donor_records_customers(
    stripe_stub: HTTPServer, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    noor = _donor()
    person = make_user(roles=[Role.DONOR], email=EMAIL, first_name="Noor")
    Donor.objects.filter(pk=noor.pk).update(user=person)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = erase_person(person=person, by=coordinator, confirmation=EMAIL)
    assert stripe_stub.log == []
    assert (len(callbacks), result.counts["stripe_customers_queued"]) == (2, 2)
    assert sorted(StripeCustomerErasure.objects.values_list("customer_id", "donor_id")) == [
        ("cus_noor", noor.pk),
        ("cus_noor_old", noor.pk),
    ]


def test_the_task_retries_and_beat_sweeps(settings: Any) -> None:
    assert issubclass(StripeStillUnreachable, erase_stripe_customer.autoretry_for)
    assert erase_stripe_customer.max_retries == 6
    entry = settings.CELERY_BEAT_SCHEDULE["donations-sweep-stripe-customer-erasures"]
    assert (entry["task"], entry["schedule"]) == ("donations.sweep_stripe_customer_erasures", 3600)
