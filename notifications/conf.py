"""The outbox's settings, read at call time (so tests may override them)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings


def lease_seconds() -> int:
    """How long a worker's claim on its rows lasts unless renewed.

    A worker renews it every third of this while it works (see services.leases), so a live
    worker, however slow, keeps its rows, and a dead one's rows are taken back by the next
    sweep after this long: short, so a crash delays its messages by well under a minute.
    """
    return max(3, int(getattr(settings, "NOTIFICATIONS_LEASE_SECONDS", 30)))


def lease() -> timedelta:
    return timedelta(seconds=lease_seconds())


def reservation_timeout() -> timedelta:
    """How long rows the sweep reserved may wait for their task (in the broker's queue)
    before the sweep takes them back: only a task the broker lost waits that long."""
    return timedelta(seconds=int(getattr(settings, "NOTIFICATIONS_RESERVATION_TIMEOUT", 300)))


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
    up to it and no further, so what is queued is sent within the reservation timeout
    (10,000 rows need 34 messages/s for 300 s) instead of being taken back while its
    tasks still wait in the broker. Urgent messages are handed out beyond it."""
    return int(getattr(settings, "NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT", 10_000))


def task_batch_size() -> int:
    """How many message ids one send task carries (claimed, refreshed and sent together:
    a few queries for the lot, then one short write per message sent)."""
    return max(1, int(getattr(settings, "NOTIFICATIONS_TASK_BATCH_SIZE", 100)))


def sweep_follow_up_seconds() -> int:
    """A sweep that stopped at its limits with due rows left runs again this much later
    (not at beat's next tick), until the backlog is handed out."""
    return int(getattr(settings, "NOTIFICATIONS_SWEEP_FOLLOW_UP_SECONDS", 5))


def outcome_retry_max_seconds() -> float:
    """While the database is unreachable, a worker retries writing what it sent with
    backoff up to this interval, so it records them within about this long of its return."""
    return float(getattr(settings, "NOTIFICATIONS_OUTCOME_RETRY_MAX_SECONDS", 1.0))


def journal_dir() -> Path:
    """Where a worker that must stop while the database is unreachable writes the outcomes
    it could not record; the next send task on this host replays them."""
    default = Path(settings.VAR_DIR) / "outbox-journal"
    return Path(getattr(settings, "NOTIFICATIONS_JOURNAL_DIR", "") or default)


def sms_backend_path() -> str:
    return str(
        getattr(
            settings, "NOTIFICATIONS_SMS_BACKEND", "notifications.services.sms.ConsoleSmsBackend"
        )
    )
