"""Retention: each category's rows past its limit are removed, exactly; a row just inside
the limit stays; the run is the same from the command and the beat task."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import QuerySet

from accounts.models import AuditEntry, MagicLinkToken, User
from accounts.roles import Role
from accounts.services import audit
from accounts.services.retention import run_retention
from accounts.tasks import run_retention_task
from notifications.models import InboundSms, Message
from tests.factories import make_user
from volunteers.models import (
    ApplicationAnswer,
    ApplicationQuestion,
    Clearance,
    ClearanceType,
    ProfileStatus,
    VolunteerProfile,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
LIMITS = {
    "login_links": 30,
    "audit_reads": 700,
    "outbox_messages": 365,
    "inbound_sms": 90,
    "declined_applications": 180,
    "lapsed_clearance_documents": 60,
}
SECOND = timedelta(seconds=1)


def _ago(category: str) -> datetime:
    return NOW - timedelta(days=LIMITS[category])


@pytest.fixture(autouse=True)
def _limits(settings: Any, tmp_path: Path) -> Any:
    settings.RETENTION_DAYS = dict(LIMITS)
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def _login_link(user: User, expires_at: datetime, name: str) -> MagicLinkToken:
    return MagicLinkToken.objects.create(
        user=user, token_hash=name * 8, created_at=expires_at - SECOND, expires_at=expires_at
    )


def _message(user: User, key: str, status: str, created_at: datetime) -> Message:
    message = Message.objects.create(
        recipient=user, channel="email", kind="test.message", dedupe_key=key, status=status
    )
    Message.objects.filter(pk=message.pk).update(created_at=created_at)
    return message


def _declined(user: User, status: str, reviewed_at: datetime) -> VolunteerProfile:
    profile = VolunteerProfile.objects.create(user=user, status=status, reviewed_at=reviewed_at)
    question = ApplicationQuestion.objects.get_or_create(text="Why us?")[0]
    ApplicationAnswer.objects.create(profile=profile, question=question, answer="Because.")
    return profile


def _clearance(user: User, kind: ClearanceType, expires_on: date, document: bool) -> Clearance:
    clearance = Clearance.objects.create(
        volunteer=user,
        clearance_type=kind,
        status="cleared",
        issued_on=date(2020, 1, 1),
        expires_on=expires_on,
    )
    if document:
        clearance.document.save(f"{user.pk}.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return clearance


@pytest.fixture
def rows() -> dict[str, Any]:
    ana = make_user(roles=[Role.VOLUNTEER], first_name="Ana")
    ben = make_user(roles=[Role.VOLUNTEER], first_name="Ben")
    cat = make_user(roles=[Role.VOLUNTEER], first_name="Cat")
    kind = ClearanceType.objects.create(name="Background check")
    found: dict[str, Any] = {
        "old_link": _login_link(ana, _ago("login_links") - SECOND, "a"),
        "new_link": _login_link(ana, _ago("login_links") + SECOND, "b"),
        "old_sent": _message(ana, "old-sent", "sent", _ago("outbox_messages") - SECOND),
        "new_sent": _message(ana, "new-sent", "sent", _ago("outbox_messages") + SECOND),
        "old_pending": _message(ana, "old-pending", "pending", _ago("outbox_messages") - SECOND),
        "old_sms": InboundSms.objects.create(
            provider_sid="SM1", from_number="+15550001", received_at=_ago("inbound_sms") - SECOND
        ),
        "new_sms": InboundSms.objects.create(
            provider_sid="SM2", from_number="+15550001", received_at=_ago("inbound_sms") + SECOND
        ),
        "old_declined": _declined(
            ana, ProfileStatus.DECLINED, _ago("declined_applications") - SECOND
        ),
        "new_declined": _declined(
            ben, ProfileStatus.DECLINED, _ago("declined_applications") + SECOND
        ),
        "old_active": _declined(cat, ProfileStatus.ACTIVE, _ago("declined_applications") - SECOND),
        # Lapsed the day before the limit's day; lapsed on the limit's day; no document.
        "old_clearance": _clearance(
            ana, kind, _ago("lapsed_clearance_documents").date() - timedelta(days=1), True
        ),
        "new_clearance": _clearance(ben, kind, _ago("lapsed_clearance_documents").date(), True),
        "bare_clearance": _clearance(cat, kind, date(2020, 6, 1), False),
    }
    old_read = audit.record("volunteers.clearance.document_opened", actor=ana, kind="read")
    new_read = audit.record("volunteers.clearance.document_opened", actor=ana, kind="read")
    old_write = audit.record("volunteers.clearance.changed", actor=ana)
    for entry, when in (
        (old_read, _ago("audit_reads") - SECOND),
        (new_read, _ago("audit_reads") + SECOND),
        (old_write, _ago("audit_reads") - SECOND),
    ):
        # Back-dated around the append-only guard (the app itself cannot).
        QuerySet(model=AuditEntry).filter(pk=entry.pk).update(created_at=when)
    found.update(old_read=old_read, new_read=new_read, old_write=old_write)
    return found


def _exists(instance: Any) -> bool:
    return bool(type(instance)._base_manager.filter(pk=instance.pk).exists())


def test_a_run_removes_exactly_the_rows_past_their_limit(
    rows: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    old_path = Path(rows["old_clearance"].document.path)
    new_path = Path(rows["new_clearance"].document.path)
    with django_capture_on_commit_callbacks(execute=True):
        counts = run_retention()
    assert counts == {
        "audit_reads": 1,
        "declined_applications": 1,
        "inbound_sms": 1,
        "lapsed_clearance_documents": 1,
        "login_links": 1,
        "outbox_messages": 1,
    }
    gone = {name for name, instance in rows.items() if not _exists(instance)}
    assert gone == {"old_link", "old_sent", "old_sms", "old_declined", "old_read"}
    assert ApplicationAnswer.objects.filter(profile_id=rows["old_declined"].pk).count() == 0
    assert ApplicationAnswer.objects.count() == 2
    documents = {
        name: Clearance.objects.get(pk=rows[name].pk).document.name
        for name in ("old_clearance", "new_clearance", "bare_clearance")
    }
    assert documents["old_clearance"] == ""
    assert documents["new_clearance"] != ""
    assert documents["bare_clearance"] == ""
    assert (old_path.exists(), new_path.exists()) == (False, True)
    # Each category that removed something is audited, by the system.
    applied = AuditEntry.objects.filter(action="accounts.retention.applied")
    assert sorted(
        (entry.actor_id, entry.data["category"], entry.data["removed"]) for entry in applied
    ) == [(None, category, 1) for category in sorted(LIMITS)]
    # A second run finds nothing more.
    assert set(run_retention().values()) == {0}


def test_a_limit_of_zero_keeps_the_category(settings: Any, rows: dict[str, Any]) -> None:
    settings.RETENTION_DAYS = {**LIMITS, "outbox_messages": 0, "login_links": 0}
    counts = run_retention()
    assert "outbox_messages" not in counts and "login_links" not in counts
    assert _exists(rows["old_sent"]) and _exists(rows["old_link"])


def test_the_command_and_the_beat_task_run_the_same(rows: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("run_retention", stdout=out)
    assert "outbox_messages: 1 removed (limit 365 days)" in out.getvalue()
    assert "6 removed in all" in out.getvalue()
    assert run_retention_task() == {category: 0 for category in LIMITS}
    assert django_settings.CELERY_BEAT_SCHEDULE["accounts-run-retention"]["task"] == (
        "accounts.run_retention"
    )
