"""Reads about people that several pages share."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import AuditEntry, User
from accounts.permissions import roles_with
from accounts.roles import STAFF_ROLES, Role
from core.dates import day_bounds
from core.search import words_match


def person_matches(text: str, *, via: str = "") -> Q:
    """People whose name or e-mail has every word of ``text`` (core.search.words_match);
    ``via`` is the path to the user from the queried model, e.g. ``"user__"``."""
    return words_match(text, f"{via}first_name", f"{via}last_name", f"{via}email")


def role_counts() -> dict[str, int]:
    """Active people per role, and ``staff`` (holding any staff role), in one query."""
    staff = [role.value for role in STAFF_ROLES]
    aggregates = User.objects.filter(is_active=True).aggregate(
        **{
            role.value: Count("pk", filter=Q(groups__name=role.value), distinct=True)
            for role in Role
        },
        staff=Count("pk", filter=Q(groups__name__in=staff) | Q(is_superuser=True), distinct=True),
    )
    return {key: int(value or 0) for key, value in aggregates.items()}


def _recent(role: Role, days: int) -> QuerySet[User]:
    since = timezone.now() - timedelta(days=days)
    return User.objects.filter(groups__name=role.value, date_joined__gte=since, is_active=True)


def recent_people(*, role: Role, days: int = 30, limit: int = 10) -> QuerySet[User]:
    """People who joined with ``role`` in the last ``days`` days, newest first."""
    return (
        _recent(role, days)
        .order_by("-date_joined")
        .only("pk", "email", "first_name", "last_name", "phone", "date_joined")[:limit]
    )


def count_recent_people(*, role: Role, days: int = 30) -> int:
    return _recent(role, days).count()


def people_who_can(*permissions: str) -> QuerySet[User]:
    """Active people holding every one of ``permissions`` (accounts/permissions.py's map),
    by id: whom to tell about something only some staff may see."""
    matches = User.objects.filter(is_active=True)
    for permission in permissions:
        roles = [role.value for role in roles_with(permission)]
        holds = Q(groups__name__in=roles)
        if Role.ADMINISTRATOR in roles_with(permission):
            holds |= Q(is_superuser=True)
        matches = matches.filter(pk__in=User.objects.filter(holds).values("pk"))
    return matches.order_by("pk")


def audit_entries(
    *,
    person: User | None = None,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    system: bool = False,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries, latest first, filtered: about or by ``person``; of one ``action``;
    about one record (``object_type`` such as ``volunteers.shift``, and ``object_id``);
    done by the person whose e-mail is ``actor`` or (``system``) by the system; written
    from the day ``since`` to the day ``until`` (the organisation's days, both included).
    One query a page: who did it and whom it is about come with each entry."""
    entries = AuditEntry.objects.all()
    if person is not None:
        entries = entries.filter(Q(subject=person) | Q(actor=person))
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
        if object_id:
            entries = entries.filter(object_id=object_id)
    if system:
        entries = entries.filter(actor__isnull=True)
    elif actor:
        entries = entries.filter(actor__email__iexact=actor.strip())
    if since is not None:
        entries = entries.filter(created_at__gte=day_bounds(since)[0])
    if until is not None:
        entries = entries.filter(created_at__lt=day_bounds(until)[1])
    return entries.select_related("actor", "subject").order_by("-created_at", "-pk")


def person_audit(person: User, *, action: str = "") -> QuerySet[AuditEntry]:
    """Audit entries about ``person`` and those ``person`` made, latest first."""
    return audit_entries(person=person, action=action)


def audit_choices(field: str, *, person: User | None = None) -> list[str]:
    """The values of ``field`` (action, object_type) among the entries (about or by
    ``person``), for a filter (one query)."""
    entries = AuditEntry.objects.all()
    if person is not None:
        entries = entries.filter(Q(subject=person) | Q(actor=person))
    return [
        value for value in entries.order_by(field).values_list(field, flat=True).distinct() if value
    ]


def person_audit_actions(person: User) -> list[str]:
    """The actions among ``person``'s audit entries, for the filter (one query)."""
    return audit_choices("action", person=person)
