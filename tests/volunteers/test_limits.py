"""Limits a coordinator can count on: a shift has at least one place (forms, services and a
database check), and no free-text field of volunteering or the outbox takes 100 KB."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.test import Client

import notifications.forms
import volunteers.forms.coordinator
import volunteers.forms.hours
import volunteers.forms.roster
import volunteers.forms.shifts
import volunteers.forms.volunteer
import volunteers.forms.volunteer_shifts
from accounts.models import User
from core.forms import limits
from tests.volunteers.factories import make_location, make_role, make_shift
from tests.volunteers.test_coordinator_shift_pages import _series_post, _shift_post
from volunteers import services
from volunteers.models import Shift, ShiftSeries

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
NO_PLACES = "A shift needs at least one place. To stop a shift, cancel it."
HUGE = "x" * 100_000
FORM_MODULES: list[ModuleType] = [
    notifications.forms,
    volunteers.forms.coordinator,
    volunteers.forms.hours,
    volunteers.forms.roster,
    volunteers.forms.shifts,
    volunteers.forms.volunteer,
    volunteers.forms.volunteer_shifts,
]


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    role = make_role("Outreach")
    location = make_location("Community hall", time_zone="America/New_York")
    return {"role": role, "location": location, "shift": make_shift(role, location=location)}


@pytest.fixture(autouse=True)
def _fixed_now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("capacity", ["0", "-3"])
def test_a_shift_or_series_without_places_is_a_clear_form_error(
    client: Client, coordinator: User, world: dict[str, Any], capacity: str
) -> None:
    client.force_login(coordinator)
    before = (Shift.objects.count(), ShiftSeries.objects.count())
    for url, data in (
        (f"{BASE}/shifts/new/", _shift_post(world, capacity=capacity)),
        (f"{BASE}/shifts/{world['shift'].pk}/edit/", _shift_post(world, capacity=capacity)),
        (f"{BASE}/shifts/repeating/new/", _series_post(world, capacity=capacity)),
    ):
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert response.context["form"].errors["capacity"] == [NO_PLACES], url
    assert (Shift.objects.count(), ShiftSeries.objects.count()) == before
    world["shift"].refresh_from_db()
    assert world["shift"].capacity == 5


def test_more_than_a_thousand_places_is_a_form_error(
    client: Client, coordinator: User, world: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    response = client.post(f"{BASE}/shifts/new/", _shift_post(world, capacity="1001"))
    assert response.context["form"].errors["capacity"] == ["A shift can have at most 1000 places."]


def test_the_services_refuse_a_shift_without_places(world: dict[str, Any], coordinator) -> None:
    start = NOW + timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        services.create_shift(
            role=world["role"],
            location=world["location"],
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=0,
            by=coordinator,
        )
    assert refused.value.message_dict == {"capacity": [NO_PLACES]}


@pytest.mark.parametrize("model", [Shift, ShiftSeries])
def test_the_database_refuses_a_shift_or_series_without_places(
    world: dict[str, Any], model: type[models.Model]
) -> None:
    shift = world["shift"]
    with pytest.raises(IntegrityError, match="capacity_positive"), transaction.atomic():
        if model is Shift:
            Shift.objects.filter(pk=shift.pk).update(capacity=0)
        else:
            ShiftSeries.objects.create(
                role=shift.role,
                location=shift.location,
                rrule="FREQ=WEEKLY;BYDAY=TU",
                dtstart=NOW.date(),
                start_time=datetime(2026, 1, 1, 18).time(),
                duration=timedelta(hours=2),
                capacity=0,
            )


def test_100_kb_of_notes_is_a_form_error_and_nothing_is_saved(
    client: Client, coordinator: User, world: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    shift = world["shift"]
    response = client.post(f"{BASE}/shifts/{shift.pk}/edit/", _shift_post(world, notes=HUGE))
    assert response.status_code == 200
    assert response.context["form"].errors["notes"] == [
        "Ensure this value has at most 2000 characters (it has 100000)."
    ]
    assert 'maxlength="2000"' in response.content.decode()
    shift.refresh_from_db()
    assert shift.notes == ""


def _forms() -> list[type[forms.BaseForm]]:
    return [
        cls
        for module in FORM_MODULES
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
    ]


def test_every_free_text_field_of_the_forms_has_a_limit() -> None:
    unlimited = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _forms()
        for name, field in cls.base_fields.items()  # type: ignore[attr-defined]
        if type(field) in (forms.CharField, forms.URLField, forms.EmailField)
        and field.max_length is None
        # Passwords are hashed, never stored as text (accounts' own rules apply to them).
        and not isinstance(field.widget, forms.PasswordInput)
    ]
    assert len(_forms()) > 25
    assert unlimited == []


def test_every_free_text_column_of_volunteering_has_a_limit() -> None:
    unlimited = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("volunteers").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]
    assert unlimited == []
    assert limits.REASON < limits.ADDRESS < limits.NOTE < limits.LONG_TEXT
