"""Remove the records past their retention limit (settings.RETENTION_DAYS) now; beat runs
the same daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.services.retention import limit_days, run_retention


class Command(BaseCommand):
    help = "Delete the records past their retention limit (RETENTION_DAYS) and print counts."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = run_retention()
        for category, removed in counts.items():
            self.stdout.write(f"{category}: {removed} removed (limit {limit_days(category)} days)")
        self.stdout.write(f"{sum(counts.values())} removed in all")
