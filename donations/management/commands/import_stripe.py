"""``manage.py import_stripe``: bring the configured Stripe account's customers, subscriptions
and past payments in, with progress; run it again to resume (``--restart`` reads from the
start; what exists is matched, never made twice)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.importer import (
    ImportProgress,
    import_stripe_account,
    restart_import,
)


class Command(BaseCommand):
    help = "Import customers, subscriptions and past payments from the Stripe account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--restart", action="store_true", help="Read every list again.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not stripe_client.is_configured():
            raise CommandError("STRIPE_SECRET_KEY is not set: there is no account to import.")
        if options["restart"]:
            restart_import()

        def show(progress: ImportProgress) -> None:
            state = "done" if progress.finished else "reading"
            self.stdout.write(
                f"{progress.object_type}: {progress.read} read, {progress.created} new ({state})"
            )

        for progress in import_stripe_account(on_page=show):
            self.stdout.write(
                self.style.SUCCESS(
                    f"{progress.object_type}: {progress.read} read, {progress.created} created"
                )
            )
