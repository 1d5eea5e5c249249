"""The outbox's settings, read at call time (so tests may override them)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def claim_timeout() -> timedelta:
    """How long a row may stay in 'sending' before the sweep takes it back.

    Longer than the send task's hard time limit, so a live worker is never overtaken.
    """
    return timedelta(seconds=int(getattr(settings, "NOTIFICATIONS_CLAIM_TIMEOUT", 300)))


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the ``attempts``-th failed try: base, 2x base, 4x base..."""
    base = int(getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 60))
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def sweep_batch_size() -> int:
    return int(getattr(settings, "NOTIFICATIONS_SWEEP_BATCH_SIZE", 500))


def sweep_max_batches() -> int:
    return int(getattr(settings, "NOTIFICATIONS_SWEEP_MAX_BATCHES", 20))


def sweep_max_in_flight() -> int:
    """At most this many rows in 'sending' (reserved or being sent) at once: a sweep tops
    up to it and no further, so what is queued can be sent within the claim timeout
    (10,000 rows need 34 messages/s for 300 s) instead of being taken back while its
    tasks still wait in the broker."""
    return int(getattr(settings, "NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT", 10_000))


def task_batch_size() -> int:
    """How many message ids one send task carries (claimed, refreshed, sent and finished
    together: a few queries and two commits for the lot)."""
    return max(1, int(getattr(settings, "NOTIFICATIONS_TASK_BATCH_SIZE", 100)))


def sent_flush_seconds() -> float:
    """While a task sends its batch, the rows already sent are marked sent at least this
    often, so a worker killed mid-batch leaves at most this long of sends to go again."""
    return float(getattr(settings, "NOTIFICATIONS_SENT_FLUSH_SECONDS", 1.0))


def sweep_follow_up_seconds() -> int:
    """A sweep that stopped at its limits with due rows left runs again this much later
    (not a minute later at beat's next tick), until the backlog is handed out."""
    return int(getattr(settings, "NOTIFICATIONS_SWEEP_FOLLOW_UP_SECONDS", 5))


def sms_backend_path() -> str:
    return str(
        getattr(settings, "NOTIFICATIONS_SMS_BACKEND", "notifications.sms.ConsoleSmsBackend")
    )
