"""Volunteering tasks. Each takes plain JSON arguments and is safe to run more than once."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from volunteers.services import expiry_warnings as warnings
from volunteers.services import generate_all_series, reminders


@shared_task(
    name="volunteers.generate_all_series",
    acks_late=True,
    max_retries=0,
    soft_time_limit=300,
    time_limit=330,
)
def generate_all_series_task() -> int:
    """Daily (beat): plan every running series' shifts up to its window. Idempotent: a
    second run the same day creates nothing. Returns the number of shifts created."""
    return generate_all_series()


@shared_task(
    name="volunteers.schedule_due_reminders",
    acks_late=True,
    max_retries=0,
    soft_time_limit=240,
    time_limit=270,
)
def schedule_due_reminders_task() -> int:
    """Every few minutes (beat): queue any missing shift reminder. Idempotent."""
    return reminders.schedule_due_reminders()


@shared_task(
    name="volunteers.schedule_warnings",
    acks_late=True,
    max_retries=0,
    soft_time_limit=600,
    time_limit=630,
)
def schedule_warnings_task() -> dict[str, int]:
    """Hourly (beat): training-session reminders and expiry warnings. Idempotent."""
    return asdict(warnings.schedule_warnings())
