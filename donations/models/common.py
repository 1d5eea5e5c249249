"""Pieces the giving models share: currency codes and "unique when set" Stripe ids."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

# An ISO 4217 code as stored: three upper-case letters ("USD"). Which codes we take, and how
# many decimals each has, is donations.money's business; the database only keeps the shape.
CURRENCY_PATTERN = r"^[A-Z]{3}$"

# Stripe ids are at most 255 characters (Stripe's own documented limit for object ids).
STRIPE_ID_LENGTH = 255


def currency_check(field: str, name: str, *, optional: bool = False) -> models.CheckConstraint:
    """A check that ``field`` holds an upper-case three-letter code (or "" if ``optional``)."""
    condition = Q(**{f"{field}__regex": CURRENCY_PATTERN})
    if optional:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


def unique_when_set(field: str, name: str) -> models.UniqueConstraint:
    """Unique among rows where ``field`` is not empty (an offline gift has no Stripe ids)."""
    return models.UniqueConstraint(fields=[field], condition=~Q(**{field: ""}), name=name)


def choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    """A check that ``field`` holds one of ``choices`` (a status never drifts into free text)."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)
