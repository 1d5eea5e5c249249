"""Donor tags and saved segments: the donor list's filters (tag, lapsed, monthly, lifetime
total, campaign, last gift), tagging one donor or many, segments saved, exported as CSV and
used as a group message's audience, and the pages' query counts at two sizes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry
from accounts.roles import Role
from dashboard.selectors.audiences import AudienceKind, resolve
from donations.models import (
    Campaign,
    Donor,
    DonorSegment,
    DonorTag,
    RecurringStatus,
)
from donations.selectors.segments import filtered_donors, filters_from_query
from donations.services import segments as services
from tests.donations.portal_data import gift, monthly
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
DONORS = "/coordinator/giving/donors/"


@pytest.fixture
def today(settings):
    settings.ORG_TIME_ZONE = "America/New_York"
    settings.REPORTING_CURRENCY = "USD"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(today) -> dict[str, Donor]:
    """Ana lapsed (2025 only), Ben gives monthly and to the shelter campaign, Cy gave 600 in
    2024, Dee never gave; Ana is tagged "board"."""
    shelter = Campaign.objects.create(name="Shelter", slug="shelter")
    ana = Donor.objects.create(name="Ana", email="ana@example.org")
    ben = Donor.objects.create(name="Ben", email="ben@example.org")
    cy = Donor.objects.create(name="Cy", email="cy@example.org")
    dee = Donor.objects.create(name="Dee", email="=cmd@example.org")
    gift(ana, 10000, paid="2025-04-01")
    gift(ben, 2000, paid="2025-05-01")
    gift(ben, 2000, paid="2026-05-01", campaign=shelter)
    monthly(ben, 2000, status=RecurringStatus.ACTIVE)
    gift(cy, 60000, paid="2024-02-01")
    # A gift refunded in full and one in another currency with no USD figure add nothing.
    gift(cy, 90000, paid="2024-03-01", refunded=90000)
    gift(dee, 500000, "JPY", paid="2024-03-01", status="failed")
    tag = DonorTag.objects.create(name="board")
    ana.tags.add(tag)
    return {"ana": ana, "ben": ben, "cy": cy, "dee": dee}


def names(query: str) -> list[str]:
    return [donor.name for donor in filtered_donors(filters_from_query(query))]


def test_each_filter_selects_exactly_its_donors(people):
    tag = DonorTag.objects.get()
    shelter = Campaign.objects.get()
    assert names("") == ["Ana", "Ben", "Cy", "Dee"]
    assert names(f"tag={tag.pk}") == ["Ana"]
    assert names("lapsed=on") == ["Ana"]
    assert names("monthly=on") == ["Ben"]
    assert names("total_min=600") == ["Cy"]
    assert names("total_min=600.01") == []
    assert names("total_min=40") == ["Ana", "Ben", "Cy"]
    assert names("total_min=40.01") == ["Ana", "Cy"]
    assert names(f"campaign={shelter.pk}") == ["Ben"]
    assert names("last_after=2025-01-01") == ["Ana", "Ben"]
    assert names("last_before=2025-01-01") == ["Cy"]
    assert names("last_after=2025-01-01&last_before=2026-01-01") == ["Ana"]
    # Filters add up; values no longer valid are left out, never an error.
    assert names(f"lapsed=on&tag={tag.pk}&total_min=100") == ["Ana"]
    assert names("tag=999999&total_min=lots&last_after=yesterday") == ["Ana", "Ben", "Cy", "Dee"]


def test_the_page_explains_a_bad_filter(client: Client, coordinator, people):
    client.force_login(coordinator)
    response = client.get(DONORS, {"total_min": "lots"})
    assert response.status_code == 200
    assert response.context["form"].errors["total_min"] == [
        "Enter the amount in digits, with a point before any decimals, e.g. 25, 25.50 or 1,000."
    ]
    assert response.context["page"].paginator.count == 4


def test_tagging_many_donors_from_the_list_and_one_from_the_record(
    client: Client, coordinator, people
):
    client.force_login(coordinator)
    ana, ben, cy = people["ana"], people["ben"], people["cy"]
    response = client.post(
        f"{DONORS}tags/",
        {"tag": "  Board ", "donors": [ana.pk, ben.pk, 999999], "next": f"{DONORS}?lapsed=on"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{DONORS}?lapsed=on"
    # "Board" is the existing tag "board": Ana had it, Ben gains it.
    assert DonorTag.objects.count() == 1
    assert sorted(DonorTag.objects.get().donors.values_list("name", flat=True)) == ["Ana", "Ben"]
    messages = [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert messages == ["Tag Board added to 1 donor."]
    client.post(f"{DONORS}tags/", {"tag": "Gala 2026", "donors": [cy.pk], "next": "/x"})
    assert list(cy.tags.values_list("name", flat=True)) == ["Gala 2026"]
    removed = client.post(
        f"{DONORS}tags/",
        {"tag": "board", "remove": "on", "donors": [ana.pk], "next": f"{DONORS}{ana.pk}/"},
    )
    assert removed["Location"] == f"{DONORS}{ana.pk}/"
    assert list(ana.tags.all()) == []
    assert list(ben.tags.values_list("name", flat=True)) == ["board"]
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "data"))
    assert actions[-3:] == [
        ("donor.tagged", {"tag": "board", "donors": [ben.pk]}),
        ("donor.tagged", {"tag": "Gala 2026", "donors": [cy.pk]}),
        ("donor.untagged", {"tag": "board", "donors": [ana.pk]}),
    ]
    # Another site is never where the form sends you back.
    outside = client.post(
        f"{DONORS}tags/", {"tag": "x", "donors": [ana.pk], "next": "https://evil.example/"}
    )
    assert outside["Location"] == DONORS


def test_bad_tag_input_is_a_message_and_changes_nothing(client: Client, coordinator, people):
    client.force_login(coordinator)
    response = client.post(f"{DONORS}tags/", {"tag": "vip", "next": DONORS}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Choose at least one donor."]
    response = client.post(
        f"{DONORS}tags/", {"tag": "x" * 41, "donors": [people["ana"].pk]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Ensure this value has at most 40 characters (it has 41)."
    ]
    assert DonorTag.objects.count() == 1


def test_a_viewer_cannot_tag(client: Client, people):
    viewer = make_user(roles=[Role.VIEWER])
    client.force_login(viewer)
    assert (
        client.post(f"{DONORS}tags/", {"tag": "x", "donors": [people["ana"].pk]}).status_code == 403
    )
    assert DonorTag.objects.count() == 1


def test_a_segment_is_saved_exported_and_resolved_again_each_time(
    client: Client, coordinator, people
):
    client.force_login(coordinator)
    response = client.post(
        f"{DONORS}segments/", {"name": "Lapsed", "query": "lapsed=on&page=3&junk=1"}
    )
    segment = DonorSegment.objects.get()
    assert (segment.name, segment.query, segment.created_by) == ("Lapsed", "lapsed=on", coordinator)
    assert response["Location"] == f"{DONORS}?lapsed=on"
    duplicate = client.post(f"{DONORS}segments/", {"name": "Lapsed", "query": "monthly=on"})
    assert duplicate.status_code == 400
    assert duplicate.context["segment_form"].errors["name"] == [
        "There is already a segment called Lapsed."
    ]
    everyone = client.post(f"{DONORS}segments/", {"name": "All", "query": "page=2"})
    assert everyone.context["segment_form"].errors["name"] == [
        "Filter the list first: a segment of every donor is the whole list."
    ]
    assert DonorSegment.objects.count() == 1

    export = client.get(f"{DONORS}segments/{segment.pk}/export.csv")
    assert export["Content-Disposition"] == 'attachment; filename="lapsed.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))  # type: ignore[attr-defined]
    assert [(row[0], row[1], row[13]) for row in rows[1:]] == [(str(people["ana"].pk), "Ana", "1")]
    assert AuditEntry.objects.filter(action="donor_segment.exported", kind="export").count() == 1

    # Resolved anew: Ben lapses once his 2026 gift is refunded away... here Dee gives.
    gift(people["dee"], 1000, paid="2025-07-01")
    export = client.get(f"{DONORS}segments/{segment.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))  # type: ignore[attr-defined]
    # Dee's e-mail starts with "=": written as text, not a formula.
    assert [(row[1], row[2]) for row in rows[1:]] == [
        ("Ana", "ana@example.org"),
        ("Dee", "'=cmd@example.org"),
    ]

    assert client.post(f"{DONORS}segments/{segment.pk}/delete/").status_code == 302
    assert DonorSegment.objects.count() == 0
    assert client.post(f"{DONORS}segments/{segment.pk}/delete/").status_code == 404


def test_the_filtered_export_has_only_the_filtered_donors(client: Client, coordinator, people):
    client.force_login(coordinator)
    export = client.get(f"{DONORS}export.csv", {"monthly": "on", "page": "2"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0] == [
        "id",
        "name",
        "email",
        "kind",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "country",
        "communication_consent",
        "communication_consent_at",
        "give_anonymously",
        "gift_count",
        "last_gift_at",
        "created_at",
    ]
    assert [row[1] for row in rows[1:]] == ["Ben"]
    everyone = client.get(f"{DONORS}export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(everyone.streaming_content).decode())))  # type: ignore[attr-defined]
    assert [row[1] for row in rows[1:]] == ["Ana", "Ben", "Cy", "Dee"]


def test_a_segment_is_a_group_message_audience(coordinator, people):
    ana_login = make_user(email="ana.login@example.org", first_name="Ana")
    people["ana"].user = ana_login
    people["ana"].save()
    ben_login = make_user(email="ben.login@example.org", first_name="Ben")
    people["ben"].user = ben_login
    people["ben"].save()
    segment = services.save_segment(name="Lapsed", query="lapsed=on", actor=coordinator)
    audience = resolve(AudienceKind.DONOR_SEGMENT, segment=segment)
    assert audience.label == "Donors in Lapsed"
    assert audience.people == [ana_login]


def test_the_message_form_offers_segments_to_giving_only(client: Client, coordinator, people):
    from dashboard.forms.group_messages import GroupMessageForm

    segment = services.save_segment(name="Monthly", query="monthly=on", actor=coordinator)
    form = GroupMessageForm(user=coordinator)
    assert list(form.fields["segment"].queryset) == [segment]  # type: ignore[attr-defined]
    volunteering_only = make_user(roles=[Role.VOLUNTEER_COORDINATOR])
    form = GroupMessageForm(user=volunteering_only)
    assert "segment" not in form.fields
    assert AudienceKind.DONOR_SEGMENT not in dict(form.fields["audience"].choices)  # type: ignore[attr-defined]
    nobody = GroupMessageForm(
        {
            "token": "6f1c2a8e-1111-4f0e-9a7b-2c3d4e5f6a7b",
            "audience": "donor_segment",
            "segment": segment.pk,
            "subject": "Hello",
            "body": "Thanks",
            "by_email": "on",
        },
        user=coordinator,
    )
    assert not nobody.is_valid()
    assert nobody.errors["audience"] == ["Nobody is in this group: there is no one to send to."]


def _donors(start: int, count: int, tag: DonorTag) -> None:
    for number in range(start, start + count):
        donor = Donor.objects.create(name=f"Donor {number:03}", email=f"d{number}@example.org")
        gift(donor, 1000, paid="2025-03-01")
        donor.tags.add(tag)


@pytest.mark.parametrize("query", ["", "lapsed=on&total_min=5"])
def test_the_donor_list_query_count_does_not_grow(client: Client, coordinator, today, query):
    client.force_login(coordinator)
    tag = DonorTag.objects.create(name="board")
    services.save_segment(name="Lapsed", query="lapsed=on", actor=coordinator)
    _donors(0, 5, tag)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"{DONORS}?{query}").status_code == 200
    _donors(5, 45, tag)
    with CaptureQueriesContext(connection) as large:
        page = client.get(f"{DONORS}?{query}")
    assert page.context["page"].paginator.count == 50
    assert len(large) == len(small)
