"""A person's data across every app: the registry the apps fill in, and the pieces an
export or an erasure is made of.

``accounts`` knows no domain app (the layers forbid it), so each app that holds data about
a person registers a ``Contributor`` in its ``AppConfig.ready``: what it exports (its
categories, with their files), what it erases, and what blocks an erasure (an active
monthly gift, say). ``accounts.services.data_export`` and ``accounts.services.erasure``
walk the registry; each app knows its own data, once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from accounts.models import User

# Written instead of a removed name, e-mail, phone or free text.
ERASED = "[erased]"
ERASED_EMAIL_DOMAIN = "erased.invalid"


@dataclass
class Category:
    """One kind of record in an export: its rows as plain data, and its files."""

    name: str  # the file name in the ZIP, e.g. "donations"
    title: str  # one line for the README
    rows: list[dict[str, Any]]
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (name, content)


@dataclass
class Scrub:
    """The personal values found before anything changed (so every part can scrub copies
    of them), and the records changed per kind."""

    values: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)

    def add_values(self, *values: object) -> None:
        for value in values:
            text = str(value or "").strip()
            if len(text) >= 3:  # "Al" would scrub half the words of the trail
                self.values.add(text)

    def count(self, key: str, number: int) -> None:
        if number:
            self.counts[key] = self.counts.get(key, 0) + number

    def scrub(self, value: Any) -> Any:
        """``value`` with every personal value found in it replaced (JSON values, nested)."""
        if isinstance(value, str):
            lowered = value.lower()
            if any(personal.lower() in lowered for personal in self.values):
                return ERASED
            return value
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        return value


@dataclass(kw_only=True)
class Erasure(Scrub):
    """What an erasure of a person (an account) is doing: the person and who erases."""

    person: User
    by: User


@dataclass(frozen=True)
class Contributor:
    """An app's part of a person's data. ``order``: erasers run from low to high (the
    account itself, whose values the others look for, goes last)."""

    app: str
    export: Callable[[User], list[Category]]
    erase: Callable[[Erasure], None]
    collect_values: Callable[[Erasure], None] = lambda erasure: None
    blockers: Callable[[User], list[str]] = lambda person: []
    order: int = 50


_CONTRIBUTORS: dict[str, Contributor] = {}


def register_contributor(contributor: Contributor) -> None:
    """Called from an app's ``ready``; registering the same app again replaces it."""
    _CONTRIBUTORS[contributor.app] = contributor


def contributors() -> list[Contributor]:
    return sorted(_CONTRIBUTORS.values(), key=lambda item: (item.order, item.app))


def erasure_blockers(person: User) -> list[str]:
    """Why ``person`` cannot be erased now (empty: they can)."""
    reasons: list[str] = []
    for contributor in contributors():
        reasons.extend(contributor.blockers(person))
    return reasons


def is_erased(person: User) -> bool:
    return person.email.endswith(f"@{ERASED_EMAIL_DOMAIN}")


# ---------------------------------------------------------------------------------------
# Rows as plain data, for the contributors' exports.


def plain(value: Any) -> Any:
    """A field's value as JSON can hold it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dict | list):
        return json.loads(json.dumps(value, default=str))
    return str(value)


def row(instance: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every concrete field of ``instance`` (a relation by its id), minus ``exclude``."""
    skipped = set(exclude)
    data: dict[str, Any] = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.name in skipped:
            continue
        if model_field.is_relation:
            data[model_field.attname] = getattr(instance, model_field.attname)
        else:
            data[model_field.name] = plain(getattr(instance, model_field.name))
    return data


def rows(instances: Iterable[models.Model], *, exclude: Iterable[str] = ()) -> list[dict[str, Any]]:
    skipped = tuple(exclude)
    return [row(instance, exclude=skipped) for instance in instances]


def stored_file(document: FieldFile, name: str) -> tuple[str, bytes] | None:
    """``(name + the file's extension, its bytes)``, or None when there is none on disk."""
    if not document:
        return None
    try:
        with document.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        return None
    stored_name = document.name or ""
    suffix = "." + stored_name.rsplit(".", 1)[-1].lower() if "." in stored_name else ""
    return f"{name}{suffix}", content


def delete_file(document: FieldFile) -> bool:
    """Remove a stored file once the transaction commits (the caller empties the field and
    saves; a rolled-back erasure keeps the file). True if there was one."""
    if not document:
        return False
    storage, name = document.storage, document.name or ""
    transaction.on_commit(lambda: storage.delete(name))
    return True
