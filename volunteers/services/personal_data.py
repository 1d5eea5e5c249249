"""Volunteering's part of a person's data (accounts.services.personal_data) and its
retention rules (accounts.services.retention).

An erasure removes what describes the person (profile details and photo, answers, notes,
the documents and evidence files, calendar feed, away days, saved filters) and keeps what
the counts need: past shift signups, hours, training records and qualifications stay, tied
to the anonymised account, with their free text emptied. Places and waitlist entries on
shifts and training sessions still to come are cancelled through the signup services, in
the erasure's transaction: the next person waiting moves up and is told, the rosters count
one fewer, the person's reminders are withdrawn, and nothing is sent to the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accounts.models import User
from accounts.services.personal_data import (
    Category,
    Contributor,
    Erasure,
    delete_file,
    register_contributor,
    row,
    rows,
    stored_file,
)
from accounts.services.retention import RetentionRule, register_rule
from core.dates import org_day
from volunteers.models import (
    ApplicationAnswer,
    AwayPeriod,
    CalendarFeed,
    Clearance,
    HoursEntry,
    ProfileStatus,
    Qualification,
    SavedFilter,
    SessionSignup,
    ShiftInvitation,
    ShiftSignup,
    ShiftSignupStatus,
    SignupStatus,
    SwapOffer,
    TrainingRecord,
    VolunteerProfile,
)
from volunteers.services.signups import cancel_signup
from volunteers.services.training_sessions import cancel_session_signup


def _profile(
    person: User,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, bytes]]]:
    """The profile's row, the application's answers, and the profile photo's file."""
    profile = VolunteerProfile.objects.filter(user=person).prefetch_related("wanted_roles").first()
    if profile is None:
        return [], [], []
    data = row(profile)
    data["wanted_roles"] = [role.name for role in profile.wanted_roles.all()]
    answers = [
        {"question": answer.question.text, "answer": answer.answer}
        for answer in ApplicationAnswer.objects.filter(profile=profile)
        .select_related("question")
        .order_by("question__position", "pk")
    ]
    photo = stored_file(profile.photo, "photo")
    return [data], answers, [photo] if photo is not None else []


def export(person: User) -> list[Category]:
    profile, answers, photo = _profile(person)
    clearances = list(
        Clearance.objects.filter(volunteer=person).select_related("clearance_type").order_by("pk")
    )
    records = list(
        TrainingRecord.objects.filter(volunteer=person).select_related("training").order_by("pk")
    )
    clearance_rows = rows(clearances)
    for data, clearance in zip(clearance_rows, clearances, strict=True):
        data["clearance_type"] = clearance.clearance_type.name
    record_rows = rows(records)
    for data, record in zip(record_rows, records, strict=True):
        data["training"] = record.training.name
    swaps = SwapOffer.objects.filter(Q(signup__volunteer=person) | Q(taken_by=person))
    return [
        Category(
            "volunteer_profile",
            "the volunteer profile and application, with the photo",
            profile,
            photo,
        ),
        Category("application_answers", "answers to the application's questions", answers),
        Category(
            "availability",
            "days away (when they usually help is in the volunteer profile)",
            rows(AwayPeriod.objects.filter(volunteer=person)),
        ),
        Category(
            "shift_signups",
            "shifts signed up for, waited for, attended or missed",
            rows(ShiftSignup.objects.filter(volunteer=person).order_by("joined_at", "pk")),
        ),
        Category(
            "shift_invitations",
            "shifts they were invited to",
            rows(ShiftInvitation.objects.filter(volunteer=person).order_by("asked_at", "pk")),
        ),
        Category("shift_swaps", "swaps offered or taken", rows(swaps.order_by("pk"))),
        Category(
            "hours",
            "hours recorded",
            rows(HoursEntry.objects.filter(volunteer=person).order_by("date", "pk")),
        ),
        Category(
            "training_records",
            "trainings completed, with evidence files",
            record_rows,
            _files(("training-record", record.pk, record.evidence) for record in records),
        ),
        Category(
            "training_session_signups",
            "training sessions signed up for",
            rows(SessionSignup.objects.filter(volunteer=person).order_by("pk")),
        ),
        Category(
            "qualifications",
            "qualifications granted, revoked ones included",
            rows(Qualification.with_revoked.filter(volunteer=person).order_by("pk")),
        ),
        Category(
            "clearances",
            "clearances (background checks), with their documents",
            clearance_rows,
            _files(("clearance", clearance.pk, clearance.document) for clearance in clearances),
        ),
        Category(
            "calendar_feed",
            "the private calendar feed (the address is not included)",
            rows(CalendarFeed.objects.filter(volunteer=person), exclude=("token",)),
        ),
        Category(
            "saved_filters",
            "searches they saved",
            rows(SavedFilter.objects.filter(owner=person).order_by("pk")),
        ),
    ]


def _files(documents: Iterable[tuple[str, int, FieldFile]]) -> list[tuple[str, bytes]]:
    found = []
    for prefix, pk, document in documents:
        stored = stored_file(document, f"{prefix}-{pk}")
        if stored is not None:
            found.append(stored)
    return found


def collect_values(erasure: Erasure) -> None:
    profile = VolunteerProfile.objects.filter(user=erasure.person).first()
    if profile is not None:
        erasure.add_values(profile.emergency_contact_name, profile.emergency_contact_phone)


def _cancel_places_to_come(erasure: Erasure) -> None:
    """Cancel the person's places and waitlist entries on shifts and training sessions
    that have not started, as a coordinator would (without telling the person)."""
    now = timezone.now()
    waiting_or_holding = (ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.WAITLISTED)
    signups = ShiftSignup.objects.filter(
        volunteer=erasure.person, status__in=waiting_or_holding, shift__starts_at__gt=now
    ).order_by("shift__starts_at", "pk")
    for signup in signups:
        cancel_signup(signup=signup, by=erasure.by, tell_volunteer=False)
        erasure.count("shift_signups_cancelled", 1)
    places = SessionSignup.objects.filter(
        volunteer=erasure.person,
        status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED),
        session__starts_at__gt=now,
    ).order_by("session__starts_at", "pk")
    for place in places:
        cancel_session_signup(signup=place, by=erasure.by)
        erasure.count("training_session_signups_cancelled", 1)


def erase(erasure: Erasure) -> None:
    person = erasure.person
    _cancel_places_to_come(erasure)
    profile = VolunteerProfile.objects.filter(user=person).first()
    if profile is not None:
        erasure.count("application_answers", profile.answers.all().delete()[0])
        profile.date_of_birth = None
        profile.emergency_contact_name = ""
        profile.emergency_contact_phone = ""
        profile.skills = profile.languages = profile.availability = ""
        profile.coordinator_notes = profile.decline_reason = ""
        profile.share_contact = False
        erasure.count("photos", int(delete_file(profile.photo)))  # the file goes after commit
        profile.photo = ""
        if profile.status != ProfileStatus.DECLINED:
            profile.status = ProfileStatus.LEFT  # no longer offered shifts or counted as active
        profile.save()
        profile.wanted_roles.clear()
        erasure.count("volunteer_profile", 1)
    for clearance in Clearance.objects.filter(volunteer=person):
        erasure.count("documents", int(delete_file(clearance.document)))
        clearance.document = ""
        clearance.reference_number = clearance.notes = ""
        clearance.save(update_fields=["document", "reference_number", "notes", "updated_at"])
        erasure.count("clearances", 1)
    for record in TrainingRecord.objects.filter(volunteer=person):
        erasure.count("documents", int(delete_file(record.evidence)))
        record.evidence = ""
        record.save(update_fields=["evidence"])
    erasure.count(
        "shift_signups",
        ShiftSignup.objects.filter(volunteer=person).update(skip_reason="", override_reason=""),
    )
    erasure.count("shift_swaps", SwapOffer.objects.filter(signup__volunteer=person).update(note=""))
    erasure.count(
        "hours",
        HoursEntry.objects.filter(volunteer=person).update(note="", decision_note=""),
    )
    erasure.count("availability", AwayPeriod.objects.filter(volunteer=person).delete()[0])
    erasure.count("calendar_feed", CalendarFeed.objects.filter(volunteer=person).delete()[0])
    erasure.count("saved_filters", SavedFilter.objects.filter(owner=person).delete()[0])


CONTRIBUTOR = Contributor(
    app="volunteers", export=export, erase=erase, collect_values=collect_values, order=20
)


def _declined_applications(cutoff: datetime) -> int:
    """Declined applications decided before the cut-off, with their answers (the account
    stays: it may give, or apply again)."""
    declined = VolunteerProfile.objects.filter(
        status=ProfileStatus.DECLINED, reviewed_at__lt=cutoff
    )
    ids = list(declined.values_list("pk", flat=True))
    ApplicationAnswer.objects.filter(profile_id__in=ids).delete()
    VolunteerProfile.objects.filter(pk__in=ids).delete()
    return len(ids)


def _lapsed_clearance_documents(cutoff: datetime) -> int:
    """Documents of clearances that lapsed before the cut-off day; the clearance stays."""
    removed = 0
    lapsed = Clearance.objects.filter(expires_on__lt=org_day(cutoff)).exclude(document="")
    for clearance in lapsed:
        delete_file(clearance.document)
        clearance.document = ""
        clearance.save(update_fields=["document", "updated_at"])
        removed += 1
    return removed


def register() -> None:
    register_contributor(CONTRIBUTOR)
    register_rule(
        RetentionRule("declined_applications", "declined applications", _declined_applications)
    )
    register_rule(
        RetentionRule(
            "lapsed_clearance_documents",
            "documents of lapsed clearances",
            _lapsed_clearance_documents,
        )
    )
