"""The eligibility rule: exact reasons, and a query count that does not grow with the question."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_user
from tests.volunteers.factories import (
    make_clearance,
    make_clearance_type,
    make_record,
    make_role,
    make_training,
    make_volunteer,
)
from volunteers.models import ClearanceStatus, ProfileStatus, RecordStatus
from volunteers.selectors.eligibility import Eligibility, EligibilityChecker, eligibility_for
from volunteers.services import grant_qualification

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# A Saturday evening shift on the crisis line, 12 Dec 2026, 18:00 to 22:00 in New York.
START = datetime(2026, 12, 12, 18, 0, tzinfo=NEW_YORK)
END = datetime(2026, 12, 12, 22, 0, tzinfo=NEW_YORK)


@pytest.fixture
def trauma():
    return make_training("Trauma-informed care", validity_months=24)


@pytest.fixture
def hotline():
    return make_training("Hotline protocol", validity_months=12)


@pytest.fixture
def background():
    return make_clearance_type("Background check", validity_months=36)


@pytest.fixture
def crisis_line(trauma, hotline, background):
    return make_role("Crisis text line", trainings=[trauma, hotline], clearance_types=[background])


def check(volunteer, role, start=START, end=END) -> Eligibility:
    return eligibility_for(
        volunteer=volunteer, role=role, starts_at=start, ends_at=end, time_zone="America/New_York"
    )


def fully_trained(volunteer, trauma, hotline, background):
    make_record(volunteer, trauma, completed_on=date(2026, 3, 1))  # valid to 1 Mar 2028
    make_record(volunteer, hotline, completed_on=date(2026, 6, 1))  # valid to 1 Jun 2027
    make_clearance(volunteer, background, issued_on=date(2026, 1, 10), expires_on=date(2029, 1, 10))


def test_eligible_with_everything_current(crisis_line, trauma, hotline, background) -> None:
    volunteer = make_volunteer()
    fully_trained(volunteer, trauma, hotline, background)
    assert check(volunteer, crisis_line) == Eligibility(eligible=True, reasons=(), missing=())


def test_a_missing_training_is_named(crisis_line, trauma, hotline, background) -> None:
    volunteer = make_volunteer()
    make_record(volunteer, trauma, completed_on=date(2026, 3, 1))
    make_clearance(volunteer, background, issued_on=date(2026, 1, 10), expires_on=date(2029, 1, 10))
    result = check(volunteer, crisis_line)
    assert result.eligible is False
    assert result.reasons == ("You have not completed Hotline protocol.",)
    assert result.missing == ("Hotline protocol",)


def test_a_training_expiring_the_day_before_the_window_ends_does_not_count(
    crisis_line, trauma, hotline, background
) -> None:
    volunteer = make_volunteer()
    fully_trained(volunteer, trauma, hotline, background)
    # An overnight shift from 11 Dec 20:00 to 12 Dec 02:00; the training runs out on 11 Dec.
    start = datetime(2026, 12, 11, 20, 0, tzinfo=NEW_YORK)
    end = datetime(2026, 12, 12, 2, 0, tzinfo=NEW_YORK)
    hotline.records.update(expires_on=date(2026, 12, 11))
    result = check(volunteer, crisis_line, start, end)
    assert result.reasons == (
        "Hotline protocol expires on 11 Dec 2026, before this shift ends on 12 Dec 2026.",
    )
    # For the one-evening shift of 12 Dec it had already expired the day before.
    assert check(volunteer, crisis_line).reasons == (
        "Hotline protocol expired on 11 Dec 2026, before this shift on 12 Dec 2026.",
    )


def test_a_training_expiring_a_week_after_the_window_counts(
    crisis_line, trauma, hotline, background
) -> None:
    volunteer = make_volunteer()
    fully_trained(volunteer, trauma, hotline, background)
    hotline.records.update(expires_on=date(2026, 12, 19))
    assert check(volunteer, crisis_line).eligible is True


def test_a_training_valid_through_the_last_day_counts(
    crisis_line, trauma, hotline, background
) -> None:
    volunteer = make_volunteer()
    fully_trained(volunteer, trauma, hotline, background)
    hotline.records.update(expires_on=date(2026, 12, 12))
    assert check(volunteer, crisis_line).eligible is True


def test_a_pending_clearance(crisis_line, trauma, hotline, background) -> None:
    volunteer = make_volunteer()
    make_record(volunteer, trauma, completed_on=date(2026, 3, 1))
    make_record(volunteer, hotline, completed_on=date(2026, 6, 1))
    make_clearance(volunteer, background, status=ClearanceStatus.PENDING)
    result = check(volunteer, crisis_line)
    assert result.reasons == ("Background check is pending.",)
    assert result.missing == ("background check",)


def test_an_expired_clearance(crisis_line, trauma, hotline, background) -> None:
    volunteer = make_volunteer()
    make_record(volunteer, trauma, completed_on=date(2026, 3, 1))
    make_record(volunteer, hotline, completed_on=date(2026, 6, 1))
    make_clearance(volunteer, background, issued_on=date(2023, 11, 1), expires_on=date(2026, 11, 1))
    assert check(volunteer, crisis_line).reasons == (
        "Background check expired on 1 Nov 2026, before this shift on 12 Dec 2026.",
    )


def test_a_clearance_marked_expired_or_rejected_or_absent(
    crisis_line, trauma, hotline, background
) -> None:
    volunteer = make_volunteer()
    make_record(volunteer, trauma, completed_on=date(2026, 3, 1))
    make_record(volunteer, hotline, completed_on=date(2026, 6, 1))
    assert check(volunteer, crisis_line).reasons == (
        "Background check is missing: a coordinator needs to request it.",
    )
    rejected = make_clearance(volunteer, background, status=ClearanceStatus.REJECTED)
    assert check(volunteer, crisis_line).reasons == ("Background check was not cleared.",)
    rejected.delete()
    make_clearance(
        volunteer,
        background,
        status=ClearanceStatus.EXPIRED,
        issued_on=date(2022, 1, 5),
        expires_on=date(2025, 1, 5),
    )
    assert check(volunteer, crisis_line).reasons == (
        "Background check expired on 5 Jan 2025, before this shift on 12 Dec 2026.",
    )


def test_under_age_on_the_shift_date_but_of_age_a_month_later() -> None:
    outreach = make_role("School outreach", minimum_age=21)
    volunteer = make_volunteer(date_of_birth=date(2005, 12, 30))  # 21 on 30 Dec 2026
    result = check(volunteer, outreach)
    assert result == Eligibility(
        eligible=False, reasons=("You must be 21 or older.",), missing=("age 21 or over",)
    )
    a_month_later = check(volunteer, outreach, START + timedelta(days=31), END + timedelta(days=31))
    assert a_month_later.eligible is True


def test_a_birthday_on_the_shift_day_counts() -> None:
    outreach = make_role("School outreach", minimum_age=21)
    volunteer = make_volunteer(date_of_birth=date(2005, 12, 12))
    assert check(volunteer, outreach).eligible is True


def test_an_unknown_date_of_birth_is_asked_for() -> None:
    outreach = make_role("School outreach", minimum_age=21)
    volunteer = make_volunteer(date_of_birth=None)
    assert check(volunteer, outreach).reasons == (
        "Add your date of birth: this role is for people aged 21 or older.",
    )


def test_a_role_with_three_requirements_lists_the_two_missing(background) -> None:
    safeguarding = make_training("Child safeguarding", validity_months=36)
    first_aid = make_training("First aid", validity_months=None)
    outreach = make_role(
        "School outreach", trainings=[safeguarding, first_aid], clearance_types=[background]
    )
    volunteer = make_volunteer()
    make_record(volunteer, first_aid, completed_on=date(2019, 4, 2))  # never expires
    result = check(volunteer, outreach)
    assert result.reasons == (
        "You have not completed Child safeguarding.",
        "Background check is missing: a coordinator needs to request it.",
    )
    assert result.missing == ("Child safeguarding", "background check")


def test_unverified_and_rejected_records_do_not_count(crisis_line, trauma, hotline, background):
    volunteer = make_volunteer()
    fully_trained(volunteer, trauma, hotline, background)
    hotline.records.update(status=RecordStatus.PENDING)
    assert check(volunteer, crisis_line).reasons == (
        "Your Hotline protocol certificate is waiting for a coordinator to check it.",
    )
    hotline.records.update(status=RecordStatus.REJECTED)
    assert check(volunteer, crisis_line).reasons == ("You have not completed Hotline protocol.",)


def test_a_renewed_training_counts_over_the_expired_one(crisis_line, trauma, hotline, background):
    volunteer = make_volunteer()
    fully_trained(volunteer, trauma, hotline, background)
    make_record(volunteer, hotline, completed_on=date(2025, 1, 1))  # expired 1 Jan 2026
    assert check(volunteer, crisis_line).eligible is True


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ProfileStatus.APPLICANT, "Your volunteer application is still being reviewed."),
        (ProfileStatus.PAUSED, "Your volunteering is paused."),
        (ProfileStatus.LEFT, "You are no longer an active volunteer."),
        (ProfileStatus.DECLINED, "Your volunteer application was not accepted."),
    ],
)
def test_only_active_volunteers_are_eligible(status: str, reason: str) -> None:
    open_role = make_role("Events and fundraising")
    assert check(make_volunteer(status=status), open_role).reasons == (reason,)


def test_a_person_without_a_volunteer_profile() -> None:
    open_role = make_role("Events and fundraising")
    assert check(make_user(), open_role).reasons == ("You have not applied as a volunteer yet.",)


def test_a_qualification_role_needs_the_grant() -> None:
    lead = make_role("Shift lead", is_qualification=True)
    volunteer = make_volunteer()
    assert check(volunteer, lead).reasons == (
        "Shift lead is a qualification a coordinator grants; you do not hold it yet.",
    )
    grant_qualification(volunteer=volunteer, role=lead, by=make_user())
    assert check(volunteer, lead).eligible is True


def test_the_shift_day_is_taken_in_the_windows_time_zone(crisis_line, trauma, hotline, background):
    """A shift at 21:00 on 11 Dec in Los Angeles is 12 Dec in UTC: its local day decides."""
    volunteer = make_volunteer()
    fully_trained(volunteer, trauma, hotline, background)
    hotline.records.update(expires_on=date(2026, 12, 11))
    los_angeles = zoneinfo.ZoneInfo("America/Los_Angeles")
    start = datetime(2026, 12, 11, 19, 0, tzinfo=los_angeles)
    end = datetime(2026, 12, 11, 23, 0, tzinfo=los_angeles)  # 07:00 UTC on 12 Dec
    assert (
        eligibility_for(
            volunteer=volunteer,
            role=crisis_line,
            starts_at=start,
            ends_at=end,
            time_zone="America/Los_Angeles",
        ).eligible
        is True
    )
    assert (
        eligibility_for(
            volunteer=volunteer, role=crisis_line, starts_at=start, ends_at=end, time_zone="UTC"
        ).eligible
        is False
    )


def _queries_for_volunteers(count: int, role, trauma, hotline, background) -> int:
    volunteers = [make_volunteer() for _ in range(count)]
    for volunteer in volunteers:
        fully_trained(volunteer, trauma, hotline, background)
    with CaptureQueriesContext(connection) as queries:
        checker = EligibilityChecker(volunteer_ids=[v.pk for v in volunteers], roles=[role])
        results = [
            checker.check(volunteer_id=v.pk, role=role, starts_at=START, ends_at=END)
            for v in volunteers
        ]
    assert all(result.eligible for result in results)
    return len(queries)


def test_many_volunteers_cost_the_same_queries_as_a_few(crisis_line, trauma, hotline, background):
    few = _queries_for_volunteers(5, crisis_line, trauma, hotline, background)
    many = _queries_for_volunteers(50, crisis_line, trauma, hotline, background)
    assert few == many


def test_many_windows_cost_the_same_queries_as_a_few(crisis_line, trauma, hotline, background):
    volunteer = make_volunteer()
    fully_trained(volunteer, trauma, hotline, background)

    def queries_for(windows: int) -> tuple[int, list[bool]]:
        with CaptureQueriesContext(connection) as queries:
            checker = EligibilityChecker(volunteer_ids=[volunteer.pk], roles=[crisis_line])
            answers = [
                checker.check(
                    volunteer_id=volunteer.pk,
                    role=crisis_line,
                    starts_at=START + timedelta(weeks=n),
                    ends_at=END + timedelta(weeks=n),
                ).eligible
                for n in range(windows)
            ]
        return len(queries), answers

    few, few_answers = queries_for(5)
    many, many_answers = queries_for(50)
    assert few == many
    assert few_answers == [True] * 5
    # Hotline protocol (completed 1 Jun 2026) runs out on 1 Jun 2027: 25 weekly shifts fit.
    assert many_answers == [True] * 25 + [False] * 25


def test_a_shift_ending_at_midnight_ends_on_its_own_day(crisis_line, trauma, hotline, background):
    volunteer = make_volunteer()
    fully_trained(volunteer, trauma, hotline, background)
    hotline.records.update(expires_on=date(2026, 12, 12))
    start = datetime(2026, 12, 12, 18, 0, tzinfo=NEW_YORK)
    midnight = datetime(2026, 12, 13, 0, 0, tzinfo=NEW_YORK)
    assert check(volunteer, crisis_line, start, midnight).eligible is True
    a_minute_later = midnight + timedelta(minutes=1)
    assert check(volunteer, crisis_line, start, a_minute_later).reasons == (
        "Hotline protocol expires on 12 Dec 2026, before this shift ends on 13 Dec 2026.",
    )


def test_a_clearance_marked_expired_with_a_date_still_ahead_says_expired(
    crisis_line, trauma, hotline, background
) -> None:
    volunteer = make_volunteer()
    make_record(volunteer, trauma, completed_on=date(2026, 3, 1))
    make_record(volunteer, hotline, completed_on=date(2026, 6, 1))
    make_clearance(
        volunteer,
        background,
        status=ClearanceStatus.EXPIRED,
        issued_on=date(2026, 1, 1),
        expires_on=date(2029, 1, 1),
    )
    assert check(volunteer, crisis_line).reasons == ("Background check has expired.",)
