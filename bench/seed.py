"""Seed a fresh PostgreSQL database at the scale of a large NGO, fast (COPY).

Rows are written with PostgreSQL ``COPY ... FROM STDIN`` (psycopg), with their primary keys
chosen here (after the table's current largest) and the identity sequences moved past them
at the end, so no row is read back. Every row respects the database's constraints: one
active sign-up per (shift, volunteer), shifts that end after they start, positive amounts,
upper-case currency codes, refunds and covered fees within the amount, unique Stripe ids,
cheques with numbers.

Designated accounts (looked up by ``bench.targets``): the coordinator
``coordinator@bench.invalid`` (superuser), the volunteer ``v0@bench.invalid`` and the donor
``donor0@bench.invalid`` (a monthly giver, with a login and gifts in the statement year).
"""

# ruff: noqa: S105, S311, S608 (made-up seeded data; table names from the models)

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from accounts.models import User
from accounts.roles import Role
from donations.models import (
    Campaign,
    Donation,
    DonationSource,
    DonationStatus,
    Donor,
    RecurringGift,
    RecurringStatus,
)
from volunteers.models import (
    Clearance,
    ClearanceStatus,
    ClearanceType,
    Location,
    ProfileStatus,
    RecordStatus,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    Training,
    TrainingRecord,
    VolunteerProfile,
    VolunteerRole,
)

EMAIL_DOMAIN = "bench.invalid"
COORDINATOR_EMAIL = f"coordinator@{EMAIL_DOMAIN}"
VOLUNTEER_EMAIL = f"v0@{EMAIL_DOMAIN}"
DONOR_EMAIL = f"donor0@{EMAIL_DOMAIN}"
# Hashes no password: nobody logs in to seeded accounts with one (the bench makes sessions).
UNUSABLE_PASSWORD = "!bench-seeded"
ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London")
FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo")
LAST_NAMES = ("Nguyen", "Smith", "Garcia", "Khan", "Okafor", "Rossi", "Tanaka", "Silva", "Ng")
CURRENCIES = ("USD",) * 8 + ("EUR", "GBP")
SEED = 20260101


@dataclass(frozen=True)
class Sizes:
    """How many of each to make (the issue's defaults)."""

    volunteers: int = 20_000
    roles: int = 500
    locations: int = 1_500
    shifts: int = 50_000
    signups: int = 500_000
    training_records: int = 30_000
    donors: int = 100_000
    donations: int = 1_000_000
    recurring_gifts: int = 5_000
    # Donors with gifts in the statement year (year-end statements benchmark).
    statement_donors: int = 5_000

    def scaled(self, factor: float) -> Sizes:
        """Every size times ``factor`` (at least a handful of each)."""
        values = {name: max(4, round(value * factor)) for name, value in asdict(self).items()}
        return replace(self, **values)

    def check(self) -> None:
        if self.statement_donors > self.donors or self.recurring_gifts > self.donors:
            raise ValueError("statement donors and recurring gifts need as many donors")
        if self.donations < self.statement_donors:
            raise ValueError("there must be at least one donation per statement donor")
        if self.volunteers < 2 or self.shifts < 1:
            raise ValueError("need at least 2 volunteers and 1 shift")


DEFAULT = Sizes()
SCALES: dict[str, Sizes] = {"default": DEFAULT, "small": DEFAULT.scaled(0.01)}


def statement_year(today: date | None = None) -> int:
    """The year whose statements the bench makes: only the statement donors gave then."""
    return (today or timezone.now().date()).year - 3


# ------------------------------------------------------------------------ COPY helper


class Table:
    """COPY rows of one model: every concrete column, defaults filled in once.

    ``write(row)`` takes a dict of attribute names (``donor_id``...) to values; the columns
    not given get the field's default (``now`` for auto timestamps). A unique column with a
    callable default must be given, else every row would share one value.
    """

    def __init__(self, copy: Any, model: type[models.Model], given: Sequence[str]) -> None:
        self.fields = columns_of(model, given)
        now = timezone.now()
        self.defaults: dict[str, Any] = {}
        for field in self.fields:
            if field.attname in given:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.defaults[field.attname] = now
            elif field.has_default():
                if callable(field.default) and field.unique:
                    raise ValueError(f"{model.__name__}.{field.name} must be given (unique)")
                self.defaults[field.attname] = field.get_default()
            elif field.null:
                self.defaults[field.attname] = None
            elif isinstance(field, models.CharField | models.TextField | models.FileField):
                self.defaults[field.attname] = ""
            else:
                raise ValueError(f"{model.__name__}.{field.name} must be given (no default)")
        self.copy = copy
        self.rows = 0
        self.json_columns = [
            index for index, f in enumerate(self.fields) if isinstance(f, models.JSONField)
        ]

    def write(self, row: dict[str, Any]) -> None:
        values = [
            row[f.attname] if f.attname in row else self.defaults[f.attname] for f in self.fields
        ]
        for index in self.json_columns:  # COPY takes JSON as its text
            if values[index] is not None:
                values[index] = json.dumps(values[index])
        self.copy.write_row(values)
        self.rows += 1


def columns_of(model: type[models.Model], given: Sequence[str]) -> list[models.Field[Any, Any]]:
    """The columns COPY writes: all but the primary key, unless it is given."""
    pk = model._meta.pk
    return [f for f in model._meta.concrete_fields if f is not pk or f.attname in given]


def _next_id(cursor: Any, model: type[models.Model]) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
    return int(cursor.fetchone()[0])


def _reset_sequence(cursor: Any, model: type[models.Model]) -> None:
    table = model._meta.db_table
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def copy_rows(
    cursor: Any,
    model: type[models.Model],
    given: Sequence[str],
    rows: Iterable[dict[str, Any]],
    progress: tqdm[Any],
) -> int:
    """COPY ``rows`` into ``model``'s table; how many were written."""
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in columns_of(model, given))
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        writer = Table(copy, model, given)
        for row in rows:
            writer.write(row)
            if writer.rows % 5_000 == 0:
                progress.update(5_000)
    progress.update(writer.rows % 5_000)
    _reset_sequence(cursor, model)
    return writer.rows


def copy_m2m(
    cursor: Any, table: str, columns: tuple[str, str], pairs: Iterable[tuple[int, int]]
) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for pair in pairs:
            copy.write_row(pair)


# ------------------------------------------------------------------------ the seeder


@dataclass
class Seeded:
    """What was made (counts per model), for the command's summary and the tests."""

    counts: dict[str, int]


def _moment(rng: random.Random, start: datetime, span_seconds: int, step: int = 1800) -> datetime:
    return start + timedelta(seconds=rng.randrange(0, span_seconds // step) * step)


def seed_scale(sizes: Sizes, *, progress: bool = True, rng_seed: int = SEED) -> Seeded:
    """Fill the (fresh) database; refuses one that already has shifts or donations."""
    sizes.check()
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_scale writes with PostgreSQL COPY: set DATABASE_URL=postgres://")
    if Shift.objects.exists() or Donation.objects.exists():
        raise RuntimeError("seed_scale fills a fresh database; this one has shifts or donations")
    total = (
        sizes.volunteers * 3
        + sizes.donors // 10
        + sizes.roles
        + sizes.locations
        + sizes.shifts
        + sizes.signups
        + sizes.training_records
        + sizes.volunteers // 2
        + sizes.donors
        + sizes.recurring_gifts
        + sizes.donations
    )
    bar = tqdm(total=total, unit="row", disable=not progress, desc="seed_scale", smoothing=0.1)
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor:
            counts = _Seeder(cursor, sizes, random.Random(rng_seed), bar).run()
    bar.close()
    return Seeded(counts=counts)


class _Seeder:
    def __init__(self, cursor: Any, sizes: Sizes, rng: random.Random, bar: tqdm[Any]) -> None:
        self.cursor = cursor
        self.sizes = sizes
        self.rng = rng
        self.bar = bar
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.counts: dict[str, int] = {}

    def copy(
        self, model: type[models.Model], given: Sequence[str], rows: Iterable[dict[str, Any]]
    ) -> None:
        written = copy_rows(self.cursor, model, given, rows, self.bar)
        self.counts[model.__name__] = self.counts.get(model.__name__, 0) + written

    def run(self) -> dict[str, int]:
        groups = {role: Group.objects.get_or_create(name=role.value)[0].pk for role in Role}
        self.users(groups)
        self.volunteering()
        self.giving()
        return self.counts

    # -------------------------------------------------------------- people

    def users(self, groups: dict[Role, int]) -> None:
        s, rng = self.sizes, self.rng
        first = _next_id(self.cursor, User)
        self.coordinator_id = first
        self.volunteer_ids = list(range(first + 1, first + 1 + s.volunteers))
        donor_users = s.donors // 10
        self.donor_user_ids = list(
            range(first + 1 + s.volunteers, first + 1 + s.volunteers + donor_users)
        )
        joined = self.now - timedelta(days=800)

        def rows() -> Iterator[dict[str, Any]]:
            yield self._user(first, COORDINATOR_EMAIL, "Cora", "Bench", joined, superuser=True)
            for i, pk in enumerate(self.volunteer_ids):
                yield self._user(
                    pk,
                    f"v{i}@{EMAIL_DOMAIN}",
                    rng.choice(FIRST_NAMES),
                    f"{rng.choice(LAST_NAMES)}{i}",
                    joined,
                )
            for i, pk in enumerate(self.donor_user_ids):
                yield self._user(pk, f"donor{i * 10}@{EMAIL_DOMAIN}", "Don", f"Or{i}", joined)

        fields = ["id", "email", "first_name", "last_name", "password", "is_superuser"]
        fields += ["is_staff", "date_joined"]
        self.copy(User, fields, rows())
        pairs: list[tuple[int, int]] = [(first, groups[Role.ADMINISTRATOR])]
        pairs += [(pk, groups[Role.VOLUNTEER]) for pk in self.volunteer_ids]
        pairs += [(pk, groups[Role.DONOR]) for pk in self.donor_user_ids]
        through = User.groups.through._meta.db_table
        copy_m2m(self.cursor, through, ("user_id", "group_id"), pairs)
        self.bar.update(s.volunteers)

    @staticmethod
    def _user(
        pk: int, email: str, first: str, last: str, joined: datetime, *, superuser: bool = False
    ) -> dict[str, Any]:
        return {
            "id": pk,
            "email": email,
            "first_name": first,
            "last_name": last,
            "password": UNUSABLE_PASSWORD,
            "is_superuser": superuser,
            "is_staff": superuser,
            "date_joined": joined,
        }

    # -------------------------------------------------------------- volunteering

    def volunteering(self) -> None:
        s, rng, cur = self.sizes, self.rng, self.cursor
        trainings = [
            Training.objects.create(
                name=f"Bench training {i}", validity_months=24 if i % 3 else None
            )
            for i in range(20)
        ]
        clearance = ClearanceType.objects.create(name="Bench background check", validity_months=36)
        # Roles: most need nothing; some a training, a few a clearance or a minimum age.
        role_first = _next_id(cur, VolunteerRole)
        self.role_ids = list(range(role_first, role_first + s.roles))
        self.copy(
            VolunteerRole,
            ["id", "name", "minimum_age"],
            (
                {
                    "id": pk,
                    "name": f"Bench role {i:04d}",
                    "minimum_age": 18 if i % 10 == 0 else None,
                }
                for i, pk in enumerate(self.role_ids)
            ),
        )
        role_trainings = [
            (pk, trainings[i % len(trainings)].pk)
            for i, pk in enumerate(self.role_ids)
            if i % 3 == 1
        ]
        copy_m2m(
            cur,
            VolunteerRole.required_trainings.through._meta.db_table,
            ("volunteerrole_id", "training_id"),
            role_trainings,
        )
        copy_m2m(
            cur,
            VolunteerRole.required_clearance_types.through._meta.db_table,
            ("volunteerrole_id", "clearancetype_id"),
            [(pk, clearance.pk) for i, pk in enumerate(self.role_ids) if i % 7 == 2],
        )
        location_first = _next_id(cur, Location)
        location_ids = list(range(location_first, location_first + s.locations))
        self.location_zone = {pk: ZONES[i % len(ZONES)] for i, pk in enumerate(location_ids)}
        self.copy(
            Location,
            ["id", "name", "address", "time_zone", "is_remote"],
            (
                {
                    "id": pk,
                    "name": f"Bench location {i:04d}",
                    "address": f"{i} Bench Street",
                    "time_zone": self.location_zone[pk],
                    "is_remote": i % 25 == 0,
                }
                for i, pk in enumerate(location_ids)
            ),
        )
        today = self.now.date()
        statuses = [ProfileStatus.ACTIVE] * 17 + [
            ProfileStatus.APPLICANT,
            ProfileStatus.PAUSED,
            ProfileStatus.LEFT,
        ]
        self.copy(
            VolunteerProfile,
            ["user_id", "status", "date_of_birth", "reviewed_at"],
            (
                {
                    "user_id": pk,
                    "status": ProfileStatus.ACTIVE if i == 0 else rng.choice(statuses),
                    "date_of_birth": date(1950 + rng.randrange(55), 1 + rng.randrange(12), 1),
                    "reviewed_at": self.now - timedelta(days=400),
                }
                for i, pk in enumerate(self.volunteer_ids)
            ),
        )
        self.copy(
            TrainingRecord,
            ["volunteer_id", "training_id", "completed_on", "expires_on", "status"],
            self._training_records(trainings, today),
        )
        self.copy(
            Clearance,
            ["volunteer_id", "clearance_type_id", "status", "issued_on", "expires_on"],
            (
                {
                    "volunteer_id": pk,
                    "clearance_type_id": clearance.pk,
                    "status": ClearanceStatus.CLEARED,
                    "issued_on": today - timedelta(days=200),
                    "expires_on": today + timedelta(days=900),
                }
                for pk in self.volunteer_ids[::2]
            ),
        )
        self.shifts_and_signups()

    def _training_records(self, trainings: list[Training], today: date) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for n in range(self.sizes.training_records):
            training = trainings[n % len(trainings)]
            volunteer = (
                self.volunteer_ids[0] if n < len(trainings) else rng.choice(self.volunteer_ids)
            )
            completed = today - timedelta(days=rng.randrange(1, 1000))
            yield {
                "volunteer_id": volunteer,
                "training_id": training.pk,
                "completed_on": completed,
                "expires_on": training.expiry_for(completed),
                "status": RecordStatus.VERIFIED,
            }

    def shifts_and_signups(self) -> None:
        s, rng = self.sizes, self.rng
        first = _next_id(self.cursor, Shift)
        start = self.now - timedelta(days=365)
        span = 730 * 24 * 3600
        shifts: list[tuple[int, datetime, int, str]] = []  # id, starts_at, capacity, status
        for n in range(s.shifts):
            roll = rng.random()
            status = (
                ShiftStatus.CANCELLED
                if roll < 0.03
                else ShiftStatus.DRAFT
                if roll < 0.05
                else ShiftStatus.PUBLISHED
            )
            shifts.append((first + n, _moment(rng, start, span), rng.randrange(6, 21), status))
        # The designated volunteer's shifts are spread like anyone's; a draft gets nobody.
        self.copy(
            Shift,
            [
                "id",
                "role_id",
                "location_id",
                "starts_at",
                "ends_at",
                "capacity",
                "status",
                "check_in_code",
                "cancelled_at",
            ],
            self._shift_rows(shifts),
        )
        self.copy(
            ShiftSignup,
            ["shift_id", "volunteer_id", "status", "joined_at", "cancelled_at"],
            self._signup_rows(shifts),
        )

    def _shift_rows(self, shifts: list[tuple[int, datetime, int, str]]) -> Iterator[dict[str, Any]]:
        rng = self.rng
        locations = list(self.location_zone)
        for pk, starts_at, capacity, status in shifts:
            yield {
                "id": pk,
                "role_id": rng.choice(self.role_ids),
                "location_id": rng.choice(locations),
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=rng.choice((2, 3, 4))),
                "capacity": capacity,
                "status": status,
                "check_in_code": secrets.token_urlsafe(24),
                "cancelled_at": self.now if status == ShiftStatus.CANCELLED else None,
            }

    def _signup_rows(
        self, shifts: list[tuple[int, datetime, int, str]]
    ) -> Iterator[dict[str, Any]]:
        """Sign-ups spread over the non-draft shifts in proportion to their capacity."""
        rng, target = self.rng, self.sizes.signups
        open_shifts = [row for row in shifts if row[3] != ShiftStatus.DRAFT]
        per_place = target / max(sum(row[2] for row in open_shifts), 1)
        wanted = [int(row[2] * per_place) for row in open_shifts]
        short = target - sum(wanted)
        for i in range(short):
            wanted[i % len(wanted)] += 1
        people = self.volunteer_ids
        designated = people[0]
        for (pk, starts_at, capacity, _status), count in zip(open_shifts, wanted, strict=True):
            count = min(count, len(people))
            chosen = rng.sample(people, count)
            # The designated volunteer is on one shift in about 2,000 (some 25 sign-ups).
            if designated not in chosen and count and rng.random() < 25 / len(open_shifts):
                chosen[0] = designated
            past = starts_at <= self.now
            for place, volunteer in enumerate(chosen):
                roll = rng.random()
                if roll < 0.08:
                    status = ShiftSignupStatus.CANCELLED
                elif past:
                    status = (
                        ShiftSignupStatus.NO_SHOW if roll < 0.15 else ShiftSignupStatus.ATTENDED
                    )
                else:
                    status = (
                        ShiftSignupStatus.CONFIRMED
                        if place < capacity
                        else ShiftSignupStatus.WAITLISTED
                    )
                joined = starts_at - timedelta(days=1 + place % 30, minutes=place)
                yield {
                    "shift_id": pk,
                    "volunteer_id": volunteer,
                    "status": status,
                    "joined_at": joined,
                    "cancelled_at": joined + timedelta(hours=1)
                    if status == ShiftSignupStatus.CANCELLED
                    else None,
                }

    # -------------------------------------------------------------- giving

    def giving(self) -> None:
        s, rng = self.sizes, self.rng
        campaigns = [
            Campaign.objects.create(name=f"Bench campaign {i}", slug=f"bench-campaign-{i}")
            for i in range(20)
        ]
        self.campaign_ids = [c.pk for c in campaigns]
        first = _next_id(self.cursor, Donor)
        self.donor_ids = list(range(first, first + s.donors))
        user_of = dict(zip(self.donor_ids[::10], self.donor_user_ids, strict=False))
        self.copy(
            Donor,
            ["id", "name", "email", "user_id", "city", "country", "communication_consent"],
            (
                {
                    "id": pk,
                    "name": f"{rng.choice(FIRST_NAMES)} Donor{i}",
                    "email": f"donor{i}@{EMAIL_DOMAIN}",
                    "user_id": user_of.get(pk),
                    "city": "Springfield",
                    "country": "US" if i % 5 else "GB",
                    "communication_consent": i % 2 == 0,
                }
                for i, pk in enumerate(self.donor_ids)
            ),
        )
        gift_first = _next_id(self.cursor, RecurringGift)
        # donor0 (the designated donor) gives monthly; the rest of the givers are random.
        givers = [self.donor_ids[0], *rng.sample(self.donor_ids[1:], s.recurring_gifts - 1)]
        self.gifts = [
            (gift_first + n, donor, 500 * rng.randrange(2, 11), rng.choice(CURRENCIES))
            for n, donor in enumerate(givers)
        ]
        self.copy(
            RecurringGift,
            [
                "id",
                "donor_id",
                "amount_minor",
                "currency",
                "status",
                "stripe_subscription_id",
                "stripe_customer_id",
                "checkout_session_id",
                "current_period_end",
                "created_at",
            ],
            (
                {
                    "id": pk,
                    "donor_id": donor,
                    "amount_minor": amount,
                    "currency": currency,
                    "status": RecurringStatus.ACTIVE,
                    "stripe_subscription_id": f"sub_seed_{pk}",
                    "stripe_customer_id": f"cus_seed_{donor}",
                    "checkout_session_id": f"cs_seed_sub_{pk}",
                    "current_period_end": self.now + timedelta(days=20),
                    "created_at": self.now - timedelta(days=730),
                }
                for pk, donor, amount, currency in self.gifts
            ),
        )
        # (Ids are read before COPY starts: no other query may run on the connection during it.)
        self.copy(Donation, DONATION_FIELDS, self._donation_rows(_next_id(self.cursor, Donation)))

    def _donation_rows(self, pk: int) -> Iterator[dict[str, Any]]:
        s, rng = self.sizes, self.rng
        made = 0
        # 1. The statement year: each statement donor gave once or twice, paid by card.
        year = statement_year(self.now.date())
        year_start = datetime.combine(date(year, 1, 15), time(12), UTC)
        for donor in self.donor_ids[: s.statement_donors]:
            for _ in range(1 + (donor % 2)):
                if made >= s.donations:
                    return
                when = year_start + timedelta(days=rng.randrange(330))
                yield self._gift(pk, donor, when, one_time_status=DonationStatus.PAID)
                pk += 1
                made += 1
        # 2. Monthly instalments of the recurring gifts (at most a third of all gifts).
        months = max(1, min(24, (s.donations - made) // 3 // max(len(self.gifts), 1)))
        for gift_id, donor, amount, currency in self.gifts:
            for month in range(months):
                if made >= s.donations:
                    return
                when = self.now - timedelta(days=30 * (months - month), hours=donor % 24)
                yield {
                    **self._gift(pk, donor, when, one_time_status=DonationStatus.PAID),
                    "recurring_gift_id": gift_id,
                    "amount_minor": amount,
                    "currency": currency,
                    "source": DonationSource.STRIPE,
                    "checkout_session_id": "",
                    "invoice_id": f"in_seed_{pk}",
                    "subscription_id": f"sub_seed_{gift_id}",
                    "refunded_minor": 0,
                    "status": DonationStatus.PAID,
                    "fee_covered_minor": 0,
                }
                pk += 1
                made += 1
        # 3. One-time gifts over the last two years, from donors at random.
        span = 730 * 24 * 3600
        start = self.now - timedelta(days=730)
        while made < s.donations:
            donor = rng.choice(self.donor_ids)
            yield self._gift(pk, donor, _moment(rng, start, span, step=60))
            pk += 1
            made += 1

    def _gift(
        self, pk: int, donor: int, when: datetime, *, one_time_status: str | None = None
    ) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        status = one_time_status or (
            DonationStatus.PAID
            if roll < 0.93
            else DonationStatus.REFUNDED
            if roll < 0.95
            else DonationStatus.FAILED
            if roll < 0.98
            else DonationStatus.PENDING
        )
        amount = rng.choice((1000, 2500, 5000, 10000, 25000, 100000))
        source_roll = rng.random()
        source = (
            DonationSource.STRIPE
            if source_roll < 0.9 or status != DonationStatus.PAID
            else DonationSource.CHEQUE
            if source_roll < 0.94
            else DonationSource.CASH
            if source_roll < 0.98
            else DonationSource.BANK_TRANSFER
        )
        card = source == DonationSource.STRIPE
        return {
            "id": pk,
            "donor_id": donor,
            "campaign_id": rng.choice(self.campaign_ids) if roll < 0.6 else None,
            "recurring_gift_id": None,
            "amount_minor": amount,
            "currency": rng.choice(CURRENCIES),
            "status": status,
            "source": source,
            "refunded_minor": amount if status == DonationStatus.REFUNDED else 0,
            "failed_at": when if status == DonationStatus.FAILED else None,
            "fee_covered_minor": 30 if card and roll < 0.3 else 0,
            "checkout_session_id": f"cs_seed_{pk}" if card else "",
            "payment_intent_id": f"pi_seed_{pk}"
            if card and status != DonationStatus.PENDING
            else "",
            "charge_id": f"ch_seed_{pk}" if card and status in PAID_LIKE else "",
            "invoice_id": "",
            "subscription_id": "",
            "customer_id": f"cus_seed_{donor}" if card else "",
            "paid_at": when if status in PAID_LIKE else None,
            "stripe_created": when if card else None,
            "cheque_number": str(100000 + pk) if source == DonationSource.CHEQUE else "",
            "created_at": when,
            "updated_at": when,
        }


PAID_LIKE = (DonationStatus.PAID, DonationStatus.REFUNDED)
DONATION_FIELDS = [
    "id",
    "donor_id",
    "campaign_id",
    "recurring_gift_id",
    "amount_minor",
    "currency",
    "status",
    "source",
    "refunded_minor",
    "failed_at",
    "fee_covered_minor",
    "checkout_session_id",
    "payment_intent_id",
    "charge_id",
    "invoice_id",
    "subscription_id",
    "customer_id",
    "paid_at",
    "stripe_created",
    "cheque_number",
    "created_at",
    "updated_at",
]


def analyze() -> None:
    """Fresh statistics for the planner after a bulk load."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
