"""The Django admin's place: raw data to look at, never a way around a service's rule.

A row whose writes have rules (locks, waitlists, messages, reminders, numbering, audit)
changes only through its service, on the coordinator pages. Its admin page inherits
``ReadOnlyAdmin`` (inlines: ``ReadOnlyInline``), or saves through the service itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows to look at: no adding, changing or deleting here (the coordinator pages do that,
    through the services; ``view_on_site`` links to the page where it is done)."""

    # Links are https (Django 6's default; saying it keeps 5.2 from warning about the change).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """The inline rows of a ``ReadOnlyAdmin``."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
