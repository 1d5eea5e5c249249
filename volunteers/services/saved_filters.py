"""Saving and deleting a coordinator's named directory filters."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import User
from core.search import kept_query
from volunteers.models import SavedFilter

# What a saved filter keeps of the address: the filter and the order, never the page.
KEPT = ("q", "status", "qualification", "eligible_for", "sort")


def save_filter(*, owner: User, name: str, query: str) -> SavedFilter:
    """Saves ``query`` (the directory's address query) as ``name``; a name the owner
    already uses is a ValidationError on ``name``."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": gettext("Give the filter a name.")})
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(owner=owner, name=name, query=kept_query(query, KEPT))
    except IntegrityError:
        raise ValidationError(
            {"name": gettext("You already have a filter called %(name)s.") % {"name": name}}
        ) from None


def delete_filter(*, owner: User, pk: int) -> bool:
    """Deletes the owner's filter ``pk``; False when it is not theirs or already gone."""
    deleted, _ = SavedFilter.objects.filter(owner=owner, pk=pk).delete()
    return bool(deleted)
