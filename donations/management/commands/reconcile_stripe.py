"""``manage.py reconcile_stripe``: what the nightly reconciliation does, now: apply the
Stripe events of the last days our endpoint never received, then list each Stripe object
(charge, subscription) that disagrees with our ledger and what differs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.disagreements import disagreement_list, find_disagreements
from donations.stripe_integration.reconcile import MAX_DAYS, reconcile_events


class Command(BaseCommand):
    help = "Apply missed Stripe events and list the Stripe objects that disagree with ours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.STRIPE_RECONCILE_DAYS,
            help=f"How many days back to read (1 to {MAX_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not stripe_client.is_configured():
            raise CommandError("STRIPE_SECRET_KEY is not set: there is no account to compare.")
        days = options["days"]
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        events = reconcile_events(days=days)
        self.stdout.write(
            f"Events: {events.listed} listed, {events.applied} applied late, "
            f"{events.retried} run again."
        )
        check = find_disagreements(days=days)
        self.stdout.write(
            f"Compared {check.charges} charges and {check.subscriptions} subscriptions: "
            f"{check.disagreeing} disagree."
        )
        for row, differences in disagreement_list():
            gift = (
                f"gift {row.donation_id}"
                if row.donation_id
                else f"monthly gift {row.recurring_gift_id}"
            )
            what = "; ".join(f"{d.label}: ours {d.ours}, Stripe {d.stripe}" for d in differences)
            self.stdout.write(f"{row.object_type} {row.stripe_id} ({gift}): {what}")
