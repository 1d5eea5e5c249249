"""What volunteers do for themselves is audited with them as the actor: sign-ups, the
waitlist, swaps, check-in and check-out, availability, certificates, training places,
their own details. Each test asserts the exact rows, in order."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from accounts.models import AuditEntry
from core.dates import org_today
from tests.volunteers.factories import (
    PDF_BYTES,
    make_session,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import AwayPeriod, CalendarFeed, ShiftSignup, SwapOffer, VolunteerProfile

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def _rows() -> list[tuple[Any, ...]]:
    return [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.order_by("pk")
    ]


def test_signing_up_waitlisted_and_cancelling_are_audited_by_the_volunteer() -> None:
    ana = make_volunteer(first_name="Ana", email="ana.s@example.org")
    ben = make_volunteer(first_name="Ben", email="ben.s@example.org")
    shift = make_shift(capacity=1)

    place = services.sign_up_for_shift(shift=shift, volunteer=ana)
    waiting = services.sign_up_for_shift(shift=shift, volunteer=ben)
    services.cancel_signup(signup=waiting, by=ben)

    waiting.refresh_from_db()
    assert _rows() == [
        (
            "volunteers.signup.created",
            ana.pk,
            ana.pk,
            "volunteers.shiftsignup",
            str(place.pk),
            {"status": [None, "confirmed"]},
            {"shift": shift.pk},
        ),
        (
            "volunteers.signup.waitlisted",
            ben.pk,
            ben.pk,
            "volunteers.shiftsignup",
            str(waiting.pk),
            {"status": [None, "waitlisted"]},
            {"shift": shift.pk},
        ),
        (
            "volunteers.signup.cancelled",
            ben.pk,
            ben.pk,
            "volunteers.shiftsignup",
            str(waiting.pk),
            {
                "cancelled_at": [None, str(waiting.cancelled_at)],
                "status": ["waitlisted", "cancelled"],
            },
            {"shift": shift.pk, "reason": ""},
        ),
    ]


def test_a_refused_sign_up_writes_no_entry() -> None:
    ana = make_volunteer(email="ana.r@example.org")
    shift = make_shift()
    services.sign_up_for_shift(shift=shift, volunteer=ana)
    with pytest.raises(services.VolunteeringError):
        services.sign_up_for_shift(shift=shift, volunteer=ana)
    assert AuditEntry.objects.count() == 1


def test_a_swap_taken_is_audited_by_the_taker_about_both_people() -> None:
    ana = make_volunteer(first_name="Ana", email="ana.x@example.org")
    ben = make_volunteer(first_name="Ben", email="ben.x@example.org")
    shift = make_shift(capacity=1)
    place = services.sign_up_for_shift(shift=shift, volunteer=ana)
    waiting = services.sign_up_for_shift(shift=shift, volunteer=ben)
    offer = services.offer_swap(signup=place, by=ana)
    first = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()

    new = services.accept_swap(offer=offer, volunteer=ben)

    place.refresh_from_db()
    assert new.pk == waiting.pk  # the taker's waitlist entry becomes their place
    assert _rows()[-3:] == [
        (
            "volunteers.swap.accepted",
            ben.pk,
            ana.pk,
            "volunteers.swapoffer",
            str(offer.pk),
            {
                "new_signup": [None, new.pk],
                "status": ["open", "accepted"],
                "taken_by": [None, ben.pk],
            },
            {"signup": place.pk, "shift": shift.pk},
        ),
        (
            "volunteers.signup.swapped_away",
            ben.pk,
            ana.pk,
            "volunteers.shiftsignup",
            str(place.pk),
            {
                "cancelled_at": [None, str(place.cancelled_at)],
                "status": ["confirmed", "cancelled"],
            },
            {"shift": shift.pk, "swap": offer.pk},
        ),
        (
            "volunteers.signup.swapped_in",
            ben.pk,
            ben.pk,
            "volunteers.shiftsignup",
            str(new.pk),
            {"status": ["waitlisted", "confirmed"]},
            {"shift": shift.pk, "swap": offer.pk},
        ),
    ]
    assert AuditEntry.objects.filter(pk__gt=first or 0).count() == 3
    assert SwapOffer.objects.get().status == "accepted"


def test_checking_in_and_out_by_code_is_audited_by_the_volunteer() -> None:
    with time_machine.travel(START - timedelta(days=3), tick=False):
        shift = make_shift(starts_at=START, hours=3)
        ana = make_volunteer(email="ana.c@example.org")
        signup = services.sign_up_for_shift(shift=shift, volunteer=ana)
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        services.check_in_with_code(shift=shift, volunteer=ana, code=shift.check_in_code)
    with time_machine.travel(START + timedelta(minutes=20), tick=False):  # again: nothing new
        services.check_in_with_code(shift=shift, volunteer=ana, code=shift.check_in_code)
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        services.check_out_with_code(shift=shift, volunteer=ana, code=shift.check_in_code)

    rows = _rows()
    assert [row[0] for row in rows] == [
        "volunteers.signup.created",
        "volunteers.signup.checked_in",
        "volunteers.signup.checked_out",
        "volunteers.hours.derived",
    ]
    assert rows[1] == (
        "volunteers.signup.checked_in",
        ana.pk,
        ana.pk,
        "volunteers.shiftsignup",
        str(signup.pk),
        {
            "check_in_at": [None, str(START - timedelta(minutes=10))],
            "status": ["confirmed", "attended"],
        },
        {"shift": shift.pk},
    )
    assert rows[2] == (
        "volunteers.signup.checked_out",
        ana.pk,
        ana.pk,
        "volunteers.shiftsignup",
        str(signup.pk),
        {"check_out_at": [None, str(START + timedelta(hours=3))]},
        {"shift": shift.pk},
    )
    assert (rows[3][1], rows[3][2]) == (ana.pk, ana.pk)


def test_availability_away_days_and_contact_sharing_are_audited() -> None:
    ana = make_volunteer(email="ana.a@example.org")
    profile = VolunteerProfile.objects.get(user=ana)
    first, last = org_today() + timedelta(days=3), org_today() + timedelta(days=5)

    services.set_availability(volunteer=ana, days=[4, 0], starts=time(9), ends=time(13))
    services.set_availability(volunteer=ana, days=[0, 4], starts=time(9), ends=time(13))
    period = services.add_away_period(volunteer=ana, first_day=first, last_day=last)
    services.remove_away_period(volunteer=ana, period_id=period.pk)
    services.set_contact_sharing(volunteer=ana, share=not profile.share_contact)

    assert _rows() == [
        (
            "volunteers.profile.availability_changed",
            ana.pk,
            ana.pk,
            "volunteers.volunteerprofile",
            str(profile.pk),
            {
                "available_days": ["", "04"],
                "available_from": [None, "09:00:00"],
                "available_until": [None, "13:00:00"],
            },
            {},
        ),
        # The same choice saved again changes nothing and writes nothing.
        (
            "volunteers.away_period.added",
            ana.pk,
            ana.pk,
            "volunteers.awayperiod",
            str(period.pk),
            {"first_day": [None, str(first)], "last_day": [None, str(last)]},
            {},
        ),
        (
            "volunteers.away_period.removed",
            ana.pk,
            ana.pk,
            "volunteers.awayperiod",
            str(period.pk),
            {"first_day": [str(first), None], "last_day": [str(last), None]},
            {},
        ),
        (
            "volunteers.profile.contact_sharing_changed",
            ana.pk,
            ana.pk,
            "volunteers.volunteerprofile",
            str(profile.pk),
            {"share_contact": [profile.share_contact, not profile.share_contact]},
            {},
        ),
    ]
    assert not AwayPeriod.objects.exists()


def test_resetting_the_calendar_feed_is_audited_without_the_token() -> None:
    ana = make_volunteer(email="ana.f@example.org")
    old = services.calendar_feed_for(volunteer=ana).token
    feed = services.reset_calendar_feed(volunteer=ana)
    assert _rows() == [
        (
            "volunteers.calendar_feed.reset",
            ana.pk,
            ana.pk,
            "volunteers.calendarfeed",
            str(feed.pk),
            {"reset_at": [None, str(feed.reset_at)]},
            {},
        )
    ]
    stored = str(AuditEntry.objects.values_list("changes", "data").get())
    assert old not in stored and feed.token not in stored
    assert CalendarFeed.objects.get().token == feed.token


def test_a_certificate_from_elsewhere_is_audited_by_the_volunteer(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    ana = make_volunteer(email="ana.e@example.org")
    training = make_training()
    done = org_today() - timedelta(days=3)
    record = services.submit_outside_training(
        volunteer=ana,
        training=training,
        completed_on=done,
        provider=" Red Cross ",
        evidence=ContentFile(PDF_BYTES, name="certificate.pdf"),
    )
    assert _rows() == [
        (
            "volunteers.training_record.submitted",
            ana.pk,
            ana.pk,
            "volunteers.trainingrecord",
            str(record.pk),
            {
                "completed_on": [None, str(done)],
                "evidence": [None, record.evidence.name],
                "expires_on": [None, str(training.expiry_for(done))],
                "provider": [None, "Red Cross"],
                "rejection_reason": [None, ""],
                "status": [None, "pending"],
                "training": [None, training.pk],
            },
            {},
        )
    ]


def test_training_places_taken_waitlisted_and_cancelled_are_audited() -> None:
    ana = make_volunteer(email="ana.t@example.org")
    ben = make_volunteer(email="ben.t@example.org")
    session = make_session(make_training(), capacity=1)

    place = services.sign_up_for_session(session=session, volunteer=ana)
    waiting = services.sign_up_for_session(session=session, volunteer=ben)
    services.cancel_session_signup(signup=place, by=ana)

    assert _rows() == [
        (
            "volunteers.session_signup.created",
            ana.pk,
            ana.pk,
            "volunteers.sessionsignup",
            str(place.pk),
            {"status": [None, "confirmed"]},
            {"session": session.pk},
        ),
        (
            "volunteers.session_signup.waitlisted",
            ben.pk,
            ben.pk,
            "volunteers.sessionsignup",
            str(waiting.pk),
            {"status": [None, "waitlisted"]},
            {"session": session.pk},
        ),
        (
            "volunteers.session_signup.cancelled",
            ana.pk,
            ana.pk,
            "volunteers.sessionsignup",
            str(place.pk),
            {"status": ["confirmed", "cancelled"]},
            {"session": session.pk},
        ),
        (
            "volunteers.session_signup.promoted",
            ana.pk,
            ben.pk,
            "volunteers.sessionsignup",
            str(waiting.pk),
            {"status": ["waitlisted", "confirmed"]},
            {"session": session.pk},
        ),
    ]


def test_an_application_completed_by_a_person_with_an_account_is_audited() -> None:
    from tests.factories import make_user

    person = make_user(email="new.p@example.org")
    profile = services.complete_application(
        user=person, profile={"date_of_birth": date(1990, 1, 2)}, answers={}
    )
    assert _rows() == [
        (
            "volunteers.application.submitted",
            person.pk,
            person.pk,
            "volunteers.volunteerprofile",
            str(profile.pk),
            {"status": [None, "applicant"]},
            {"answers": 0, "wanted_roles": []},
        )
    ]


def test_own_details_changed_on_the_account_page_are_audited(client: Client) -> None:
    ana = make_volunteer(first_name="Ana", last_name="Lopez", email="ana.p@example.org")
    client.force_login(ana)
    form = {
        "first_name": "Ana María",
        "last_name": "Lopez",
        "phone": "",
        "preferred_language": "es",
        "time_zone": "America/New_York",
    }
    assert client.post(reverse("accounts:profile"), form).status_code == 302
    assert client.post(reverse("accounts:profile"), form).status_code == 302  # no change
    account_services.set_preferred_language(user=ana, language="vi")
    account_services.set_preferred_language(user=ana, language="vi")  # no change

    assert _rows() == [
        (
            "accounts.profile.changed",
            ana.pk,
            ana.pk,
            "accounts.user",
            str(ana.pk),
            {"first_name": ["Ana", "Ana María"], "preferred_language": ["en", "es"]},
            {},
        ),
        (
            "accounts.profile.changed",
            ana.pk,
            ana.pk,
            "accounts.user",
            str(ana.pk),
            {"preferred_language": ["es", "vi"]},
            {},
        ),
    ]
    ana.refresh_from_db()
    assert (ana.first_name, ana.preferred_language) == ("Ana María", "vi")
    assert ShiftSignup.objects.count() == 0
