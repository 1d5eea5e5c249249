"""Demo data for trying the product: ``manage.py seed_demo``. Running it again adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role

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
        with transaction.atomic():
            for person in PEOPLE:
                user, was_created = User.objects.get_or_create(
                    email=person.email,
                    defaults={
                        "first_name": person.first_name,
                        "last_name": person.last_name,
                        "phone": person.phone,
                        "preferred_language": person.language,
                        "time_zone": person.time_zone,
                        "is_staff": person.superuser,
                        "is_superuser": person.superuser,
                    },
                )
                if was_created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                    created += 1
                for role in person.roles:
                    grant_role(user=user, role=role)
        existing = len(PEOPLE) - created
        self.stdout.write(
            f"Demo data for {settings.ORG_NAME}: {created} people created, "
            f"{existing} already there."
        )
        self.stdout.write(
            self.style.SUCCESS("Demo logins (password for all: " + DEMO_PASSWORD + ")")
        )
        for person in PEOPLE[:4]:
            roles = " + ".join(str(role.label).lower() for role in person.roles)
            self.stdout.write(f"  {roles:<20} {person.email}")
