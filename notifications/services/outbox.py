"""Putting messages in the outbox, taking them out again, and sending one again."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from core.tasks import run_on_commit
from notifications import conf
from notifications.kinds import KIND_PATTERN, check_message
from notifications.models import Channel, Message, PushSubscription, Status
from notifications.services import dispatch
from notifications.services.errors import OutboxError
from notifications.services.preferences import preferences_for
from notifications.services.rendering import has_template

logger = logging.getLogger(__name__)

# The text-message twin of a message gets its key with this suffix.
SMS_KEY_SUFFIX = "#sms"
# ...and its push twin (services.push), this one.
PUSH_KEY_SUFFIX = "#push"
OPTED_OUT = "The recipient does not receive this kind of message."
NOT_CHOSEN = "The sender chose channels this recipient cannot receive."
WITHDRAWN = "Withdrawn by the app that queued it (no longer needed)."
# Claims written by the sweep start with this; a worker's own claim starts with "run:".
RESERVATION_PREFIX = "sweep:"

JSON = Any


def _check_attachments(attachments: list[dict[str, str]]) -> None:
    for attachment in attachments:
        missing = {"filename", "content_type", "content"} - set(attachment)
        if missing:
            raise ValueError(f"attachment lacks {sorted(missing)}: {sorted(attachment)}")


def enqueue_message(
    *,
    recipient: User,
    kind: str,
    dedupe_key: str,
    context: dict[str, JSON],
    scheduled_for: datetime | None = None,
    essential: bool = False,
    urgent: bool = False,
    attachments: list[dict[str, str]] | None = None,
    channels: frozenset[str] | None = None,
) -> Message | None:
    """Put one message for ``recipient`` in the outbox, once per ``dedupe_key``.

    Call it inside the caller's transaction: it only writes rows; once that transaction
    commits, a message already due is handed to a worker, and the sweep sends the rest
    when they fall due. Returns None when ``dedupe_key`` is already in the outbox.

    The channels follow the recipient's preferences: e-mail (always, for ``essential``
    messages such as receipts and login links), plus a text message when the kind has an
    ``sms.txt`` template and the person chose SMS and has a phone number (a second row,
    key ``<dedupe_key>#sms``), and a push notification when push is configured, the kind
    has an ``sms.txt``, and the person turned push on in a browser (key
    ``<dedupe_key>#push``). A person who receives none gets the row as cancelled, so the
    key stays used and the coordinator page shows why nothing went.

    ``urgent``: a message that must not wait behind a backlog (a login link, a shift
    cancelled or changed at short notice): sent through the urgent queue, and swept first.

    ``attachments``: [{"filename", "content_type", "content"}], content text, or base64
    when the dict also has "encoding": "base64" (e.g. a PDF).

    ``channels``: the channels the sender chose (a coordinator's message by e-mail only,
    say); None means every channel. A channel left out is never used, whatever the
    person's preferences; someone reached by none of the chosen ones gets the row as
    cancelled, with the reason.
    """
    if not KIND_PATTERN.match(kind):
        raise ValueError(f"kind must be dotted lower-case words, e.g. shift.reminder: {kind!r}")
    check_message(kind, context)  # declared in an app's message_kinds (notifications.kinds)
    if not dedupe_key or len(dedupe_key) > 240:
        raise ValueError("dedupe_key must be 1 to 240 characters")
    if scheduled_for is not None and timezone.is_naive(scheduled_for):
        raise ValueError("scheduled_for must be an aware datetime")
    attachments = list(attachments or [])
    _check_attachments(attachments)
    now = timezone.now()
    when = scheduled_for or now

    with transaction.atomic():
        if Message.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        preference = preferences_for(recipient)
        chosen = channels if channels is not None else frozenset(Channel.values)
        wants_email = Channel.EMAIL in chosen and preference.wants(
            channel=Channel.EMAIL, essential=essential, kind=kind
        )
        wants_sms = (
            Channel.SMS in chosen
            and bool(recipient.phone)
            and preference.wants(channel=Channel.SMS, essential=essential, kind=kind)
            and has_template(kind, "sms.txt")
        )
        # Push carries the text message's words, to the browsers the person subscribed.
        wants_push = (
            conf.push_enabled()
            and preference.wants(channel=Channel.PUSH, essential=essential, kind=kind)
            and has_template(kind, "sms.txt")
            and PushSubscription.objects.filter(user=recipient).exists()
        )
        rows = []
        fields = {
            "recipient": recipient,
            "kind": kind,
            "context": context,
            "essential": essential,
            "urgent": urgent,
            "scheduled_for": when,
        }
        if wants_email or not (wants_sms or wants_push):
            rows.append(
                Message(
                    **fields,
                    channel=Channel.EMAIL,
                    dedupe_key=dedupe_key,
                    attachments=attachments,
                    status=Status.PENDING if wants_email else Status.CANCELLED,
                    last_error=""
                    if wants_email
                    else (OPTED_OUT if Channel.EMAIL in chosen else NOT_CHOSEN),
                )
            )
        if wants_sms:
            rows.append(
                Message(
                    **fields,
                    channel=Channel.SMS,
                    dedupe_key=dedupe_key + (SMS_KEY_SUFFIX if rows else ""),
                )
            )
        if wants_push:
            rows.append(
                Message(
                    **fields,
                    channel=Channel.PUSH,
                    dedupe_key=dedupe_key + (PUSH_KEY_SUFFIX if rows else ""),
                )
            )
        try:
            with transaction.atomic():  # a savepoint: a lost race must not spoil the caller
                for row in rows:
                    row.save(force_insert=True)
        except IntegrityError:
            if Message.objects.filter(dedupe_key=dedupe_key).exists():
                return None  # someone enqueued the same key at the same moment
            raise
        pending = [row.pk for row in rows if row.status == Status.PENDING]
        if when <= now and pending:
            run_on_commit(dispatch.publish, pending, urgent=urgent)
    return rows[0]


def cancel_messages(*, dedupe_key_prefix: str) -> int:
    """Cancel the not-yet-sent messages whose key starts with ``dedupe_key_prefix``.

    Counts rows that are pending, or reserved by the sweep but not yet taken by a worker
    (the worker then finds the reservation gone and sends nothing). A message a worker is
    sending at this very moment is not stopped. Returns how many were cancelled.
    """
    if not dedupe_key_prefix:
        raise ValueError("dedupe_key_prefix must not be empty")
    with transaction.atomic():
        return Message.objects.filter(
            Q(status=Status.PENDING)
            | Q(status=Status.SENDING, claimed_by__startswith=RESERVATION_PREFIX),
            dedupe_key__startswith=dedupe_key_prefix,
        ).update(status=Status.CANCELLED, claimed_by="", claimed_at=None, last_error=WITHDRAWN)


def reinstate_message(*, dedupe_key: str, scheduled_for: datetime, context: dict[str, JSON]) -> int:
    """Put back what ``cancel_messages`` withdrew under ``dedupe_key`` (and its text-message
    twin), for a new time and context; how many rows came back.

    For a message that is wanted again after all, e.g. the reminder of a shift that moved
    away and then back to its first time. Rows cancelled for any other reason (the person
    opted out) and rows already sent stay as they are.
    """
    if timezone.is_naive(scheduled_for):
        raise ValueError("scheduled_for must be an aware datetime")
    with transaction.atomic():
        rows = Message.objects.filter(
            dedupe_key__in=[dedupe_key, dedupe_key + SMS_KEY_SUFFIX, dedupe_key + PUSH_KEY_SUFFIX],
            status=Status.CANCELLED,
            last_error=WITHDRAWN,
            sent_at__isnull=True,
        )
        found = dict(rows.values_list("pk", "urgent"))
        count = rows.update(
            status=Status.PENDING,
            scheduled_for=scheduled_for,
            context=context,
            attempts=0,
            last_error="",
        )
        if scheduled_for <= timezone.now():
            for urgent in (True, False):
                if ids := [pk for pk, is_urgent in found.items() if is_urgent == urgent]:
                    run_on_commit(dispatch.publish, ids, urgent=urgent)
    return count


RESENDABLE = (Status.FAILED, Status.CANCELLED, Status.SENT)


def resend_message(*, message_id: int) -> Message:
    """Send a failed, cancelled or sent message again, now (a coordinator's action)."""
    with transaction.atomic():
        updated = Message.objects.filter(pk=message_id, status__in=RESENDABLE).update(
            status=Status.PENDING,
            scheduled_for=timezone.now(),
            attempts=0,
            last_error="",
            claimed_by="",
            claimed_at=None,
            resends=F("resends") + 1,  # a new e-mail (Message-ID), not a retry of the last
        )
        message = Message.objects.select_related("recipient").get(pk=message_id)
        if not updated:
            raise OutboxError(
                gettext(
                    "This message is %(status)s: only failed, cancelled or sent messages can be "
                    "sent again."
                )
                % {"status": message.get_status_display().lower()}
            )
        run_on_commit(dispatch.publish, [message.pk], urgent=message.urgent)
    return message
