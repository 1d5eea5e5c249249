"""The audit trail's one way in: ``record`` writes an entry in the caller's transaction,
so it is kept exactly when the change it describes is."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import models
from django.http import HttpRequest

from accounts.authentication.throttle import client_ip
from accounts.models import AuditEntry, User

JSONValue = Any


def _plain(value: object) -> JSONValue:
    """A value as the audit stores it: JSON's own types as they are (lists and mappings
    item by item), a record by its id, anything else (dates, money, choices) as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def changed_fields(
    before: Mapping[str, object], after: Mapping[str, object]
) -> dict[str, list[JSONValue]]:
    """``{field: [old, new]}`` for each field whose value differs."""
    return {
        field: [_plain(before.get(field)), _plain(after.get(field))]
        for field in sorted(set(before) | set(after))
        if _plain(before.get(field)) != _plain(after.get(field))
    }


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, object]:
    return {field: getattr(instance, field) for field in fields}


def record(
    action: str,
    *,
    actor: User | None,
    subject: User | int | None = None,
    obj: models.Model | None = None,
    changes: Mapping[str, list[JSONValue]] | None = None,
    data: Mapping[str, JSONValue] | None = None,
    kind: str = AuditEntry.Kind.WRITE,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Write one audit entry. ``actor`` None means the system (a scheduled job); ``subject``
    may be given by its id (a row that holds only the person's id: no query to fetch them)."""
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        action=action,
        kind=kind,
        actor=actor,
        subject_id=subject.pk if isinstance(subject, User) else subject,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        changes=dict(changes or {}),
        data={key: _plain(value) for key, value in (data or {}).items()},
        ip_address=client_ip(request) or None if request is not None else None,
    )


# Fields whose values are a person's own data: an erasure replaces them wherever they
# were recorded as changed, whatever the value was.
PERSONAL_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "name",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "date_of_birth",
        "emergency_contact_name",
        "emergency_contact_phone",
        "skills",
        "availability",
        "languages",
        "notes",
        "note",
        "text",
        "answer",
        "reference_number",
        "document",
        "evidence",
        "tribute_name",
        "tribute_notify",
        "coordinator_notes",
        "decline_reason",
    }
)


def scrub_person(*, person_id: int, scrub: Callable[[JSONValue], JSONValue], erased: str) -> int:
    """The one change the trail allows, made by an erasure only: in the entries about or by
    the erased person, personal fields' old and new values become ``erased`` and any other
    value holding a personal value is passed through ``scrub``. Who did what, and when,
    stays. Goes around the append-only queryset on purpose; returns the entries changed."""
    return scrub_entries(
        where=models.Q(subject_id=person_id) | models.Q(actor_id=person_id),
        scrub=scrub,
        erased=erased,
    )


def object_entries(instances: Iterable[models.Model]) -> models.Q:
    """The entries about these records (a condition for ``scrub_entries``)."""
    ids: dict[str, list[str]] = {}
    for instance in instances:
        ids.setdefault(instance._meta.label_lower, []).append(str(instance.pk))
    where = models.Q(pk__in=[])
    for object_type, object_ids in ids.items():
        where |= models.Q(object_type=object_type, object_id__in=object_ids)
    return where


def scrub_entries(*, where: models.Q, scrub: Callable[[JSONValue], JSONValue], erased: str) -> int:
    """``scrub_person`` for the entries matching ``where`` (e.g. those about the records of
    a donor who has no account). Only an erasure calls it."""
    plain_entries: models.QuerySet[AuditEntry] = models.QuerySet(model=AuditEntry)
    changed = 0
    for entry in plain_entries.filter(where).only("pk", "changes", "data"):
        changes = {
            field: [erased for _ in values] if field in PERSONAL_FIELDS else scrub(values)
            for field, values in (entry.changes or {}).items()
        }
        data = {
            key: erased if key in PERSONAL_FIELDS else scrub(value)
            for key, value in (entry.data or {}).items()
        }
        if changes != entry.changes or data != entry.data:
            plain_entries.filter(pk=entry.pk).update(changes=changes, data=data)
            changed += 1
    return changed


def delete_past(*, kind: str, before: datetime) -> int:
    """Retention: delete the entries of ``kind`` (reads, say) written before ``before``.
    Goes around the append-only queryset on purpose; only the retention run calls it."""
    deleted, _ = models.QuerySet(model=AuditEntry).filter(kind=kind, created_at__lt=before).delete()
    return deleted
