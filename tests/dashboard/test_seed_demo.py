from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core.dates import org_today
from tests.utils import ROOT
from volunteers.models import (
    ApplicationQuestion,
    HoursEntry,
    HoursStatus,
    Location,
    ProfileStatus,
    RecordStatus,
    SessionSignup,
    Shift,
    ShiftSeries,
    ShiftSignup,
    ShiftSignupStatus,
    StaffingRule,
    SwapOffer,
    SwapStatus,
    Training,
    TrainingRecord,
    TrainingSession,
    VolunteerProfile,
    VolunteerRole,
)
from volunteers.selectors.trainings import role_needs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _a_fixed_day():
    """Demo dates are relative to today; a fixed day keeps month arithmetic exact."""
    with time_machine.travel(datetime(2026, 11, 27, 15, 0, tzinfo=UTC), tick=False):
        yield


ALL_MODELS = (
    User,
    VolunteerProfile,
    VolunteerRole,
    Training,
    TrainingSession,
    TrainingRecord,
    StaffingRule,
    ApplicationQuestion,
    SessionSignup,
    Location,
    Shift,
    ShiftSeries,
    ShiftSignup,
    SwapOffer,
    HoursEntry,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def test_seed_demo_creates_the_demo_data_once(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "11 people created, 0 already there" in out.getvalue()
    assert "coordinator@example.org" in out.getvalue()
    assert "demo-pass-2026" in out.getvalue()
    first = counts()
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "0 people created, 11 already there; volunteering records 0 created" in again.getvalue()
    assert counts() == first
    # The eleven demo logins, one applicant, and the six demo donors without a login whose
    # receipts were e-mailed (an e-mail goes to a login:
    # donations.stripe_integration.dunning.donor_account).
    assert first["User"] == 18
    assert User.objects.get(email="coordinator@example.org").roles == {Role.ADMINISTRATOR}
    # One login per staff role.
    staff = {
        email: User.objects.get(email=email).roles
        for email in (
            "volunteering@example.org",
            "safeguarding@example.org",
            "fundraising@example.org",
            "viewer@example.org",
        )
    }
    assert staff == {
        "volunteering@example.org": {Role.VOLUNTEER_COORDINATOR},
        "safeguarding@example.org": {Role.SAFEGUARDING_LEAD},
        "fundraising@example.org": {Role.FUNDRAISER},
        "viewer@example.org": {Role.VIEWER},
    }
    assert User.objects.get(email="sam@example.org").roles == {Role.VOLUNTEER, Role.DONOR}
    assert User.objects.get(email="donor@example.org").check_password("demo-pass-2026")


def _readme_logins() -> list[tuple[str, str]]:
    """The README's table of demo logins: (who, e-mail) per row."""
    text = (ROOT / "README.md").read_text()
    table = text[text.index("| role | e-mail |") :].split("\n\n", 1)[0]
    rows = [line.strip("|").split("|") for line in table.splitlines()[2:]]
    return [(who.strip(), email.strip().strip("`")) for who, email in rows]


def test_make_run_prints_every_login_the_readme_lists(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "http://127.0.0.1:8101"
    out = StringIO()
    call_command("seed_demo", stdout=out)
    lines = out.getvalue().splitlines()
    start = lines.index("Demo logins (password for all: demo-pass-2026)") + 1
    printed = [tuple(line.strip().rsplit(maxsplit=1)) for line in lines[start:] if "@" in line]
    readme = _readme_logins()
    assert len(readme) == 12
    assert [(" ".join(who.split()), email) for who, email in printed] == readme
    assert lines[-1] == "Links in e-mails point to http://127.0.0.1:8101"
    for _who, email in readme:  # every one of them logs in with the printed password
        assert User.objects.get(email=email).check_password("demo-pass-2026"), email


def test_seed_demo_shows_volunteers_in_every_state(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    assert set(VolunteerRole.objects.values_list("name", flat=True)) == {
        "Crisis text line",
        "School outreach",
        "Shift lead",
        "Events and fundraising",
    }
    assert dict(Training.objects.values_list("name", "validity_months")) == {
        "Trauma-informed care": 24,
        "Hotline protocol": 12,
        "Child safeguarding": 36,
    }
    assert TrainingSession.objects.filter(starts_at__gt=timezone.now()).count() == 3

    def reasons(email: str, role: str) -> tuple[str, ...]:
        needs = {n.role.name: n.eligibility for n in role_needs(User.objects.get(email=email))}
        return needs[role].reasons

    assert reasons("volunteer@example.org", "Crisis text line") == ()  # fully eligible
    assert reasons("volunteer@example.org", "Shift lead") == ()
    today = org_today()
    ben_hotline = TrainingRecord.objects.get(
        volunteer__email="ben@example.org", training__name="Hotline protocol"
    )
    assert ben_hotline.expires_on is not None
    assert (ben_hotline.expires_on - today).days == 10  # expiring in 10 days
    assert reasons("ben@example.org", "Crisis text line") == ()
    assert reasons("lucia@example.org", "Crisis text line")[0].startswith(
        "Trauma-informed care expired on "
    )
    assert reasons("ploy@example.org", "Crisis text line") == ("Background check is pending.",)
    assert reasons("sam@example.org", "School outreach") == ("You must be 21 or older.",)
    assert reasons("sam@example.org", "Crisis text line") == ()
    assert VolunteerProfile.objects.get(user__email="kofi@example.org").status == (
        ProfileStatus.APPLICANT
    )
    kofi = User.objects.get(email="kofi@example.org")
    assert kofi.is_active is True  # the demo applicant can log in and see their status
    assert kofi.check_password("demo-pass-2026")
    assert TrainingRecord.objects.filter(status=RecordStatus.PENDING).count() == 1


def test_seed_demo_shows_shifts_in_every_state(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    now = timezone.now()
    assert dict(Location.objects.values_list("name", "time_zone")) == {
        "Hope Line office": "America/New_York",
        "Crisis text line (remote)": "America/Los_Angeles",
    }
    assert Location.objects.get(is_remote=True).name == "Crisis text line (remote)"
    coming = Shift.objects.filter(starts_at__gt=now, starts_at__lt=now + timedelta(weeks=3))
    assert set(coming.values_list("role__name", flat=True)) == {
        "Crisis text line",
        "School outreach",
        "Events and fundraising",
    }
    series = ShiftSeries.objects.get()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO,WE,FR"
    assert Shift.objects.filter(series=series).count() == 10  # Fri 27 Nov to Fri 18 Dec
    full = Shift.objects.get(capacity=2, role__name="Events and fundraising")
    assert full.signups.filter(status=ShiftSignupStatus.CONFIRMED).count() == 2
    waiting = full.signups.filter(status=ShiftSignupStatus.WAITLISTED).order_by("joined_at", "pk")
    assert [s.volunteer.email for s in waiting] == ["ben@example.org", "lucia@example.org"]
    offer = SwapOffer.objects.get(status=SwapStatus.OPEN)
    assert offer.signup.volunteer.email == "ben@example.org"
    past = ShiftSignup.objects.filter(shift__ends_at__lt=now)
    assert past.filter(status=ShiftSignupStatus.ATTENDED).count() == 4
    assert past.filter(status=ShiftSignupStatus.NO_SHOW).count() == 1
    pending = HoursEntry.objects.filter(status=HoursStatus.PENDING).order_by("volunteer__email")
    assert [(e.volunteer.email, e.source, e.minutes) for e in pending] == [
        ("lucia@example.org", "manual", 150),
        ("sam@example.org", "edited", 210),
    ]
    assert HoursEntry.objects.filter(status=HoursStatus.APPROVED).count() == 3
    soon = ShiftSignup.objects.get(
        volunteer__email="volunteer@example.org",
        status=ShiftSignupStatus.CONFIRMED,
        shift__starts_at__gt=now,
        shift__starts_at__lte=now + timedelta(hours=3),
    )
    assert soon.shift.role.name == "Crisis text line"


def test_seed_demo_keeps_a_changed_password(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(email="volunteer@example.org")
    user.set_password("changed by the volunteer")
    user.save()
    call_command("seed_demo", stdout=StringIO())
    user.refresh_from_db()
    assert user.check_password("changed by the volunteer")


def test_seed_demo_refuses_in_production(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run when DJANGO_ENV=production"):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0


def test_the_demo_fills_every_panel_of_the_coordinators_home(client, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    client.force_login(User.objects.get(email="coordinator@example.org"))
    context = client.get("/coordinator/").context
    late = [str(p) for row in context["today_shifts"] for p in row.late]
    here = [str(p) for row in context["today_shifts"] for p in row.checked_in]
    assert (late, here) == (["Ploy Srisai"], ["Lucía Romero"])
    assert any(gap.leads for gap in context["open_places"])  # an evening without its lead
    assert any(gap.places_left for gap in context["open_places"])
    assert context["queues"]["failed_payments"] >= 1
    assert context["queues"]["hours"] >= 1
    at_risk = [(str(item.volunteer), item.name, len(item.shifts)) for item in context["at_risk"]]
    assert ("Ben Carter", "Hotline protocol", 1) in at_risk
    assert context["giving"].month.minor >= 7500
    assert context["giving"].year_to_date.minor > context["giving"].month.minor
    assert context["new_volunteer_count"] >= 1
    assert context["giving"].monthly_failed == 1
    for chart in context["charts"]:
        assert any(bar.height > 0 for bar in chart.bars), chart.key


def test_seed_demo_shows_fees_contacts_and_tasks(settings, tmp_path) -> None:
    from donations.models import Donation, DonorTask, Interaction, RecurringGift

    settings.MEDIA_ROOT = tmp_path
    settings.REPORTING_CURRENCY = "USD"
    call_command("seed_demo", stdout=StringIO())
    card = Donation.objects.filter(source="stripe", status__in=("paid", "partially_refunded"))
    assert card.count() > 5
    assert set(card.values_list("settlement_currency", flat=True)) == {"USD"}
    grace = card.get(checkout_session_id="cs_demo_grace-1")
    assert (grace.settled_gross_minor, grace.settled_fee_minor, grace.settled_net_minor) == (
        5000,
        175,
        4825,
    )
    yuki = card.get(checkout_session_id="cs_demo_yuki-1")  # JPY 3,000 into USD
    assert (yuki.settled_gross_minor, yuki.settled_fee_minor) == (1985, 107)
    tom = card.get(checkout_session_id="cs_demo_tom-1")  # EUR 75.00, EUR 25.00 refunded
    assert (tom.settled_gross_minor, tom.settled_fee_minor) == (8132 - 2711, 347)
    assert Interaction.objects.count() == 3
    imported = RecurringGift.objects.get(stripe_subscription_id="sub_demo_outside")
    assert (imported.donor.email, imported.amount_minor, imported.status) == (
        "noor@example.org",
        3000,
        "active",
    )
    assert imported.donations.filter(source="stripe_outside", status="paid").count() == 4
    open_tasks = DonorTask.objects.filter(done_at__isnull=True)
    assert open_tasks.filter(trigger="manual").count() == 1
    assert open_tasks.filter(trigger="first_gift").count() >= 1
    assert DonorTask.objects.filter(done_at__isnull=False).count() >= 1
    before = (Interaction.objects.count(), DonorTask.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Interaction.objects.count(), DonorTask.objects.count()) == before


def test_seed_demo_shows_tags_a_segment_impact_text_and_link_sources(settings, tmp_path) -> None:
    from donations.models import Donation, DonorSegment, DonorTag, ImpactLine, SuggestedAmounts

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # a second run adds nothing
    tags = {
        tag.name: sorted(tag.donors.values_list("email", flat=True))
        for tag in DonorTag.objects.all()
    }
    assert tags == {
        "foundation": ["hope.fdn@example.org"],
        "monthly champion": ["donor@example.org", "sam@example.org"],
    }
    assert list(DonorSegment.objects.values_list("name", "query")) == [
        ("Lapsed donors", "lapsed=on")
    ]
    # The night-shifts campaign's lines, then the general donate page's (no campaign).
    assert sorted(
        ImpactLine.objects.filter(campaign__isnull=False).values_list("currency", "amount_minor")
    ) == [("USD", 2500), ("USD", 5000), ("USD", 10000), ("VND", 500000)]
    assert sorted(
        ImpactLine.objects.filter(campaign__isnull=True).values_list("currency", "amount_minor")
    ) == [("JPY", 3000), ("USD", 2500), ("USD", 5000), ("USD", 10000)]
    assert list(SuggestedAmounts.objects.values_list("currency", "amounts_minor")) == [
        ("JPY", [3000, 5000, 10000, 20000]),
        ("THB", [30000, 50000, 100000, 250000]),
    ]
    assert sorted(Donation.objects.exclude(referral="").values_list("referral", flat=True)) == [
        "email",
        "qr",
        "whatsapp",
    ]
