"""seed_scale at a tiny size: exact counts, and every row within the database's rules."""

from __future__ import annotations

from io import StringIO

import pytest
from django.db.models import Count, F, Q

from accounts.models import User
from bench.seed import DONOR_EMAIL, VOLUNTEER_EMAIL, statement_year
from bench.seed_scale import SeedError, run
from donations.models import Donation, Donor, RecurringGift
from donations.services.statements import donors_for_year
from volunteers.models import (
    ACTIVE_SHIFT_SIGNUP_STATUSES,
    Location,
    Shift,
    ShiftSignup,
    TrainingRecord,
    VolunteerProfile,
    VolunteerRole,
)

TINY = {
    "volunteers": 40,
    "roles": 6,
    "locations": 4,
    "shifts": 30,
    "signups": 250,
    "training_records": 60,
    "donors": 50,
    "donations": 400,
    "recurring_gifts": 5,
    "statement_donors": 8,
}


def seed(**sizes: int) -> str:
    out = StringIO()
    options = [f"--{name.replace('_', '-')}={value}" for name, value in sizes.items()]
    run(["--scale", "small", "--no-progress", *options], stdout=out)
    return out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db
def test_seed_scale_makes_exactly_what_was_asked_within_the_constraints() -> None:
    output = seed(**TINY)

    assert "seed_scale: " in output
    assert VolunteerProfile.objects.count() == 40
    assert User.objects.filter(volunteer_profile__isnull=False).count() == 40
    assert VolunteerRole.objects.count() == 6
    assert Location.objects.count() == 4
    assert Shift.objects.count() == 30
    assert ShiftSignup.objects.count() == 250
    assert TrainingRecord.objects.count() == 60
    assert Donor.objects.count() == 50
    assert Donation.objects.count() == 400
    assert RecurringGift.objects.count() == 5
    # One active sign-up per (shift, volunteer); nobody beyond a shift's places is confirmed.
    duplicates = (
        ShiftSignup.objects.filter(status__in=ACTIVE_SHIFT_SIGNUP_STATUSES)
        .values("shift", "volunteer")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    over = Shift.objects.annotate(
        confirmed=Count("signups", filter=Q(signups__status="confirmed"))
    ).filter(confirmed__gt=F("capacity"))
    assert not over.exists()
    assert not Shift.objects.filter(ends_at__lte=F("starts_at")).exists()
    assert not Donation.objects.filter(amount_minor__lte=0).exists()
    assert set(Donation.objects.values_list("currency", flat=True)) <= {"USD", "EUR", "GBP"}
    # The designated accounts the bench measures as, and the statement year's donors.
    assert User.objects.get(email=VOLUNTEER_EMAIL).volunteer_profile.status == "active"
    assert Donor.objects.get(email=DONOR_EMAIL).user is not None
    assert donors_for_year(statement_year()).count() == 8
    # New rows after the seed get fresh ids (the sequences moved past the copied ones).
    assert Location.objects.create(name="After", time_zone="UTC").pk > max(
        Location.objects.exclude(name="After").values_list("pk", flat=True)
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_seed_scale_refuses_a_database_with_data() -> None:
    seed(**TINY)

    with pytest.raises(SeedError, match="fresh database"):
        seed(**TINY)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_sweep_section_inserts_its_reminders_with_their_json_context() -> None:
    """bench.run's sweep writes its reminders by COPY, as the seed does (it once passed
    psycopg Jsonb wrappers the COPY writer then failed to encode: the section died)."""
    from bench.run import insert_reminders
    from notifications.models import Message

    seed(**TINY)
    made = insert_reminders(10)

    assert made == 10
    rows = list(Message.objects.filter(kind="shift.reminder").order_by("pk"))
    assert len(rows) == 10
    assert all(row.attachments == [] and row.context["lead_hours"] == 3 for row in rows)
    assert len({row.context["signup_id"] for row in rows}) == 10
