"""Sending what is due: the sweep's reservation, a worker's claim and lease, the outcome.

A row moves pending -> sending by a conditional UPDATE that writes a claim name into
``claimed_by``; whoever's UPDATE matched the row owns it, so two workers or two sweeps
never send the same row. The sweep *reserves* due rows in batches (claim ``sweep:...``),
urgent rows first, and enqueues one task per NOTIFICATIONS_TASK_BATCH_SIZE ids (urgent ones
on their own queue); the task *takes* its rows by swapping the reservation for its own
claim (``run:<task id>``) in one UPDATE, so a task retried after a database error resumes
its own rows. It sends them under a lease it renews (services.leases) and records each
outcome right after the send (services.outcomes).

The sweep takes back rows whose lease expired (a worker that died: within a minute) and
reservations older than NOTIFICATIONS_RESERVATION_TIMEOUT (a task the broker lost), or
older than the lease when no task waits in the broker's queues. It keeps at most
NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT rows in 'sending', so what it hands out is sent before the
reservation timeout.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.template import TemplateDoesNotExist
from django.utils import timezone

from notifications import conf
from notifications.models import Channel, Message, NotificationPreference, Status
from notifications.services import dispatch, hooks
from notifications.services.leases import Lease, alive_claims
from notifications.services.outbox import OPTED_OUT, RESERVATION_PREFIX
from notifications.services.outcomes import (
    CANCELLED,
    FAILED,
    RETRY,
    SENT,
    Recorder,
    RelaxedCommits,
)
from notifications.services.preferences import preferences_for_users
from notifications.services.rendering import Renderer
from notifications.services.transport import PermanentSendError, Sender
from notifications.services.unreachable import Stopping

logger = logging.getLogger(__name__)

RUN_PREFIX = "run:"
ABANDONED = "The worker sending it stopped before it finished; taken back by the sweep."
STOPPED = "The send task reached its time limit before this message; sent again later."


def _claim_name(prefix: str) -> str:
    return f"{prefix}{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def run_claim(task_id: str | None) -> str:
    """The claim of a send task: named after the task, so its retry resumes the same rows."""
    return f"{RUN_PREFIX}{task_id}" if task_id else _claim_name(RUN_PREFIX)


# --- The sweep ---------------------------------------------------------------------------


def reclaim_stale_messages(*, now: datetime | None = None) -> int:
    """Take back rows whose lease expired (unless the cache says their worker is alive:
    see services.leases) and reservations past their timeout; returns how many.

    A reservation waits for its task in the broker's queue, up to
    NOTIFICATIONS_RESERVATION_TIMEOUT. When no task waits in the outbox's queues, a
    reservation older than the lease is not waiting there: its task was lost (the broker
    stopped as it handed the task to a worker) and is taken back then, not minutes later.
    A task that turns up after all finds its rows no longer reserved for it and sends
    nothing.

    The rows keep their last claim's name (see services.outcomes). A row whose attempts
    are used up fails instead of going round again.
    """
    now = now or timezone.now()
    lease, reservation = now - conf.lease(), now - conf.reservation_timeout()
    # One read (an index range on claimed_at): the claims holding rows past the lease.
    claims = set(
        Message.objects.filter(status=Status.SENDING, claimed_at__lt=max(lease, reservation))
        .order_by()
        .values_list("claimed_by", flat=True)
        .distinct()
    )
    reserved = any(claim.startswith(RESERVATION_PREFIX) for claim in claims)
    if reservation < lease and reserved and dispatch.waiting_tasks() == 0:
        reservation = lease
    stale = Message.objects.filter(
        # The first condition alone is an index range (outbox_sending_claimed_idx).
        Q(claimed_at__lt=max(lease, reservation)),
        Q(claimed_by__startswith=RUN_PREFIX, claimed_at__lt=lease) | Q(claimed_at__lt=reservation),
        status=Status.SENDING,
    )
    alive = alive_claims({claim for claim in claims if claim.startswith(RUN_PREFIX)})
    if alive:
        stale = stale.exclude(claimed_by__in=alive)
    with transaction.atomic():
        failed = stale.filter(attempts__gte=conf.max_attempts()).update(
            status=Status.FAILED, last_error=ABANDONED, claimed_at=None
        )
        retried = stale.update(status=Status.PENDING, claimed_at=None)
    if failed or retried:
        logger.warning("Outbox: took back %d stale rows (%d failed).", failed + retried, failed)
    return failed + retried


def due_messages(*, now: datetime, limit: int, urgent: bool = False) -> QuerySet[Message, int]:
    """Ids of due pending rows (only urgent ones with ``urgent``), oldest first, locked and
    skipping rows others locked.

    Served by the partial indexes outbox_pending_due_idx and outbox_urgent_due_idx.
    """
    due = Message.objects.filter(status=Status.PENDING, scheduled_for__lte=now)
    if urgent:
        due = due.filter(urgent=True)
    return (
        due.order_by("scheduled_for")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:limit]
    )


def reserve_due_messages(
    *, limit: int, now: datetime | None = None, urgent: bool = False
) -> tuple[str, list[int]]:
    """Reserve up to ``limit`` due pending rows, oldest due first: (claim name, row ids).

    Two queries whatever ``limit`` is. Rows another sweep has locked are skipped, not
    waited for (SKIP LOCKED), and the UPDATE repeats the conditions, so a row is reserved
    by one sweep only even where the database cannot skip locked rows.
    """
    now = now or timezone.now()
    reservation = _claim_name(RESERVATION_PREFIX)
    with transaction.atomic():
        ids = list(due_messages(now=now, limit=limit, urgent=urgent))
        if not ids:
            return reservation, []
        # Stamped with the time it is made (a long sweep's ``now`` is its start), so a
        # reservation's age is the time its task has had.
        reserved = Message.objects.filter(
            pk__in=ids, status=Status.PENDING, scheduled_for__lte=now
        ).update(status=Status.SENDING, claimed_by=reservation, claimed_at=timezone.now())
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
    # due rows: sweep again soon rather than at beat's next tick.
    more: bool = False


@dataclass
class _HandOut:
    enqueued: int = 0
    released: int = 0
    more: bool = False
    broker_down: bool = False


def _hand_out(*, now: datetime, batch_size: int, room: int, urgent: bool) -> _HandOut:
    """Reserve and publish batches of due rows until ``room`` rows or the sweep's batches
    are used, the due rows run out, or the broker refuses."""
    done = _HandOut()
    for _batch in range(conf.sweep_max_batches()):
        limit = min(batch_size, room)
        if limit <= 0:
            done.more = True  # as many in flight as workers can send in a reservation timeout
            return done
        reservation, ids = reserve_due_messages(limit=limit, now=now, urgent=urgent)
        if not ids:
            return done
        room -= len(ids)
        published = dispatch.publish(ids, reservation=reservation, urgent=urgent)
        done.enqueued += published
        if published < len(ids):
            done.released += release_reservation(
                message_ids=ids[published:], reservation=reservation
            )
            done.broker_down = True
            return done
        if len(ids) < limit:
            return done
    done.more = True  # every batch was full
    return done


def sweep_outbox(*, now: datetime | None = None, batch_size: int | None = None) -> SweepResult:
    """Find what is due and hand it to workers, batch by batch (run by beat).

    Urgent rows first, on their own queue and whatever is in flight; then the rest, topping
    'sending' up to NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT rows and no further. When the broker
    is down the reservations are released and the sweep stops: nothing is lost, the next
    sweep tries again.
    """
    now = now or timezone.now()
    batch_size = batch_size or conf.sweep_batch_size()
    reclaimed = reclaim_stale_messages(now=now)
    urgent = _hand_out(
        now=now, batch_size=batch_size, room=batch_size * conf.sweep_max_batches(), urgent=True
    )
    if urgent.broker_down:
        return SweepResult(reclaimed=reclaimed, enqueued=urgent.enqueued, released=urgent.released)
    # Rows already handed out and not finished (served by outbox_sending_claimed_idx).
    room = conf.sweep_max_in_flight() - Message.objects.filter(status=Status.SENDING).count()
    rest = _hand_out(now=now, batch_size=batch_size, room=room, urgent=False)
    return SweepResult(
        reclaimed=reclaimed,
        enqueued=urgent.enqueued + rest.enqueued,
        released=urgent.released + rest.released,
        more=urgent.more or rest.more,
    )


# --- A batch of messages -----------------------------------------------------------------


def take_messages(
    *, message_ids: Sequence[int], reservation: str = "", claim: str = ""
) -> tuple[list[Message], str]:
    """Claim these rows for this run: (the rows it got, in the order asked, the claim).

    One conditional UPDATE for the lot, then one SELECT of the rows it won (with their
    recipients). With a ``reservation`` a row must still carry it; without one (a message
    enqueued as it was written) it must be pending and due. Rows that ``claim`` holds
    already (the task's earlier try, stopped by a database error) are resumed. A new row
    counts an attempt, and ``claimed_at`` restarts the lease now.
    """
    now = timezone.now()
    claim = claim or _claim_name(RUN_PREFIX)
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        return [], claim
    ours = Q(status=Status.SENDING, claimed_by=claim)
    if reservation:
        free = Q(status=Status.SENDING, claimed_by=reservation)
    else:
        free = Q(status=Status.PENDING, scheduled_for__lte=now)
    with transaction.atomic():
        taken = Message.objects.filter(ours | free, pk__in=ids).update(
            status=Status.SENDING,
            claimed_by=claim,
            claimed_at=now,
            attempts=Case(When(ours, then=F("attempts")), default=F("attempts") + 1),
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


def _prepare(
    messages: list[Message], recorder: Recorder
) -> list[tuple[Message, NotificationPreference]]:
    """Refresh the batch and drop what must not be sent: the messages to send."""
    preferences = preferences_for_users(message.recipient for message in messages)
    refreshed = hooks.refresh_many(messages)
    ready = []
    for message in messages:
        recipient = message.recipient
        fresh = refreshed[message.pk]
        if isinstance(fresh, Exception):  # the domain's check failed: retried
            recorder.add(message, RETRY, error=f"{type(fresh).__name__}: {fresh}")
            continue
        if isinstance(fresh, str):
            recorder.add(message, CANCELLED, error=fresh)
            continue
        if isinstance(fresh, hooks.Fresh):
            # For this send only; the row keeps what was queued.
            message.context, message.attachments = fresh.context, fresh.attachments
        else:
            message.context = fresh
        preference = preferences[recipient.pk]
        if not preference.wants(
            channel=message.channel, essential=message.essential, kind=message.kind
        ) or not (recipient.is_active or message.essential):
            recorder.add(message, CANCELLED, error=OPTED_OUT)
            continue
        if message.channel == Channel.SMS and not recipient.phone:
            recorder.add(message, FAILED, error="The recipient has no phone number.")
            continue
        ready.append((message, preference))
    return ready


def _send_one(
    message: Message, preference: NotificationPreference, renderer: Renderer, sender: Sender
) -> tuple[str, str]:
    """Render and send one message: (its outcome, the error)."""
    try:
        rendered = renderer.render(message, preference)
    except TemplateDoesNotExist as exc:
        return FAILED, f"Missing template: {exc}"
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:  # a template that breaks on this context: retried
        return RETRY, f"{type(exc).__name__}: {exc}"
    try:
        unsubscribe = "" if message.essential else renderer.unsubscribe_url(preference)
        sender.send(message, rendered, unsubscribe)
    except SoftTimeLimitExceeded:
        raise
    except PermanentSendError as exc:  # refused for good: trying again would not help
        return FAILED, str(exc)
    except Exception as exc:  # SMTP, provider or network: retried with backoff
        return RETRY, f"{type(exc).__name__}: {exc}"
    return SENT, ""


def _send_all(
    ready: list[tuple[Message, NotificationPreference]], lease: Lease, recorder: Recorder
) -> None:
    """Send each message under the lease and write its outcome before the next send."""
    sender = Sender()
    renderer = Renderer()
    try:
        recorder.write()  # the batch's cancellations and failures found by _prepare
        for message, preference in ready:
            if not lease.holds(message.pk):
                continue  # its lease lapsed and the sweep took it back: another run sends it
            result, error = _send_one(message, preference, renderer, sender)
            recorder.add(message, result, error=error)
            recorder.write()
    except (SoftTimeLimitExceeded, Stopping):
        # Stop cleanly before the hard limit kills the worker: put back what did not go
        # (including the message this one stopped in), and journal what cannot be written.
        for message, _preference in ready:
            if message.pk not in recorder.results and message.pk in lease.held:
                recorder.add(message, RETRY, error=STOPPED)
        if not recorder.try_write():
            recorder.journal()
    finally:
        sender.close()


def deliver_messages(
    *, message_ids: Sequence[int], reservation: str = "", claim: str = ""
) -> dict[int, str]:
    """Take, refresh, render and send a batch; each id's outcome: sent, skipped,
    cancelled, retry or failed.

    Idempotent: a row already taken, sent or cancelled is skipped, so a task delivered
    twice sends once. A few queries for the batch (the claim, the rows with their
    recipients, their preferences, each kind's batch refresher, the cancellations), then
    one short commit per message sent, right after its send.
    """
    results = dict.fromkeys(message_ids, "skipped")
    messages, claim = take_messages(message_ids=message_ids, reservation=reservation, claim=claim)
    if not messages:
        return results
    recorder = Recorder(claim)
    with Lease(claim, (message.pk for message in messages)) as lease, RelaxedCommits() as relaxed:
        recorder.relaxed = relaxed
        _send_all(_prepare(messages, recorder), lease, recorder)
    results.update(recorder.results)
    return results


def deliver_message(*, message_id: int, reservation: str = "") -> str:
    """``deliver_messages`` for one message: its outcome."""
    return deliver_messages(message_ids=[message_id], reservation=reservation)[message_id]
