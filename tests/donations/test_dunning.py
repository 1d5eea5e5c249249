"""A failed monthly payment: one e-mail, with a link that opens Stripe's Billing Portal."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from donations.models import Donor, RecurringGift, RecurringStatus
from donations.stripe_integration import offline_events as se
from donations.stripe_integration.dunning import card_update_token, gift_for_card_token
from notifications.models import Message
from notifications.services.sending import deliver_message
from tests.donations import ledger_stream as ls


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = ls.SECRET
    settings.SITE_URL = "https://give.example.org"


def failed_invoice_event(gift: RecurringGift) -> dict[str, object]:
    invoice = se.invoice(
        invoice_id="in_fail_1",
        subscription="sub_fail",
        customer="cus_fail",
        amount_minor=1500,
        currency="USD",
        metadata={"recurring_gift_id": str(gift.pk)},
        paid=False,
        payment_intent="pi_fail_1",
        created=ls.T0,
    )
    return se.build_event("invoice.payment_failed", invoice, created=ls.T0 + 5)


@pytest.fixture
def gift(db):
    donor = Donor.objects.create(name="Chris Osei", email="chris@example.org")
    return RecurringGift.objects.create(donor=donor, amount_minor=1500, currency="USD")


def test_failed_payment_sends_one_dunning_email_even_when_delivered_twice(gift, settings):
    settings.STRIPE_SECRET_KEY = ""
    event = failed_invoice_event(gift)
    assert ls.deliver(event).status == "done"
    assert ls.deliver(event).duplicate is True
    gift.refresh_from_db()
    assert gift.status == RecurringStatus.PAST_DUE
    messages = list(Message.objects.filter(kind="donation.payment_failed"))
    assert len(messages) == 1
    assert messages[0].recipient.email == "chris@example.org"
    assert messages[0].dedupe_key == "donation.payment_failed:in_fail_1"
    # Re-processing the same invoice's failure (e.g. from the admin) queues nothing new.
    from donations.stripe_integration.dunning import record_payment_failed

    record_payment_failed(gift=gift, donation=gift.donations.get())
    assert Message.objects.filter(kind="donation.payment_failed").count() == 1

    deliver_message(message_id=messages[0].pk)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["chris@example.org"]
    assert "$15.00" in email.body
    links = re.findall(r"https://give\.example\.org/donor/update-card/[^\s\"<]+/", str(email.body))
    assert links, email.body
    token = links[0].rstrip("/").rsplit("/", 1)[1]
    linked = gift_for_card_token(token)
    assert linked is not None
    assert linked.pk == gift.pk


def test_the_card_link_opens_a_billing_portal_session(client, gift, stripe_stub: HTTPServer):
    gift.stripe_customer_id = "cus_fail"
    gift.save()
    seen: list[dict[str, str]] = []

    def portal(request: Request) -> Response:
        seen.append(dict(request.form))
        body = {
            "id": "bps_1",
            "object": "billing_portal.session",
            "customer": "cus_fail",
            "url": "https://billing.stripe.com/p/session/test_abc",
        }
        return Response(json.dumps(body), content_type="application/json")

    stripe_stub.expect_request("/v1/billing_portal/sessions", method="POST").respond_with_handler(
        portal
    )
    url = f"/donor/update-card/{card_update_token(gift)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Update my card" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == "https://billing.stripe.com/p/session/test_abc"
    assert seen == [{"customer": "cus_fail", "return_url": "http://testserver/donor/"}]


def test_a_forged_or_foreign_card_link_is_404(client, gift):
    assert client.get("/donor/update-card/not-a-token/").status_code == 404
    token = card_update_token(gift)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/donor/update-card/{tampered}/").status_code == 404


def test_offline_mode_says_it_is_a_test(client, gift, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = client.post(f"/donor/update-card/{card_update_token(gift)}/")
    assert response.status_code == 200
    assert "Test mode" in response.content.decode()


def paid_invoice_event(gift: RecurringGift) -> dict[str, object]:
    invoice = se.invoice(
        invoice_id="in_fail_1",
        subscription="sub_fail",
        customer="cus_fail",
        amount_minor=1500,
        currency="USD",
        metadata={"recurring_gift_id": str(gift.pk)},
        paid=True,
        payment_intent="pi_fail_1",
        created=ls.T0,
    )
    return se.build_event("invoice.paid", invoice, created=ls.T0 + 60)


def test_no_dunning_when_the_failure_arrives_after_the_retry_succeeded(gift, settings):
    settings.STRIPE_SECRET_KEY = ""
    assert ls.deliver(paid_invoice_event(gift)).status == "done"
    assert ls.deliver(failed_invoice_event(gift)).status == "done"
    gift.refresh_from_db()
    assert gift.status == RecurringStatus.ACTIVE
    assert not Message.objects.filter(kind="donation.payment_failed").exists()


def test_a_dunning_email_not_yet_sent_is_dropped_once_the_retry_succeeds(gift, settings):
    settings.STRIPE_SECRET_KEY = ""
    ls.deliver(failed_invoice_event(gift))
    ls.deliver(paid_invoice_event(gift))
    message = Message.objects.get(kind="donation.payment_failed")
    assert deliver_message(message_id=message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.last_error == "The payment went through on a retry."
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_donors_login_is_made_without_hashing_a_password(monkeypatch):
    """donor_account runs inside webhook transactions (under the receipt number's lock):
    it must not spend a password hasher's iterations on a password nobody has."""
    from django.contrib.auth import hashers

    from accounts.roles import Role
    from donations.services.donors import donor_account

    def no_hashing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a password was hashed")

    monkeypatch.setattr(hashers, "get_hasher", no_hashing)
    donor = Donor.objects.create(name="Mai Tran", email="Mai.Tran@Example.org")
    user = donor_account(donor)
    assert (user.email, user.first_name, user.last_name) == ("mai.tran@example.org", "Mai", "Tran")
    assert not user.has_usable_password()
    assert user.groups.filter(name=Role.DONOR.value).exists()
    donor.refresh_from_db()
    assert donor.user_id == user.pk
    assert donor_account(donor) == user  # made once
