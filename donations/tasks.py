"""Giving tasks. Each takes plain JSON arguments and is safe to run more than once."""

from __future__ import annotations

import ipaddress
import json
import logging
import urllib.error
import urllib.request
from typing import Any, Final
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.tasks import BaseTask
from donations.services.engagement import tasks_for_failed_monthly
from donations.services.statements import generate_statements
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.customer_erasure import clear_customer, sweep_customer_erasures
from donations.stripe_integration.disagreements import find_disagreements
from donations.stripe_integration.importer import import_stripe_account
from donations.stripe_integration.offline_events import encode, sign_payload
from donations.stripe_integration.reconcile import reconcile_events
from donations.stripe_integration.settlement import settle_missing

logger = logging.getLogger(__name__)

POST_TIMEOUT: Final = 30.0


class StripeStillUnreachable(ConnectionError):
    """Stripe did not clear an erased donor's customer this time: retried with backoff."""


class WebhookPostFailed(ConnectionError):
    """Our own webhook endpoint answered 5xx or could not be reached: retried with backoff."""


def is_loopback_url(url: str) -> bool:
    """True for an http(s) address on this machine (127.0.0.0/8, ::1, localhost)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


@shared_task(name="donations.post_offline_events", acks_late=True)
def post_offline_events(*, webhook_url: str, events: list[dict[str, Any]]) -> list[int]:
    """Offline test mode: post ``events`` to our own webhook endpoint, each signed now.

    The events were built once, when the donor pressed the test checkout's button, with
    fixed ids; so a retry (or a second run of this task) posts the same events, and the
    webhook answers the repeats as duplicates. Posts only to a loopback address, and only
    while Stripe is not configured. Returns the HTTP status of each post.
    """
    if stripe_client.is_configured():
        raise ImproperlyConfigured("offline test events are never posted when Stripe is set up")
    if not is_loopback_url(webhook_url):
        raise ValueError("offline test events go to this machine's own webhook endpoint only")
    statuses = []
    for event in events:
        payload = encode(event)
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            webhook_url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": sign_payload(payload, secret=settings.STRIPE_WEBHOOK_SECRET),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=POST_TIMEOUT) as response:  # noqa: S310
                statuses.append(int(response.status))
        except urllib.error.HTTPError as exc:
            with exc:
                body = exc.read(200)
            if exc.code >= 500:
                raise WebhookPostFailed(f"webhook answered {exc.code}") from None
            # A 4xx will not change on a retry: record it and go on.
            logger.warning("offline event %s refused with %s: %r", event.get("id"), exc.code, body)
            statuses.append(exc.code)
        except urllib.error.URLError as exc:
            raise WebhookPostFailed(f"webhook not reachable: {exc.reason}") from None
    return statuses


def fixed_event_ids(session_id: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``events`` with ids fixed by the session and their place in the list.

    A second press of the test checkout's button builds the same ids, so its events are
    duplicates the webhook ignores: one offline session completes once, as on Stripe.
    """
    suffix = session_id.rsplit("_", 1)[-1]
    return [
        {**event, "id": f"evt_test_offline_{suffix}_{index}"}
        for index, event in enumerate(json.loads(json.dumps(events)))
    ]


# A run makes one PDF per donor (about 0.2 s each): allow an hour rather than the default.
@shared_task(
    name="donations.run_statements",
    base=BaseTask,
    acks_late=True,
    time_limit=3600,
    soft_time_limit=3540,
)
def run_statements(*, run_id: int) -> int:
    """Make and e-mail the year-end statements of one ``StatementRun``; how many were made."""
    return generate_statements(run_id=run_id).done


@shared_task(
    name="donations.fetch_settlements",
    base=BaseTask,
    acks_late=True,
    time_limit=1800,
    soft_time_limit=1740,
)
def fetch_settlements() -> int:
    """Nightly: ask Stripe for the fee and net of paid card gifts that have none yet."""
    if not stripe_client.is_configured():
        return 0
    return settle_missing()


@shared_task(name="donations.failed_monthly_tasks", base=BaseTask, acks_late=True)
def failed_monthly_tasks() -> int:
    """A task for each monthly gift that failed a week ago and is still unpaid (once each)."""
    return tasks_for_failed_monthly()


@shared_task(
    name="donations.reconcile_stripe_events",
    base=BaseTask,
    acks_late=True,
    time_limit=1800,
    soft_time_limit=1740,
)
def reconcile_stripe_events() -> int:
    """Nightly: apply the Stripe events of the last days our endpoint never received, then
    list the Stripe objects that still disagree with the ledger."""
    if not stripe_client.is_configured():
        return 0
    applied = reconcile_events(days=settings.STRIPE_RECONCILE_DAYS).applied
    find_disagreements(days=settings.STRIPE_RECONCILE_DAYS)
    return applied


@shared_task(
    name="donations.import_stripe_account",
    base=BaseTask,
    acks_late=True,
    time_limit=6 * 3600,
    soft_time_limit=6 * 3600 - 60,
)
def import_stripe_account_task() -> int:
    """Import (or resume importing) the Stripe account's customers, subscriptions and
    payments; how many objects were created in all."""
    return sum(progress.created for progress in import_stripe_account())


@shared_task(
    name="donations.erase_stripe_customer",
    base=BaseTask,
    acks_late=True,
    max_retries=6,  # StripeStillUnreachable is a ConnectionError: BaseTask retries it
    retry_backoff=60,
    retry_backoff_max=3600,
    time_limit=120,
    soft_time_limit=110,
)
def erase_stripe_customer(*, erasure_id: int) -> bool:
    """Sent once an erasure commits: clear the donor's customer at Stripe. Idempotent (a
    done row is left alone); after the last retry the hourly sweep takes it up."""
    if not clear_customer(erasure_id=erasure_id):
        raise StripeStillUnreachable(f"Stripe customer erasure {erasure_id} still pending")
    return True


@shared_task(name="donations.sweep_stripe_customer_erasures", base=BaseTask, acks_late=True)
def sweep_stripe_customer_erasures() -> int:
    """Hourly: the erased donors' Stripe customers still to clear; how many were cleared."""
    return sweep_customer_erasures()
