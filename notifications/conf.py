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


def sms_backend_path() -> str:
    return str(
        getattr(settings, "NOTIFICATIONS_SMS_BACKEND", "notifications.sms.ConsoleSmsBackend")
    )
