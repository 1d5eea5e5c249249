"""Stripe webhook intake: verify, store once, then dispatch by event type.

``receive_event`` is the whole path of one delivery:

1. ``stripe.Webhook.construct_event`` checks the ``Stripe-Signature`` header against
   ``STRIPE_WEBHOOK_SECRET`` (and that its timestamp is at most the SDK's default 300 s old)
   and parses the body. Any failure is a ``BadWebhook``: the view answers 400 and nothing is
   stored.
2. The event is stored first, with status ``received``. The event id is unique in the
   database; a second delivery of a stored event loses the insert (IntegrityError, in its
   own atomic block) and changes nothing, unless the stored event failed: then it runs again,
   so Stripe's retries of a failed event are how it gets another attempt.
3. ``process_event`` locks the event row, re-reads its status under the lock (a concurrent
   delivery that already finished it makes this one a no-op), and runs the handler from
   ``HANDLERS`` in a savepoint, in the same transaction that records ``done``; so a handler's
   writes and the event's ``done`` commit together, and a failing handler's writes are rolled
   back while its failure is recorded (``failed``, the error, ``attempts`` + 1). A failure
   that no retry can mend (``PermanentEventError``, or a value the database refuses) is
   marked ``permanent_failure`` and answered 200, so Stripe does not retry it for days. A
   type without a handler is ``ignored``.

Handlers must be idempotent and tolerate any order of arrival; they lock the rows they change.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import stripe
from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from donations.models import EventDelivery, StripeEvent, StripeEventStatus
from donations.services.system_audit import stripe_event
from donations.stripe_integration.client import STRIPE_API_VERSION
from donations.stripe_integration.ledger import HANDLERS
from donations.stripe_integration.payload import Deferred, PermanentEventError

logger = logging.getLogger(__name__)

__all__ = ["HANDLERS", "BadWebhook", "Outcome", "process_event", "receive_event"]

# A redelivery of an event in one of these states runs its handler (again).
RUNNABLE: Final = frozenset({StripeEventStatus.RECEIVED, StripeEventStatus.FAILED})
MAX_ERROR_LENGTH: Final = 2000


class BadWebhook(Exception):
    """The delivery is not a valid signed Stripe event; ``str()`` is safe to answer with."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one delivery: the event's status after it, and whether it was a repeat."""

    event_id: str
    status: str
    duplicate: bool
    # False when the failure is permanent: Stripe's retries would not help.
    retry: bool = True

    @property
    def failed(self) -> bool:
        """A transient failure: answer 5xx so that Stripe delivers the event again."""
        return self.status == StripeEventStatus.FAILED and self.retry


def verify_event(payload: bytes, sig_header: str | None) -> dict[str, Any]:
    """The event in ``payload`` as a dict, after checking its signature and timestamp.

    Raises ``BadWebhook`` for a missing or wrong signature, a stale timestamp, a body that is
    not JSON, or JSON that is not a Stripe event.
    """
    if not sig_header:
        raise BadWebhook("missing Stripe-Signature header")
    if not settings.STRIPE_WEBHOOK_SECRET:
        # A configuration error, not the sender's: still refuse, and say so in the log.
        logger.error("STRIPE_WEBHOOK_SECRET is not set: refusing every webhook")
        raise BadWebhook("webhook secret not configured")
    try:
        stripe.Webhook.construct_event(payload, sig_header, settings.STRIPE_WEBHOOK_SECRET)
    except stripe.SignatureVerificationError:
        # Covers a wrong signature, an unreadable header and a timestamp outside tolerance.
        raise BadWebhook("invalid signature") from None
    except (ValueError, AttributeError, TypeError):
        # Not UTF-8, not JSON, or JSON that is not an event object.
        raise BadWebhook("malformed payload") from None
    try:
        # Parsed again to store the event exactly as sent, and to refuse NaN/Infinity,
        # which no JSON database column takes.
        data = json.loads(payload, parse_constant=_refuse_constant)
    except ValueError:
        raise BadWebhook("malformed payload") from None
    if not (
        isinstance(data, dict)
        and data.get("object") == "event"
        and isinstance(data.get("id"), str)
        and data["id"]
        and isinstance(data.get("type"), str)
        and data["type"]
    ):
        raise BadWebhook("not a Stripe event")
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def receive_event(payload: bytes, sig_header: str | None) -> Outcome:
    """Verify, store and process one delivery (see the module's docstring)."""
    data = verify_event(payload, sig_header)
    event, created = record_event(data)
    if not created and event.status not in RUNNABLE:
        return Outcome(event.event_id, event.status, duplicate=True)
    status, retry = _process(event.pk)
    return Outcome(event.event_id, status, duplicate=not created, retry=retry)


def record_event(
    data: dict[str, Any], *, delivered_by: str = EventDelivery.WEBHOOK
) -> tuple[StripeEvent, bool]:
    """Store the event with status ``received``; (stored row, whether this call stored it)."""
    event = StripeEvent(
        delivered_by=delivered_by,
        event_id=data["id"][:255],
        type=data["type"][:100],
        api_version=str(data.get("api_version") or "")[:40],
        livemode=data.get("livemode") is True,
        stripe_created=_from_timestamp(data.get("created")),
        payload=data,
        status=StripeEventStatus.RECEIVED,
    )
    try:
        with transaction.atomic():
            event.save(force_insert=True)
    except IntegrityError:
        # The unique event id: another delivery stored it first (and has committed).
        return StripeEvent.objects.get(event_id=event.event_id), False
    return event, True


def _from_timestamp(value: object) -> datetime | None:
    if type(value) is not int:
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def process_event(*, event_pk: int) -> str:
    """Run the handler of a received or failed event under a lock on its row.

    Returns the status after this call. Another delivery already processing the event makes
    this one wait for the lock and then find it finished (a no-op). A handler that finds the
    payment it refers to not linked yet leaves the event ``deferred`` (see
    donations.stripe_integration.ledger).
    """
    return _process(event_pk)[0]


def _process(event_pk: int) -> tuple[str, bool]:
    """``process_event``, and whether a failure is worth a retry by Stripe."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update(of=("self",)).get(pk=event_pk)
        if event.status not in RUNNABLE:
            return event.status, True
        handler = HANDLERS.get(event.type)
        now = timezone.now()
        if handler is None:
            event.status = StripeEventStatus.IGNORED
            event.processed_at = now
            event.save(update_fields=["status", "processed_at"])
            return event.status, True
        event.status = StripeEventStatus.PROCESSING
        event.attempts += 1
        retry = True
        if event.api_version and event.api_version != STRIPE_API_VERSION:
            # Handlers read the pinned version's shapes; another version's may differ.
            logger.warning(
                "Stripe event %s has API version %s, handlers expect %s",
                event.event_id,
                event.api_version,
                STRIPE_API_VERSION,
            )
        try:
            with transaction.atomic(), stripe_event(event):
                handler(event)
        except Deferred as waiting:
            event.status = StripeEventStatus.DEFERRED
            event.waiting_for = waiting.payment_intent_id[:255]
            event.error = str(waiting)
        except (PermanentEventError, DataError) as exc:
            # The event as sent can never be applied (an amount no payment has, a value the
            # database refuses): recorded, answered 200, never retried by Stripe.
            event.status = StripeEventStatus.FAILED
            event.error = describe_error(exc)
            retry = False
            logger.warning(
                "Stripe event %s cannot be applied: %s", event.event_id, type(exc).__name__
            )
        except Exception as exc:  # a handler's failure is recorded, never lost
            event.status = StripeEventStatus.FAILED
            event.error = describe_error(exc)
            # The class only: messages can carry a donor's e-mail or address (e.g. a
            # database DETAIL line); the full text stays on the event, for the admin.
            logger.warning(
                "Stripe event %s (%s) failed on attempt %d: %s",
                event.event_id,
                event.type,
                event.attempts,
                type(exc).__name__,
            )
        else:
            event.status = StripeEventStatus.DONE
            event.error = ""
        event.processed_at = now
        event.permanent_failure = not retry
        event.save(
            update_fields=[
                "status",
                "error",
                "attempts",
                "processed_at",
                "waiting_for",
                "permanent_failure",
            ]
        )
        return event.status, retry


def describe_error(exc: BaseException) -> str:
    """The error to store and log: its class and message, without secrets.

    A Stripe error is named by class, HTTP status, code and request id only (its message can
    echo what was sent); any other message has the configured Stripe secrets blanked out.
    """
    if isinstance(exc, stripe.StripeError):
        text = (
            f"{type(exc).__name__} (status {exc.http_status}, code {exc.code}, "
            f"request {exc.request_id})"
        )
    else:
        text = f"{type(exc).__name__}: {exc}"
        for secret in (settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET):
            if secret:
                text = text.replace(secret, "[secret]")
    return text[:MAX_ERROR_LENGTH]


def reprocess_failed_events(*, event_ids: list[int]) -> dict[str, int]:
    """Run the handlers of the failed events among ``event_ids`` again, now.

    For when Stripe has stopped retrying (after about three days) and the cause is fixed.
    Events that are not failed are left alone. Returns how many ended in each status.
    """
    outcomes: dict[str, int] = {}
    failed = StripeEvent.objects.filter(pk__in=event_ids, status=StripeEventStatus.FAILED)
    for pk in failed.order_by("received_at", "pk").values_list("pk", flat=True):
        status = process_event(event_pk=pk)
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes
