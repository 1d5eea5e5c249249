"""One search rule for every search box: each word typed must match a name or e-mail part.

Before, "Ana Ng" found Ana in the volunteer directory (word by word) but nobody in the
roster's volunteer picker or the donor directory (the whole text had to be in one field).
"""

from __future__ import annotations

import pytest

from donations.models import Donor
from donations.selectors.donors import donor_directory
from donations.selectors.receipts import donor_search
from notifications.selectors import outbox_list
from notifications.services import enqueue_message
from tests.volunteers.factories import make_shift, make_volunteer
from volunteers.selectors.people import volunteer_directory
from volunteers.selectors.roster import assign_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    ana = make_volunteer(first_name="Ana", last_name="Ng", email="ana.ng@example.org")
    make_volunteer(first_name="Ana", last_name="Lopez", email="ana.lopez@example.org")
    make_volunteer(first_name="Ben", last_name="Ng", email="ben@example.org")
    return ana


def test_the_roster_picker_and_the_directory_find_the_same_person(people) -> None:
    shift = make_shift()
    picked = assign_choices(shift, set(), find="Ana Ng")
    assert [pk for pk, _label in picked.choices] == [people.pk]
    assert [p.user_id for p in volunteer_directory(search="Ana Ng")] == [people.pk]
    assert [p.user_id for p in volunteer_directory(search="ng ANA")] == [people.pk]
    assert len(assign_choices(shift, set(), find="Ng").choices) == 2


def test_the_outbox_finds_a_recipient_by_first_and_last_name(people) -> None:
    enqueue_message(recipient=people, kind="test.message", dedupe_key="k1", context={})
    assert [m.recipient_id for m in outbox_list(recipient="Ana Ng")] == [people.pk]
    assert list(outbox_list(recipient="Ana Lopez")) == []


def test_donor_searches_match_every_word() -> None:
    ana = Donor.objects.create(name="Ana Ng", email="a@example.org")
    Donor.objects.create(name="Ana Lopez", email="l@example.org")
    assert list(donor_directory(search="ng ana")) == [ana]
    assert donor_search("Ana Ng") == [ana]
