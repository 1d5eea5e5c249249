"""The administrator's audit trail page: filtered per record, action, who and days, exported
as formula-safe CSV (the export itself recorded), in the same number of queries at any size."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEntry, User
from accounts.roles import Role
from accounts.services import audit
from tests.factories import make_user
from tests.volunteers.factories import make_shift

pytestmark = pytest.mark.django_db

URL = "/coordinator/audit/"
EXPORT = "/coordinator/audit/export.csv"


@pytest.fixture
def lee() -> User:
    return make_user(
        roles=[Role.VOLUNTEER_COORDINATOR], first_name="Lee", email="lee.t@example.org"
    )


def _listed(response: object) -> list[tuple[str, int | None, str]]:
    page = response.context["page"]  # type: ignore[attr-defined]
    return [(e.action, e.actor_id, e.object_id) for e in page.object_list]


def test_the_trail_filters_per_record_action_who_and_days(
    client: Client, coordinator: User, lee: User
) -> None:
    first, second = make_shift(), make_shift()
    with time_machine.travel(datetime(2026, 3, 1, 15, tzinfo=UTC), tick=False):
        audit.record("volunteers.shift.created", actor=lee, obj=first)
        audit.record("volunteers.shift.created", actor=lee, obj=second)
    with time_machine.travel(datetime(2026, 3, 5, 15, tzinfo=UTC), tick=False):
        audit.record("volunteers.shift.changed", actor=lee, obj=first)
        audit.record("volunteers.shift.published", actor=None, obj=first)
    client.force_login(coordinator)

    about_first = client.get(URL, {"object_type": "volunteers.shift", "object_id": str(first.pk)})
    assert about_first.status_code == 200
    one = str(first.pk)
    assert _listed(about_first) == [
        ("volunteers.shift.published", None, one),
        ("volunteers.shift.changed", lee.pk, one),
        ("volunteers.shift.created", lee.pk, one),
    ]
    changed = client.get(URL, {"action": "volunteers.shift.changed"})
    assert _listed(changed) == [("volunteers.shift.changed", lee.pk, one)]
    by_lee = client.get(URL, {"actor": "LEE.T@example.org", "until": "2026-03-01"})
    assert _listed(by_lee) == [
        ("volunteers.shift.created", lee.pk, str(second.pk)),
        ("volunteers.shift.created", lee.pk, one),
    ]
    by_system = client.get(URL, {"system": "on"})
    assert _listed(by_system) == [("volunteers.shift.published", None, one)]
    days = client.get(URL, {"since": "2026-03-02", "until": "2026-03-05"})
    assert [row[0] for row in _listed(days)] == [
        "volunteers.shift.published",
        "volunteers.shift.changed",
    ]
    # A last day before the first: a clear error on the field, the rest still applies.
    wrong = client.get(URL, {"since": "2026-03-05", "until": "2026-03-01"})
    assert wrong.status_code == 200
    assert wrong.context["filters"].errors == {
        "until": ["The last day cannot be before the first."]
    }
    assert len(_listed(wrong)) == 2
    # Each record links to its own trail.
    page = about_first.content.decode()
    assert f"?object_type=volunteers.shift&amp;object_id={first.pk}" in page


def test_the_shift_page_links_its_trail_for_administrators_only(
    client: Client, coordinator: User, lee: User
) -> None:
    shift = make_shift()
    link = f"/coordinator/audit/?object_type=volunteers.shift&amp;object_id={shift.pk}"
    roster = reverse("volunteers:coord_shift", args=[shift.pk])
    client.force_login(coordinator)
    assert link in client.get(roster).content.decode()
    client.force_login(lee)
    response = client.get(roster)
    assert response.status_code == 200
    assert link not in response.content.decode()


def test_the_export_is_the_filtered_entries_formula_safe_and_audited(
    client: Client, coordinator: User, lee: User
) -> None:
    shift = make_shift()
    with time_machine.travel(datetime(2026, 3, 1, 15, tzinfo=UTC), tick=False):
        audit.record(
            "volunteers.shift.changed",
            actor=lee,
            obj=shift,
            changes={"notes": ["", "=HYPERLINK(1)"]},
        )
        AuditEntry.objects.create(action="=SUM(A1)", object_type="volunteers.shift", object_id="x")
        audit.record("volunteers.hours.approved", actor=lee, subject=coordinator)
    client.force_login(coordinator)
    response = client.get(EXPORT, {"object_type": "volunteers.shift", "since": "2026-03-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "When (UTC)",
            "Who",
            "Action",
            "Kind",
            "About",
            "Record type",
            "Record id",
            "Changes",
            "Details",
            "IP address",
        ],
        [
            "2026-03-01 15:00:00+00:00",
            "the system",
            "'=SUM(A1)",
            "change",
            "",
            "volunteers.shift",
            "x",
            "",
            "",
            "",
        ],
        [
            "2026-03-01 15:00:00+00:00",
            "lee.t@example.org",
            "volunteers.shift.changed",
            "change",
            "",
            "volunteers.shift",
            str(shift.pk),
            '{"notes": ["", "=HYPERLINK(1)"]}',
            "",
            "",
        ],
    ]
    export = AuditEntry.objects.order_by("-pk").first()
    assert export is not None
    assert (export.action, export.kind, export.actor_id, export.data) == (
        "accounts.audit.exported",
        AuditEntry.Kind.EXPORT,
        coordinator.pk,
        {"filters": {"object_type": "volunteers.shift", "since": str(date(2026, 3, 1))}, "rows": 2},
    )


def test_an_export_by_person_names_them_by_id_so_their_erasure_finds_it(
    client: Client, coordinator: User, lee: User
) -> None:
    audit.record("volunteers.hours.approved", actor=lee, subject=coordinator)
    client.force_login(coordinator)
    response = client.get(EXPORT, {"actor": "LEE.T@example.org"})
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) == 2
    export = AuditEntry.objects.get(action="accounts.audit.exported")
    # The address typed is nowhere in the entry; the person is its subject.
    assert (export.subject_id, export.data) == (
        lee.pk,
        {"filters": {"actor": "subject"}, "rows": 1},
    )
    assert "lee.t" not in str(export.data).lower()


def test_an_export_with_an_invalid_filter_is_refused_not_widened(
    client: Client, coordinator: User, lee: User
) -> None:
    audit.record("volunteers.hours.approved", actor=lee, subject=coordinator)
    client.force_login(coordinator)
    response = client.get(EXPORT, {"since": "2026-03-05", "until": "2026-03-01"})
    assert response.status_code == 400
    assert "Correct the filters" in response.content.decode()
    assert client.get(EXPORT, {"object_id": "9" * 41}).status_code == 400
    assert not AuditEntry.objects.filter(action="accounts.audit.exported").exists()


def test_only_administrators_see_and_export_the_trail(client: Client, lee: User) -> None:
    client.force_login(lee)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(action="accounts.audit.exported").exists()


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"action": "volunteers.shift.changed"})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_trail_page_query_count_is_the_same_for_few_and_many_entries(
    client: Client, coordinator: User, lee: User
) -> None:
    client.force_login(coordinator)
    shift = make_shift()
    for _ in range(2):
        audit.record("volunteers.shift.changed", actor=lee, subject=coordinator, obj=shift)
    few = _queries(client)
    for index in range(60):
        other = make_user(email=f"p{index}.t@example.org")
        audit.record("volunteers.shift.changed", actor=other, subject=other, obj=shift)
    many = _queries(client)
    assert few == many
