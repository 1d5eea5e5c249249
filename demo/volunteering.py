"""Demo volunteering data: roles, trainings, sessions and volunteers in every state.

Called by ``manage.py seed_demo``; safe to run again (what exists is left alone).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from core.dates import org_today
from demo.people import APPLICANT_EMAIL, DEMO_PASSWORD
from demo.shifts import seed_shifts
from volunteers import services
from volunteers.models import (
    ApplicationQuestion,
    Clearance,
    ClearanceStatus,
    ClearanceType,
    ProfileStatus,
    StaffingRule,
    Training,
    TrainingRecord,
    TrainingSession,
    VolunteerProfile,
    VolunteerRole,
)
from volunteers.services.onboarding import ensure_profile

TRAININGS = {
    "Trauma-informed care": (24, "How trauma shapes what survivors say and need."),
    "Hotline protocol": (12, "Answering the crisis text line: scripts, escalation, safety."),
    "Child safeguarding": (36, "Keeping children safe during school visits."),
}
CLEARANCE_TYPES = {"Background check": 36, "Reference check": None}
# The coordinators' own text in the demo's other languages (core.locales.translated).
TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "Crisis text line": {
        "es": {
            "name": "Línea de texto de crisis",
            "description": "Responda mensajes de personas en riesgo, con una persona "
            "responsable de turno disponible.",
        },
        "vi": {
            "name": "Đường dây nhắn tin khủng hoảng",
            "description": "Trả lời tin nhắn của những người đang gặp nguy hiểm, "
            "luôn có trưởng ca hỗ trợ.",
        },
        "th": {
            "name": "สายด่วนข้อความช่วงวิกฤต",
            "description": "ตอบข้อความจากผู้ที่ตกอยู่ในความเสี่ยง โดยมีหัวหน้ากะคอยช่วยเหลือ",
        },
        "fil": {
            "name": "Crisis text line",
            "description": "Sagutin ang mga text ng mga taong nasa panganib, "
            "kasama ang shift lead na naka-on call.",
        },
    },
    "Trauma-informed care": {
        "es": {
            "name": "Atención informada sobre el trauma",
            "description": "Cómo el trauma influye en lo que las sobrevivientes dicen y necesitan.",
        },
        "vi": {
            "name": "Chăm sóc thấu hiểu sang chấn",
            "description": "Sang chấn ảnh hưởng thế nào đến lời nói và nhu cầu của người sống sót.",
        },
        "th": {
            "name": "การดูแลโดยเข้าใจบาดแผลทางใจ",
            "description": "บาดแผลทางใจส่งผลต่อสิ่งที่ผู้รอดชีวิตพูดและต้องการอย่างไร",
        },
        "fil": {
            "name": "Trauma-informed care",
            "description": "Kung paano hinuhubog ng trauma ang sinasabi at kailangan "
            "ng mga survivor.",
        },
    },
    "Why would you like to volunteer with us?": {
        "es": {"text": "¿Por qué le gustaría ser voluntario(a) con nosotros?"},
        "vi": {"text": "Vì sao bạn muốn làm tình nguyện viên cùng chúng tôi?"},
        "th": {"text": "ทำไมคุณจึงอยากเป็นอาสาสมัครกับเรา"},
        "fil": {"text": "Bakit ninyo gustong mag-volunteer sa amin?"},
    },
}

QUESTIONS = (
    ("Why would you like to volunteer with us?", True),
    ("Do you have experience relevant to this work (professional or lived)?", False),
    ("How did you hear about us?", False),
)

# A small PDF, enough for a demo "certificate".
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class Counts:
    created: int = 0
    existing: int = 0

    def add(self, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.existing += 1


def _months_ago(today: date, months: int, days: int = 0) -> date:
    return today - relativedelta(months=months) - timedelta(days=days)


def seed_catalogue(counts: Counts) -> dict[str, VolunteerRole]:
    """Trainings, clearance types, roles with their requirements, application questions."""
    trainings = {}
    for name, (months, description) in TRAININGS.items():
        trainings[name], created = Training.objects.get_or_create(
            name=name,
            defaults={
                "validity_months": months,
                "description": description,
                "translations": TRANSLATIONS.get(name, {}),
            },
        )
        counts.add(created)
    clearance_types = {}
    for name, validity in CLEARANCE_TYPES.items():
        clearance_types[name], created = ClearanceType.objects.get_or_create(
            name=name, defaults={"validity_months": validity}
        )
        counts.add(created)
    specs = {
        "Crisis text line": (
            18,
            False,
            ["Trauma-informed care", "Hotline protocol"],
            ["Background check"],
            "Answer texts from people at risk, with a shift lead on call.",
        ),
        "School outreach": (
            21,
            False,
            ["Child safeguarding"],
            ["Background check"],
            "Give safeguarding talks in secondary schools, in pairs.",
        ),
        "Shift lead": (
            21,
            True,
            ["Trauma-informed care", "Hotline protocol"],
            ["Background check", "Reference check"],
            "Supports the crisis line team during a shift; granted by a coordinator.",
        ),
        "Events and fundraising": (
            None,
            False,
            [],
            [],
            "Stalls, sponsored walks and thank-you calls. Open to every volunteer.",
        ),
    }
    roles = {}
    for name, (age, qualification, needs, checks, description) in specs.items():
        role, created = VolunteerRole.objects.get_or_create(
            name=name,
            defaults={
                "minimum_age": age,
                "is_qualification": qualification,
                "description": description,
                "translations": TRANSLATIONS.get(name, {}),
            },
        )
        if created:
            role.required_trainings.set([trainings[t] for t in needs])
            role.required_clearance_types.set([clearance_types[c] for c in checks])
        counts.add(created)
        roles[name] = role
    _, created = StaffingRule.objects.get_or_create(
        role=roles["Crisis text line"], qualification=roles["Shift lead"], defaults={"minimum": 1}
    )
    counts.add(created)
    for position, (text, required) in enumerate(QUESTIONS):
        _, created = ApplicationQuestion.objects.get_or_create(
            text=text,
            defaults={
                "required": required,
                "position": position,
                "translations": TRANSLATIONS.get(text, {}),
            },
        )
        counts.add(created)
    return roles


def seed_sessions(counts: Counts) -> None:
    """Training sessions in the coming weeks (one nearly full, to show the waitlist)."""
    zone = zoneinfo.ZoneInfo(settings.ORG_TIME_ZONE)
    today = timezone.localdate(timezone=zone)
    plans = (
        ("Trauma-informed care", 5, time(18, 0), 3, 12, "Community hall, 4 Mill Lane", ""),
        ("Hotline protocol", 12, time(10, 0), 4, 8, "", "https://meet.example.org/hotline"),
        ("Child safeguarding", 19, time(14, 0), 3, 2, "Hope Line office, room 2", ""),
    )
    for name, days, start, hours, capacity, place, url in plans:
        training = Training.objects.get(name=name)
        if TrainingSession.objects.filter(training=training, starts_at__gt=timezone.now()).exists():
            counts.add(False)
            continue
        starts_at = datetime.combine(today + timedelta(days=days), start, tzinfo=zone)
        services.create_training_session(
            by=None,
            training=training,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            time_zone=settings.ORG_TIME_ZONE,
            place=place,
            online_url=url,
            trainer="Dr. Amara Lewis",
            capacity=capacity,
        )
        counts.add(True)


def _record(volunteer: User, name: str, completed_on: date, by: User, counts: Counts) -> None:
    training = Training.objects.get(name=name)
    if TrainingRecord.objects.filter(volunteer=volunteer, training=training).exists():
        counts.add(False)
        return
    services.record_training(
        volunteer=volunteer, training=training, completed_on=completed_on, by=by
    )
    counts.add(True)


def _clearance(
    volunteer: User,
    name: str,
    status: str,
    by: User,
    counts: Counts,
    issued_on: date | None = None,
    reference: str = "",
) -> None:
    clearance_type = ClearanceType.objects.get(name=name)
    if Clearance.objects.filter(volunteer=volunteer, clearance_type=clearance_type).exists():
        counts.add(False)
        return
    services.record_clearance(
        volunteer=volunteer,
        clearance_type=clearance_type,
        status=status,
        by=by,
        issued_on=issued_on,
        reference_number=reference,
        notes="Demo record.",
    )
    counts.add(True)


def _profile(user: User, reviewer: User, born: date, **fields: str) -> VolunteerProfile:
    profile = ensure_profile(user=user)
    if profile.date_of_birth is None:
        profile.date_of_birth = born
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
    if profile.status == ProfileStatus.APPLICANT:
        services.approve_application(profile=profile, reviewer=reviewer)
    return profile


def seed_volunteers(
    people: dict[str, User], coordinator: User, roles: dict[str, VolunteerRole], counts: Counts
) -> None:
    """Volunteers in every state: eligible, expiring soon, expired, pending, under age."""
    today = org_today()
    years = relativedelta(years=1)

    ana = people["volunteer@example.org"]  # fully eligible for the crisis line, a shift lead
    _profile(
        ana, coordinator, today - 34 * years, skills="Counselling", languages="English, Portuguese"
    )
    _record(ana, "Trauma-informed care", _months_ago(today, 6), coordinator, counts)
    _record(ana, "Hotline protocol", _months_ago(today, 2), coordinator, counts)
    _clearance(
        ana,
        "Background check",
        ClearanceStatus.CLEARED,
        coordinator,
        counts,
        issued_on=_months_ago(today, 12),
        reference="DBS-001829",
    )
    _clearance(
        ana,
        "Reference check",
        ClearanceStatus.CLEARED,
        coordinator,
        counts,
        issued_on=_months_ago(today, 12),
        reference="REF-4411",
    )
    services.grant_qualification(volunteer=ana, role=roles["Shift lead"], by=coordinator)

    ben = people["ben@example.org"]  # Hotline protocol expires in 10 days
    _profile(ben, coordinator, today - 45 * years, skills="Teaching")
    _record(ben, "Trauma-informed care", _months_ago(today, 3), coordinator, counts)
    _record(
        ben,
        "Hotline protocol",
        today - relativedelta(months=12) + timedelta(days=10),
        coordinator,
        counts,
    )
    _clearance(
        ben,
        "Background check",
        ClearanceStatus.CLEARED,
        coordinator,
        counts,
        issued_on=_months_ago(today, 20),
        reference="DBS-002317",
    )

    lucia = people["lucia@example.org"]  # Trauma-informed care expired 20 days ago
    _profile(lucia, coordinator, today - 29 * years, languages="Spanish, English")
    _record(lucia, "Trauma-informed care", _months_ago(today, 24, days=20), coordinator, counts)
    _record(lucia, "Hotline protocol", _months_ago(today, 1), coordinator, counts)
    _clearance(
        lucia,
        "Background check",
        ClearanceStatus.CLEARED,
        coordinator,
        counts,
        issued_on=_months_ago(today, 6),
        reference="DBS-003990",
    )

    ploy = people["ploy@example.org"]  # trained, background check pending
    _profile(ploy, coordinator, today - 26 * years, languages="Thai, English")
    _record(ploy, "Trauma-informed care", _months_ago(today, 1), coordinator, counts)
    _record(ploy, "Hotline protocol", _months_ago(today, 1), coordinator, counts)
    _clearance(ploy, "Background check", ClearanceStatus.PENDING, coordinator, counts)

    sam = people["sam@example.org"]  # 19: the crisis line yes, school outreach not yet
    _profile(
        sam,
        coordinator,
        today - 19 * years - relativedelta(months=3),
        languages="Vietnamese, English",
    )
    _record(sam, "Trauma-informed care", _months_ago(today, 4), coordinator, counts)
    _record(sam, "Hotline protocol", _months_ago(today, 4), coordinator, counts)
    _record(sam, "Child safeguarding", _months_ago(today, 4), coordinator, counts)
    _clearance(
        sam,
        "Background check",
        ClearanceStatus.CLEARED,
        coordinator,
        counts,
        issued_on=_months_ago(today, 4),
        reference="DBS-004121",
    )
    # An outside certificate waiting for a coordinator to check it.
    safeguarding = Training.objects.get(name="Child safeguarding")
    has_evidence = TrainingRecord.objects.filter(volunteer=ben, training=safeguarding).exists()
    counts.add(not has_evidence)
    if not has_evidence:
        services.submit_outside_training(
            volunteer=ben,
            training=safeguarding,
            completed_on=_months_ago(today, 2),
            provider="County schools safeguarding board",
            evidence=ContentFile(DEMO_PDF, name="safeguarding-certificate.pdf"),
        )


def seed_applicant(counts: Counts) -> None:
    """Someone who applied through the public form and waits for review."""
    if User.objects.filter(email=APPLICANT_EMAIL).exists():
        counts.add(False)
        return
    questions = list(ApplicationQuestion.objects.order_by("position"))
    answers = dict(
        zip(
            [q.pk for q in questions],
            [
                "A friend volunteers on the text line and I want to help the same way.",
                "I am a youth worker.",
                "Our church newsletter.",
            ],
            strict=False,
        )
    )
    services.submit_application(
        account={
            "email": APPLICANT_EMAIL,
            "password": DEMO_PASSWORD,
            "first_name": "Kofi",
            "last_name": "Mensah",
            "confirmed": True,
        },
        profile={
            "date_of_birth": org_today() - relativedelta(years=31),
            "availability": "Weekday evenings",
            "skills": "Youth work",
            "languages": "English, Twi",
        },
        answers=answers,
        wanted_roles=list(
            VolunteerRole.objects.filter(name__in=["Crisis text line", "School outreach"])
        ),
    )
    counts.add(True)


def seed_volunteering(*, people: dict[str, User], coordinator: User) -> Counts:
    counts = Counts()
    roles = seed_catalogue(counts)
    seed_sessions(counts)
    seed_volunteers(people, coordinator, roles, counts)
    seed_applicant(counts)
    seed_shifts(people, coordinator, roles, counts)
    return counts
