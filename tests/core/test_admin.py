"""The Django admin never goes around a service's rule: the pages of volunteering and giving
rows are read-only or save through their service (core/admin.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory

from accounts.roles import Role
from core.admin import ReadOnlyAdmin
from donations.models import Campaign, Donor, StripeEvent
from notifications.models import Message
from tests.factories import make_user
from tests.volunteers.factories import make_location, make_shift, make_volunteer
from volunteers import services
from volunteers.models import (
    ApplicationQuestion,
    ClearanceType,
    Location,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
)

# Rows without rules of their own and without a coordinator page: edited in the admin.
EDITABLE = {ApplicationQuestion, ClearanceType, Location, Campaign}
# Saved through a service (donations.services.donors.update_donor_details).
THROUGH_A_SERVICE = {Donor}
# Stripe's record: nothing to change, one action (re-process) that calls the service.
STRIPE_LOG = {StripeEvent}
START = datetime(2099, 7, 14, 22, 0, tzinfo=UTC)


def registered(app_label: str) -> list[tuple[type[models.Model], admin.ModelAdmin]]:  # type: ignore[type-arg]
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == app_label
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("app_label", ["volunteers", "donations"])
def test_every_admin_page_is_read_only_or_saves_through_its_service(app_label: str) -> None:
    superuser = make_user(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    pages = registered(app_label)
    assert len(pages) >= 6
    for model, model_admin in pages:
        name = model.__name__
        if model in EDITABLE:
            continue
        assert not model_admin.has_add_permission(request), name
        assert not model_admin.has_delete_permission(request), name
        assert model_admin.get_actions(request).keys() <= {"reprocess"}, name
        if model in THROUGH_A_SERVICE or model in STRIPE_LOG:
            continue
        assert isinstance(model_admin, ReadOnlyAdmin), name
        assert not model_admin.has_change_permission(request), name
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), (name, inline)
            assert not inline.has_change_permission(request), (name, inline)
            assert not inline.has_delete_permission(request), (name, inline)


@pytest.fixture
def admin_client_(client: Client) -> Client:
    client.force_login(make_user(is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATOR]))
    return client


@pytest.mark.django_db
def test_a_shift_cannot_be_changed_or_deleted_in_the_admin(admin_client_: Client) -> None:
    shift = make_shift(starts_at=START, capacity=2)
    volunteer = make_volunteer()
    signup = services.sign_up_for_shift(shift=shift, volunteer=volunteer)
    url = f"/admin/volunteers/shift/{shift.pk}/change/"

    page = admin_client_.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    # "View on site" leads to the roster, where the coordinator changes the shift.
    assert f'href="/coordinator/volunteering/shifts/{shift.pk}/" class="viewsitelink"' in page.text

    later = (START + timedelta(days=1)).strftime("%Y-%m-%d")
    posted = admin_client_.post(
        url,
        {
            "role": shift.role_id,
            "location": make_location("Elsewhere").pk,
            "starts_at_0": later,
            "starts_at_1": "10:00:00",
            "ends_at_0": later,
            "ends_at_1": "12:00:00",
            "capacity": "0",
            "status": "cancelled",
        },
    )
    assert posted.status_code == 403
    assert (
        admin_client_.post(
            f"/admin/volunteers/shift/{shift.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert admin_client_.get("/admin/volunteers/shift/add/").status_code == 403
    shift.refresh_from_db()
    assert (shift.starts_at, shift.capacity, shift.status) == (START, 2, "published")
    assert Shift.objects.count() == 1

    signup_url = f"/admin/volunteers/shiftsignup/{signup.pk}/change/"
    assert admin_client_.post(signup_url, {"status": "cancelled"}).status_code == 403
    signup.refresh_from_db()
    assert signup.status == ShiftSignupStatus.CONFIRMED
    assert ShiftSignup.objects.count() == 1
    # Nothing was sent behind the service's back either.
    assert list(Message.objects.values_list("kind", flat=True).order_by("kind")) == [
        "shift.reminder",
        "shift.reminder",
        "shift.signup_confirmed",
    ]


@pytest.mark.django_db
def test_a_donors_details_are_saved_through_the_service(admin_client_: Client) -> None:
    donor = Donor.objects.create(name="Ana Ng", email="ana@example.org", country="US")
    assert donor.communication_consent_at is None
    response = admin_client_.post(
        f"/admin/donations/donor/{donor.pk}/change/",
        {
            "name": "  Ana   María  Ng ",
            "email": "someone.else@example.org",  # not a field here: ignored
            "address_line1": "12 Main St",
            "address_line2": "",
            "city": "Springfield",
            "region": "IL",
            "postal_code": "62701",
            "country": "US",
            "communication_consent": "on",
            "give_anonymously": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = Donor.objects.get(pk=donor.pk)
    assert saved.name == "Ana María Ng"  # the service tidies the spaces
    assert saved.email == "ana@example.org"
    assert saved.country == "US"
    assert saved.communication_consent is True
    assert saved.communication_consent_at is not None  # the service records the moment
    assert admin_client_.get("/admin/donations/donor/add/").status_code == 403
    assert (
        admin_client_.post(f"/admin/donations/donor/{donor.pk}/delete/", {"post": "yes"})
    ).status_code == 403
