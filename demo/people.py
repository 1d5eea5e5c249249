"""The demo's people and their logins (``manage.py seed_demo``; ``make run`` prints them)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import Role

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
    # Who this login shows, as `make run` prints it and the README's table lists it.
    shown_as: str = ""


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "coordinator@example.org",
        "Maya",
        "Patel",
        (Role.ADMINISTRATOR,),
        phone="+12025550101",
        superuser=True,
        shown_as="administrator (everything: settings, staff accounts, audit)",
    ),
    DemoPerson(
        "volunteering@example.org",
        "Jordan",
        "Lee",
        (Role.VOLUNTEER_COORDINATOR,),
        phone="+12025550102",
        shown_as="volunteer coordinator (volunteering; clearance status only)",
    ),
    DemoPerson(
        "safeguarding@example.org",
        "Priya",
        "Shah",
        (Role.SAFEGUARDING_LEAD,),
        phone="+12025550103",
        shown_as="safeguarding lead (clearance details and documents)",
    ),
    DemoPerson(
        "fundraising@example.org",
        "Omar",
        "Haddad",
        (Role.FUNDRAISER,),
        phone="+12025550104",
        shown_as="fundraiser (giving; of volunteers, names only)",
    ),
    DemoPerson(
        "viewer@example.org",
        "Lena",
        "Fischer",
        (Role.VIEWER,),
        shown_as="viewer (read-only reports)",
    ),
    DemoPerson(
        "volunteer@example.org",
        "Ana",
        "Souza",
        (Role.VOLUNTEER,),
        phone="+12025550111",
        shown_as="volunteer (fully trained, a shift lead)",
    ),
    DemoPerson(
        "donor@example.org",
        "Grace",
        "Okafor",
        (Role.DONOR,),
        time_zone="America/Chicago",
        shown_as="donor",
    ),
    DemoPerson(
        "sam@example.org",
        "Sam",
        "Nguyen",
        (Role.VOLUNTEER, Role.DONOR),
        phone="+12025550112",
        language="vi",
        shown_as="volunteer and donor (19: too young for school outreach)",
    ),
    DemoPerson(
        "ben@example.org",
        "Ben",
        "Carter",
        (Role.VOLUNTEER,),
        shown_as="volunteer with a training expiring in 10 days",
    ),
    DemoPerson(
        "lucia@example.org",
        "Lucía",
        "Romero",
        (Role.VOLUNTEER,),
        phone="+12025550113",
        language="es",
        time_zone="America/Los_Angeles",
        shown_as="volunteer with an expired training",
    ),
    DemoPerson(
        "ploy@example.org",
        "Ploy",
        "Srisai",
        (Role.VOLUNTEER,),
        phone="+12025550114",
        language="th",
        shown_as="volunteer whose background check is pending",
    ),
)

# Someone who applied on the public form (demo.volunteering.seed_applicant).
APPLICANT_EMAIL = "kofi@example.org"
# Every demo login, in the order `make run` prints them and the README lists them.
LOGINS: tuple[tuple[str, str], ...] = (
    *((person.shown_as, person.email) for person in PEOPLE),
    ("applicant waiting for review", APPLICANT_EMAIL),
)
