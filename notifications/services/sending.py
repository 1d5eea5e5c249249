"""Sending what is due: the sweep's reservation, a worker's claim, and the outcome.

A row moves pending -> sending by a conditional UPDATE that writes a claim name into
``claimed_by``; whoever's UPDATE matched the row owns it, so two workers or two sweeps
never send the same row. The sweep *reserves* due rows in batches (claim ``sweep:...``)
and enqueues one task per row; the task *takes* the row by swapping the reservation for
its own claim (``run:...``), sends, and marks the row sent only if its claim still holds.
A row left in 'sending' longer than NOTIFICATIONS_CLAIM_TIMEOUT (a reservation whose task
was lost, or a worker killed mid-send) is taken back by the next sweep.
"""

from __future__ import annotations

import base64
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, QuerySet
from django.template import TemplateDoesNotExist
from django.utils import timezone

from notifications import conf, dispatch, hooks
from notifications.models import Channel, Message, Status
from notifications.rendering import Rendered, render_message, unsubscribe_url
from notifications.services.outbox import OPTED_OUT, RESERVATION_PREFIX
from notifications.services.preferences import preferences_for
from notifications.sms import Sms, get_sms_backend

logger = logging.getLogger(__name__)

RUN_PREFIX = "run:"
ABANDONED = "The worker sending it stopped before it finished; taken back by the sweep."


def _claim_name(prefix: str) -> str:
    return f"{prefix}{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


# --- The sweep ---------------------------------------------------------------------------


def reclaim_stale_messages(*, now: datetime | None = None) -> int:
    """Take back rows left in 'sending' past the claim timeout; returns how many.

    A row whose attempts are used up fails instead of going round again.
    """
    now = now or timezone.now()
    stale = Message.objects.filter(status=Status.SENDING, claimed_at__lt=now - conf.claim_timeout())
    with transaction.atomic():
        failed = stale.filter(attempts__gte=conf.max_attempts()).update(
            status=Status.FAILED, last_error=ABANDONED, claimed_at=None
        )
        retried = stale.update(status=Status.PENDING, claimed_by="", claimed_at=None)
    if failed or retried:
        logger.warning("Outbox: took back %d stale rows (%d failed).", failed + retried, failed)
    return failed + retried


def due_messages(*, now: datetime, limit: int) -> QuerySet[Message, int]:
    """Ids of due pending rows, oldest first, locked and skipping rows others locked.

    Served by the partial index outbox_pending_due_idx (scheduled_for WHERE pending).
    """
    return (
        Message.objects.filter(status=Status.PENDING, scheduled_for__lte=now)
        .order_by("scheduled_for")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:limit]
    )


def reserve_due_messages(*, limit: int, now: datetime | None = None) -> tuple[str, list[int]]:
    """Reserve up to ``limit`` due pending rows, oldest due first: (claim name, row ids).

    Two queries whatever ``limit`` is. Rows another sweep has locked are skipped, not
    waited for (SKIP LOCKED), and the UPDATE repeats the conditions, so a row is reserved
    by one sweep only even where the database cannot skip locked rows.
    """
    now = now or timezone.now()
    reservation = _claim_name(RESERVATION_PREFIX)
    with transaction.atomic():
        ids = list(due_messages(now=now, limit=limit))
        if not ids:
            return reservation, []
        reserved = Message.objects.filter(
            pk__in=ids, status=Status.PENDING, scheduled_for__lte=now
        ).update(status=Status.SENDING, claimed_by=reservation, claimed_at=now)
        if reserved != len(ids):
            ids = list(
                Message.objects.filter(pk__in=ids, claimed_by=reservation).values_list(
                    "pk", flat=True
                )
            )
    return reservation, ids


def release_reservation(*, message_ids: list[int], reservation: str) -> int:
    """Put reserved rows back to pending (their tasks could not be enqueued)."""
    with transaction.atomic():
        return Message.objects.filter(
            pk__in=message_ids, status=Status.SENDING, claimed_by=reservation
        ).update(status=Status.PENDING, claimed_by="", claimed_at=None)


@dataclass(frozen=True)
class SweepResult:
    reclaimed: int
    enqueued: int
    released: int


def sweep_outbox(*, now: datetime | None = None, batch_size: int | None = None) -> SweepResult:
    """Find what is due and hand it to workers, batch by batch (run every minute by beat).

    When the broker is down the reservations are released and the sweep stops: nothing is
    lost, the next sweep tries again.
    """
    now = now or timezone.now()
    batch_size = batch_size or conf.sweep_batch_size()
    reclaimed = reclaim_stale_messages(now=now)
    enqueued = released = 0
    for _batch in range(conf.sweep_max_batches()):
        reservation, ids = reserve_due_messages(limit=batch_size, now=now)
        if not ids:
            break
        published = dispatch.publish(ids, reservation=reservation)
        enqueued += published
        if published < len(ids):
            released += release_reservation(message_ids=ids[published:], reservation=reservation)
            break
        if len(ids) < batch_size:
            break
    return SweepResult(reclaimed=reclaimed, enqueued=enqueued, released=released)


# --- One message -------------------------------------------------------------------------


def take_message(*, message_id: int, reservation: str = "") -> tuple[Message, str] | None:
    """Claim one row for this run: (the row, the run's claim), or None if it is not ours.

    With a ``reservation`` the row must still carry it; without one (a message enqueued
    as it was written) it must be pending and due. Counts the attempt.
    """
    now = timezone.now()
    claim = _claim_name(RUN_PREFIX)
    rows = Message.objects.filter(pk=message_id)
    if reservation:
        rows = rows.filter(status=Status.SENDING, claimed_by=reservation)
    else:
        rows = rows.filter(status=Status.PENDING, scheduled_for__lte=now)
    with transaction.atomic():
        taken = rows.update(
            status=Status.SENDING,
            claimed_by=claim,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    if not taken:
        return None
    message = Message.objects.select_related("recipient").get(pk=message_id)
    return message, claim


def _finish(message: Message, claim: str, **changes: object) -> bool:
    """Record the outcome if this run's claim still holds (else another run owns it)."""
    with transaction.atomic():
        done = Message.objects.filter(
            pk=message.pk, status=Status.SENDING, claimed_by=claim
        ).update(**changes)
    if not done:
        logger.warning(
            "Outbox message %s: claim %s was lost before it finished.", message.pk, claim
        )
    return bool(done)


def _fail(message: Message, claim: str, *, error: str, permanent: bool) -> str:
    if permanent or message.attempts >= conf.max_attempts():
        _finish(message, claim, status=Status.FAILED, last_error=error[:2000])
        logger.error("Outbox message %s (%s) failed: %s", message.pk, message.kind, error)
        return "failed"
    _finish(
        message,
        claim,
        status=Status.PENDING,
        last_error=error[:2000],
        claimed_at=None,
        claimed_by="",
        scheduled_for=timezone.now() + conf.retry_delay(message.attempts),
    )
    logger.warning("Outbox message %s (%s) will be retried: %s", message.pk, message.kind, error)
    return "retry"


def _attachment_content(attachment: dict[str, str]) -> str | bytes:
    if attachment.get("encoding") == "base64":
        return base64.b64decode(attachment["content"])
    return attachment["content"]


def _send_email(message: Message, rendered: Rendered, unsubscribe: str) -> None:
    headers = {}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + rendered.subject,
        body=rendered.text,
        to=[message.recipient.email],
        headers=headers,
    )
    email.attach_alternative(rendered.html, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"], _attachment_content(attachment), attachment["content_type"]
        )
    email.send()


def deliver_message(*, message_id: int, reservation: str = "") -> str:
    """Take, render and send one message; returns sent, skipped, cancelled, retry or failed.

    Idempotent: a row already taken, sent or cancelled is skipped, so a task delivered
    twice sends once.
    """
    taken = take_message(message_id=message_id, reservation=reservation)
    if taken is None:
        return "skipped"
    message, claim = taken
    recipient = message.recipient
    try:
        fresh = hooks.refresh(message)
    except Exception as exc:  # the domain's check failed: retried like a send failure
        return _fail(message, claim, error=f"{type(exc).__name__}: {exc}", permanent=False)
    if isinstance(fresh, str):
        _finish(message, claim, status=Status.CANCELLED, last_error=fresh[:2000])
        return "cancelled"
    if isinstance(fresh, hooks.Fresh):
        # For this send only; the row keeps what was queued.
        message.context, message.attachments = fresh.context, fresh.attachments
    else:
        message.context = fresh
    preference = preferences_for(recipient)
    if not preference.wants(channel=message.channel, essential=message.essential) or not (
        recipient.is_active or message.essential
    ):
        _finish(message, claim, status=Status.CANCELLED, last_error=OPTED_OUT)
        return "cancelled"
    if message.channel == Channel.SMS and not recipient.phone:
        return _fail(message, claim, error="The recipient has no phone number.", permanent=True)
    try:
        rendered = render_message(message, preference)
    except TemplateDoesNotExist as exc:
        return _fail(message, claim, error=f"Missing template: {exc}", permanent=True)
    try:
        if message.channel == Channel.SMS:
            get_sms_backend().send(Sms(to=recipient.phone.as_e164, body=rendered.sms))
        else:
            unsubscribe = "" if message.essential else unsubscribe_url(preference)
            _send_email(message, rendered, unsubscribe)
    except Exception as exc:  # SMTP, provider or network: retried with backoff
        return _fail(message, claim, error=f"{type(exc).__name__}: {exc}", permanent=False)
    _finish(message, claim, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"
