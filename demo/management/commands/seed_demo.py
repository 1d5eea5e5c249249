"""Demo data for trying the product: ``manage.py seed_demo``. Running it again adds nothing.

It prints every demo login (demo.people.LOGINS, the README's table too).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import User
from accounts.services import ensure_person
from demo.donor_lists import seed_donor_lists
from demo.giving import seed_giving
from demo.people import DEMO_PASSWORD, LOGINS, PEOPLE

__all__ = ["DEMO_PASSWORD", "Command"]  # the password, for tests that log in as the demo
from demo.volunteering import seed_volunteering


class Command(BaseCommand):
    help = "Create demo people (a coordinator, volunteers, a donor). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DJANGO_ENV=production (demo accounts have a known password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run "
                "when DJANGO_ENV=production. Add --force if you really mean it."
            )
        created = 0
        people: dict[str, User] = {}
        with transaction.atomic():
            for person in PEOPLE:
                user, was_created = ensure_person(
                    email=person.email,
                    password=DEMO_PASSWORD,
                    roles=person.roles,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    phone=person.phone,
                    preferred_language=person.language,
                    time_zone=person.time_zone,
                    is_staff=person.superuser,
                    is_superuser=person.superuser,
                )
                people[person.email] = user
                created += was_created
            volunteering = seed_volunteering(
                people=people, coordinator=people["coordinator@example.org"]
            )
            giving = seed_giving(people=people)
            seed_donor_lists(actor=people["coordinator@example.org"])
        self.stdout.write(
            f"Demo data for {settings.ORG_NAME}: {created} people created, "
            f"{len(PEOPLE) - created} already there; volunteering records "
            f"{volunteering.created} created, {volunteering.existing} already there; gifts "
            f"{giving.created} created, {giving.existing} already there "
            f"({giving.events} Stripe test events run through the ledger)."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        width = max(len(who) for who, _email in LOGINS)
        for who, email in LOGINS:
            self.stdout.write(f"  {who:<{width}}  {email}")
        self.stdout.write(f"Links in e-mails point to {settings.SITE_URL}")
