"""Reads about people that several pages share."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core.search import words_match


def person_matches(text: str, *, via: str = "") -> Q:
    """People whose name or e-mail has every word of ``text`` (core.search.words_match);
    ``via`` is the path to the user from the queried model, e.g. ``"user__"``."""
    return words_match(text, f"{via}first_name", f"{via}last_name", f"{via}email")


def role_counts() -> dict[str, int]:
    """Active people per role, in one query."""
    aggregates = User.objects.filter(is_active=True).aggregate(
        **{
            role.value: Count("pk", filter=Q(groups__name=role.value), distinct=True)
            for role in Role
        }
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
