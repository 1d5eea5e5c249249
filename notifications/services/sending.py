"""Sending what is due: the sweep's reservation, a worker's claim, and the outcome.

A row moves pending -> sending by a conditional UPDATE that writes a claim name into
``claimed_by``; whoever's UPDATE matched the row owns it, so two workers or two sweeps
never send the same row. The sweep *reserves* due rows in batches (claim ``sweep:...``)
and enqueues one task per NOTIFICATIONS_TASK_BATCH_SIZE ids; the task *takes* its rows by
swapping the reservation for its own claim (``run:...``) in one UPDATE, sends them, and
marks each outcome only where its claim still holds. A row left in 'sending' longer than
NOTIFICATIONS_CLAIM_TIMEOUT (a reservation whose task was lost, or a worker killed
mid-send) is taken back by the next sweep. The sweep keeps at most
NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT rows in 'sending', so what it hands out can be sent
before that timeout.
"""

from __future__ import annotations

import base64
import logging
import os
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Field, QuerySet, TextField, Value, When
from django.template import TemplateDoesNotExist
from django.utils import timezone

from notifications import conf, dispatch, hooks
from notifications.models import Channel, Message, NotificationPreference, Status
from notifications.rendering import Rendered, Renderer, unsubscribe_url
from notifications.services.outbox import OPTED_OUT, RESERVATION_PREFIX
from notifications.services.preferences import preferences_for_users
from notifications.sms import BaseSmsBackend, Sms, get_sms_backend

logger = logging.getLogger(__name__)

V = TypeVar("V")

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
    # It stopped at its own limits (its batches, or the rows in flight), not for want of
    # due rows: sweep again soon rather than in a minute.
    more: bool = False


def sweep_outbox(*, now: datetime | None = None, batch_size: int | None = None) -> SweepResult:
    """Find what is due and hand it to workers, batch by batch (run every minute by beat).

    Tops 'sending' up to NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT rows and no further. When the
    broker is down the reservations are released and the sweep stops: nothing is
    lost, the next sweep tries again.
    """
    now = now or timezone.now()
    batch_size = batch_size or conf.sweep_batch_size()
    reclaimed = reclaim_stale_messages(now=now)
    enqueued = released = 0
    more = False
    # Rows already handed out and not finished (served by outbox_sending_claimed_idx).
    room = conf.sweep_max_in_flight() - Message.objects.filter(status=Status.SENDING).count()
    for _batch in range(conf.sweep_max_batches()):
        limit = min(batch_size, room)
        if limit <= 0:
            more = True  # as many in flight as workers can send in a claim timeout
            break
        reservation, ids = reserve_due_messages(limit=limit, now=now)
        if not ids:
            break
        room -= len(ids)
        published = dispatch.publish(ids, reservation=reservation)
        enqueued += published
        if published < len(ids):
            released += release_reservation(message_ids=ids[published:], reservation=reservation)
            break
        if len(ids) < limit:
            break
    else:
        more = True  # every batch was full
    return SweepResult(reclaimed=reclaimed, enqueued=enqueued, released=released, more=more)


# --- A batch of messages -----------------------------------------------------------------


def take_messages(
    *, message_ids: Sequence[int], reservation: str = ""
) -> tuple[list[Message], str]:
    """Claim these rows for this run: (the rows it got, in the order asked, the claim).

    One conditional UPDATE for the lot, then one SELECT of the rows it won (with their
    recipients). With a ``reservation`` a row must still carry it; without one (a message
    enqueued as it was written) it must be pending and due. Counts the attempt, and
    ``claimed_at`` restarts now, so the claim timeout runs from when a worker starts.
    """
    now = timezone.now()
    claim = _claim_name(RUN_PREFIX)
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        return [], claim
    rows = Message.objects.filter(pk__in=ids)
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
        return [], claim
    order = {pk: index for index, pk in enumerate(ids)}
    messages = sorted(
        Message.objects.select_related("recipient").filter(
            pk__in=ids, status=Status.SENDING, claimed_by=claim
        ),
        key=lambda message: order[message.pk],
    )
    return messages, claim


def take_message(*, message_id: int, reservation: str = "") -> tuple[Message, str] | None:
    """Claim one row for this run: (the row, the run's claim), or None if it is not ours."""
    messages, claim = take_messages(message_ids=[message_id], reservation=reservation)
    return (messages[0], claim) if messages else None


def _per_row(values: dict[int, V], output_field: Field[Any, Any]) -> V | Case:
    """One value for every row when they agree, else a CASE on the row id."""
    distinct = set(values.values())
    if len(distinct) == 1:
        return distinct.pop()
    return Case(
        *(When(pk=pk, then=Value(value)) for pk, value in values.items()),
        output_field=output_field,
    )


class _Outcomes:
    """What became of each message of a batch, written back in one transaction: one
    UPDATE per outcome, each only on rows this run's claim still holds."""

    def __init__(self, claim: str) -> None:
        self.claim = claim
        self.results: dict[int, str] = {}
        self.sent: list[int] = []
        self.cancelled: dict[int, str] = {}
        self.failed: dict[int, str] = {}
        self.retry: dict[int, tuple[str, datetime]] = {}

    def mark_sent(self, message: Message) -> None:
        self.sent.append(message.pk)
        self.results[message.pk] = "sent"

    def cancel(self, message: Message, reason: str) -> None:
        self.cancelled[message.pk] = reason[:2000]
        self.results[message.pk] = "cancelled"

    def fail(self, message: Message, *, error: str, permanent: bool) -> None:
        """A failure: retried with backoff until the attempts are used up, unless permanent."""
        if permanent or message.attempts >= conf.max_attempts():
            self.failed[message.pk] = error[:2000]
            self.results[message.pk] = "failed"
            logger.error("Outbox message %s (%s) failed: %s", message.pk, message.kind, error)
            return
        when = timezone.now() + conf.retry_delay(message.attempts)
        self.retry[message.pk] = (error[:2000], when)
        self.results[message.pk] = "retry"
        logger.warning(
            "Outbox message %s (%s) will be retried: %s", message.pk, message.kind, error
        )

    def _write_sent(self, mine: QuerySet[Message]) -> int:
        done = 0
        if self.sent:
            done = mine.filter(pk__in=self.sent).update(
                status=Status.SENT, sent_at=timezone.now(), last_error=""
            )
        return done

    def flush_sent(self) -> None:
        """Mark what has gone so far as sent, now (a commit), and start a new list."""
        mine = Message.objects.filter(status=Status.SENDING, claimed_by=self.claim)
        with transaction.atomic():
            done = self._write_sent(mine)
        self._check(done, len(self.sent))
        self.sent = []

    def finish(self) -> None:
        """Write every outcome not yet written, in one transaction."""
        mine = Message.objects.filter(status=Status.SENDING, claimed_by=self.claim)
        expected = len(self.sent) + len(self.cancelled) + len(self.failed) + len(self.retry)
        if not expected:
            return
        with transaction.atomic():
            done = self._write_sent(mine)
            if self.cancelled:
                done += mine.filter(pk__in=self.cancelled).update(
                    status=Status.CANCELLED,
                    last_error=_per_row(self.cancelled, TextField()),
                )
            if self.failed:
                done += mine.filter(pk__in=self.failed).update(
                    status=Status.FAILED, last_error=_per_row(self.failed, TextField())
                )
            if self.retry:
                done += mine.filter(pk__in=self.retry).update(
                    status=Status.PENDING,
                    claimed_at=None,
                    claimed_by="",
                    last_error=_per_row(
                        {pk: error for pk, (error, _when) in self.retry.items()}, TextField()
                    ),
                    scheduled_for=_per_row(
                        {pk: when for pk, (_error, when) in self.retry.items()},
                        DateTimeField(),
                    ),
                )
        self._check(done, expected)
        self.sent, self.cancelled, self.failed, self.retry = [], {}, {}, {}

    def _check(self, done: int, expected: int) -> None:
        if done < expected:
            logger.warning(
                "Outbox: claim %s was lost on %d of %d rows before they finished.",
                self.claim,
                expected - done,
                expected,
            )


def _attachment_content(attachment: dict[str, str]) -> str | bytes:
    if attachment.get("encoding") == "base64":
        return base64.b64decode(attachment["content"])
    return attachment["content"]


def _email(message: Message, rendered: Rendered, unsubscribe: str) -> EmailMultiAlternatives:
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
    return email


STOPPED = "The send task reached its time limit before this message; sent again later."


class _Sender:
    """Sends a batch's messages one by one: e-mails over one connection opened for the
    batch, text messages through one SMS backend. One message's failure is its own."""

    def __init__(self) -> None:
        self._email: BaseEmailBackend | None = None
        self._email_error: Exception | None = None
        self._sms: BaseSmsBackend | None = None

    def send(self, message: Message, rendered: Rendered, unsubscribe: str) -> None:
        recipient = message.recipient
        if message.channel == Channel.SMS:
            if self._sms is None:
                self._sms = get_sms_backend()
            self._sms.send(Sms(to=recipient.phone.as_e164, body=rendered.sms))
            return
        if self._email_error is not None:  # the server refused the batch's connection
            raise self._email_error
        if self._email is None:
            self._email = get_connection()
            try:
                self._email.open()
            except Exception as exc:
                self._email_error = exc
                raise
        self._email.send_messages([_email(message, rendered, unsubscribe)])

    def close(self) -> None:
        if self._email is not None:
            try:
                self._email.close()
            except Exception:  # every e-mail went (or is counted as failed) already
                logger.warning("Outbox: closing the e-mail connection failed.", exc_info=True)


def _prepare(
    messages: list[Message], outcomes: _Outcomes
) -> list[tuple[Message, NotificationPreference]]:
    """Refresh the batch and drop what must not be sent: the messages to send."""
    preferences = preferences_for_users(message.recipient for message in messages)
    refreshed = hooks.refresh_many(messages)
    ready = []
    for message in messages:
        recipient = message.recipient
        fresh = refreshed[message.pk]
        if isinstance(fresh, Exception):  # the domain's check failed: retried
            outcomes.fail(message, error=f"{type(fresh).__name__}: {fresh}", permanent=False)
            continue
        if isinstance(fresh, str):
            outcomes.cancel(message, fresh)
            continue
        if isinstance(fresh, hooks.Fresh):
            # For this send only; the row keeps what was queued.
            message.context, message.attachments = fresh.context, fresh.attachments
        else:
            message.context = fresh
        preference = preferences[recipient.pk]
        if not preference.wants(channel=message.channel, essential=message.essential) or not (
            recipient.is_active or message.essential
        ):
            outcomes.cancel(message, OPTED_OUT)
            continue
        if message.channel == Channel.SMS and not recipient.phone:
            outcomes.fail(message, error="The recipient has no phone number.", permanent=True)
            continue
        ready.append((message, preference))
    return ready


def _send_all(ready: list[tuple[Message, NotificationPreference]], outcomes: _Outcomes) -> None:
    sender = _Sender()
    flush_every = conf.sent_flush_seconds()
    flushed_at = time.monotonic()
    renderer = Renderer()
    try:
        for message, preference in ready:
            try:
                rendered = renderer.render(message, preference)
            except TemplateDoesNotExist as exc:
                outcomes.fail(message, error=f"Missing template: {exc}", permanent=True)
                continue
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:  # a template that breaks on this context: retried
                outcomes.fail(message, error=f"{type(exc).__name__}: {exc}", permanent=False)
                continue
            try:
                unsubscribe = "" if message.essential else unsubscribe_url(preference)
                sender.send(message, rendered, unsubscribe)
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:  # SMTP, provider or network: retried with backoff
                outcomes.fail(message, error=f"{type(exc).__name__}: {exc}", permanent=False)
                continue
            outcomes.mark_sent(message)
            if time.monotonic() - flushed_at >= flush_every:
                outcomes.flush_sent()
                flushed_at = time.monotonic()
    except SoftTimeLimitExceeded:
        # Stop cleanly before the hard limit kills the worker: record what went, and put
        # back what did not (including the message this one stopped in).
        for message, _preference in ready:
            if message.pk not in outcomes.results:
                outcomes.fail(message, error=STOPPED, permanent=False)
    finally:
        sender.close()


def deliver_messages(*, message_ids: Sequence[int], reservation: str = "") -> dict[int, str]:
    """Take, refresh, render and send a batch; each id's outcome: sent, skipped,
    cancelled, retry or failed.

    Idempotent: a row already taken, sent or cancelled is skipped, so a task delivered
    twice sends once. A few queries whatever the batch's size: the claim, the rows with
    their recipients, their preferences, each kind's batch refresher, and one UPDATE per
    outcome in one transaction at the end. The rows sent are also marked every
    NOTIFICATIONS_SENT_FLUSH_SECONDS while the batch is sending, so a worker killed in the
    middle of a long batch resends at most that long of it once its rows are taken back.
    """
    results = dict.fromkeys(message_ids, "skipped")
    messages, claim = take_messages(message_ids=message_ids, reservation=reservation)
    if not messages:
        return results
    outcomes = _Outcomes(claim)
    try:
        _send_all(_prepare(messages, outcomes), outcomes)
    finally:
        outcomes.finish()
    results.update(outcomes.results)
    return results


def deliver_message(*, message_id: int, reservation: str = "") -> str:
    """``deliver_messages`` for one message: its outcome."""
    return deliver_messages(message_ids=[message_id], reservation=reservation)[message_id]
