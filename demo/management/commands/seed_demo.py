"""Demo data for trying the product: ``manage.py seed_demo``. Running it again adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import ensure_person
from demo.giving import seed_giving
from demo.volunteering import seed_volunteering

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed on purpose; demo data only


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    roles: tuple[Role, ...]
    phone: str = ""
    language: str = "en"
    time_zone: str = "America/New_York"
    superuser: bool = False


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "coordinator@example.org",
        "Maya",
        "Patel",
        (Role.COORDINATOR,),
        phone="+12025550101",
        superuser=True,
    ),
    DemoPerson("volunteer@example.org", "Ana", "Souza", (Role.VOLUNTEER,), phone="+12025550111"),
    DemoPerson("donor@example.org", "Grace", "Okafor", (Role.DONOR,), time_zone="America/Chicago"),
    DemoPerson(
        "sam@example.org",
        "Sam",
        "Nguyen",
        (Role.VOLUNTEER, Role.DONOR),
        phone="+12025550112",
        language="vi",
    ),
    DemoPerson("ben@example.org", "Ben", "Carter", (Role.VOLUNTEER,)),
    DemoPerson(
        "lucia@example.org",
        "Lucía",
        "Romero",
        (Role.VOLUNTEER,),
        phone="+12025550113",
        language="es",
        time_zone="America/Los_Angeles",
    ),
    DemoPerson(
        "ploy@example.org",
        "Ploy",
        "Srisai",
        (Role.VOLUNTEER,),
        phone="+12025550114",
        language="th",
    ),
)


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
        self.stdout.write(
            f"Demo data for {settings.ORG_NAME}: {created} people created, "
            f"{len(PEOPLE) - created} already there; volunteering records "
            f"{volunteering.created} created, {volunteering.existing} already there; gifts "
            f"{giving.created} created, {giving.existing} already there "
            f"({giving.events} Stripe test events run through the ledger)."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for person in PEOPLE[:4]:
            roles = " + ".join(str(role.label).lower() for role in person.roles)
            self.stdout.write(f"  {roles:<20} {person.email}")
        self.stdout.write("  applicant            kofi@example.org (waiting for review)")
