"""Coordinators' donor records: who may open them, directory, profile, duplicates and merge,
CSV export, and the CSV import of past gifts."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from donations.models import (
    Donation,
    DonationSource,
    DonationStatus,
    Donor,
    DonorMerge,
    GiftImport,
)
from donations.models.receipts import Receipt
from donations.selectors.donors import canonical_email, duplicate_groups, normalised_name
from donations.services.donor_records import MergeError, merge_donors
from donations.services.gift_import import (
    ImportRefused,
    check_gift_file,
    import_gifts,
    upload_gift_file,
)
from tests.donations.portal_data import campaign, donor_with_login, gift, monthly
from tests.factories import make_user
from tests.utils import read_download

pytestmark = pytest.mark.django_db

G = "/coordinator/giving"
COORDINATOR_PAGES = [
    f"{G}/donors/",
    f"{G}/donors/duplicates/",
    f"{G}/donors/merge/",
    f"{G}/donors/export.csv",
    f"{G}/donors/1/",
    f"{G}/gifts/export.csv",
    f"{G}/import/",
    f"{G}/import/1/",
    f"{G}/reports/",
    f"{G}/reports/lybunt.csv",
    f"{G}/reports/sybunt.csv",
    f"{G}/reports/retention.csv",
    f"{G}/reports/months.csv",
    f"{G}/reports/campaigns.csv",
    f"{G}/reports/sources.csv",
    f"{G}/donations/",
    f"{G}/campaigns/",
    f"{G}/recurring/",
    f"{G}/stripe-events/",
    "/coordinator/people/1/",
]


@pytest.mark.parametrize("url", COORDINATOR_PAGES)
def test_a_volunteer_without_the_coordinator_role_is_refused(client: Client, url):
    volunteer = make_user(roles=[Role.VOLUNTEER, Role.DONOR])
    Donor.objects.create(pk=1, name="Someone", email="someone@example.org", user=volunteer)
    GiftImport.objects.create(pk=1, filename="x.csv", content="date\n", content_sha256="x")
    client.force_login(volunteer)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


@pytest.mark.parametrize("url", COORDINATOR_PAGES[:3])
def test_visitors_are_sent_to_log_in(client: Client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# Directory and profile


def test_directory_search(client: Client, coordinator):
    Donor.objects.create(name="Grace Hopper", email="grace@navy.example", city="Arlington")
    Donor.objects.create(name="Alan Turing", email="alan@example.org")
    client.force_login(coordinator)
    page = client.get(f"{G}/donors/", {"q": "arling"}).content.decode()
    assert "Grace Hopper" in page
    assert "Alan Turing" not in page


def test_profile_links_to_the_whole_record_of_a_donor_who_volunteers(client: Client, coordinator):
    both = donor_with_login("Ana Vo", "ana.vo@example.org", roles=(Role.VOLUNTEER, Role.DONOR))
    only_donor = donor_with_login("Bo Li", "bo@example.org")
    client.force_login(coordinator)
    assert (
        f"/coordinator/people/{both.user_id}/"
        in client.get(f"{G}/donors/{both.pk}/").content.decode()
    )
    # Only the data page's link (for administrators), not the whole record's.
    only = client.get(f"{G}/donors/{only_donor.pk}/").content.decode()
    assert f'href="/coordinator/people/{only_donor.user_id}/"' not in only
    assert f'href="/coordinator/people/{only_donor.user_id}/data/"' in only
    person = client.get(f"/coordinator/people/{both.user_id}/")
    assert person.status_code == 200
    text = person.content.decode()
    assert "Volunteering" in text and "Full donor record" in text


def _fill(donor: Donor, count: int) -> None:
    fund = campaign(f"fund-{donor.pk}-{count}")
    for i in range(count):
        made = gift(donor, 1000 + i, paid=f"202{4 + i % 3}-0{1 + i % 9}-11", campaign=fund)
        Receipt.objects.create(
            donation=made,
            year=2024 + i % 3,
            number=count * 100 + i + 1,
            issued_at=made.created_at,
            amount_minor=made.amount_minor,
            currency="USD",
            language="en",
            donor_name=donor.name,
        )
        monthly(donor, 500 + i)


def test_profile_query_count_does_not_grow(client: Client, coordinator):
    donor = donor_with_login("Ana Vo", "ana.vo@example.org", roles=(Role.VOLUNTEER, Role.DONOR))
    client.force_login(coordinator)
    _fill(donor, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"{G}/donors/{donor.pk}/").status_code == 200
    _fill(donor, 10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"{G}/donors/{donor.pk}/").status_code == 200
    assert len(small) == len(large)


# Duplicates and merge


def test_normalising_emails_and_names():
    assert canonical_email("Jane.Doe+gifts@GoogleMail.com") == "janedoe@gmail.com"
    assert canonical_email("jane.doe@example.org") == "jane.doe@example.org"
    assert normalised_name("Doe,  Jané") == normalised_name("jane doe") == "doe jane"


def test_duplicate_groups():
    a = Donor.objects.create(name="Jane Doe", email="jane.doe@gmail.com")
    b = Donor.objects.create(name="J. Doe", email="janedoe+news@gmail.com")
    c = Donor.objects.create(name="Tom Hart", email="", postal_code="62701")
    d = Donor.objects.create(name="hart tom", email="th@example.org", postal_code="627 01")
    e = Donor.objects.create(name="Mia Sol", email="mia.sol@example.org")
    f = Donor.objects.create(name="Mia Sol", email="miasol@other.example")
    Donor.objects.create(name="Mia Sol", email="someone@else.example")
    Donor.objects.create(name="Unique Person", email="unique@example.org")
    groups = {frozenset(d.pk for d in g.donors): g.reasons for g in duplicate_groups()}
    assert groups == {
        frozenset({a.pk, b.pk}): {"same e-mail"},
        frozenset({c.pk, d.pk}): {"same name and postal code"},
        frozenset({e.pk, f.pk}): {"same name and similar e-mail"},
    }


def test_merge_moves_everything_and_is_recorded(coordinator):
    kept = Donor.objects.create(name="Jane Doe", email="jane@example.org")
    dup = donor_with_login("Jane Doe", "jane.doe@gmail.com")
    dup.city, dup.postal_code, dup.address_line1 = "Springfield", "62701", "1 Main St"
    dup.save()
    old = gift(kept, 1000)
    moved_gifts = [gift(dup, 2000), gift(dup, 3000)]
    receipt = Receipt.objects.create(
        donation=moved_gifts[0],
        year=2025,
        number=1,
        issued_at=moved_gifts[0].created_at,
        amount_minor=2000,
        currency="USD",
        language="en",
        donor_name=dup.name,
    )
    recurring = monthly(dup)
    dup_user = dup.user_id
    record = merge_donors(kept=kept, duplicate=dup, merged_by=coordinator)
    assert not Donor.objects.filter(pk=dup.pk).exists()
    kept.refresh_from_db()
    assert sorted(kept.donations.values_list("pk", flat=True)) == sorted(
        [old.pk, *(g.pk for g in moved_gifts)]
    )
    assert list(kept.recurring_gifts.values_list("pk", flat=True)) == [recurring.pk]
    receipt.refresh_from_db()
    assert receipt.donation.donor_id == kept.pk
    assert kept.user_id == dup_user  # portal access moved
    assert (kept.city, kept.postal_code, kept.address_line1) == (
        "Springfield",
        "62701",
        "1 Main St",
    )
    assert kept.email == "jane@example.org"
    assert record.merged_by == coordinator
    assert (record.merged_donor_id, record.merged_email) == (dup.pk, "jane.doe@gmail.com")
    assert record.moved == {
        "donations": sorted(g.pk for g in moved_gifts),
        "recurring_gifts": [recurring.pk],
        "user": dup_user,
        "fields": ["address"],
    }
    assert list(DonorMerge.objects.filter(kept=kept)) == [record]


def test_merge_keeps_the_kept_login_when_both_have_one(coordinator):
    kept = donor_with_login("Jane Doe", "jane@example.org")
    dup = donor_with_login("Jane Doe", "jane2@example.org")
    record = merge_donors(kept=kept, duplicate=dup, merged_by=coordinator)
    kept.refresh_from_db()
    assert kept.user is not None and kept.user.email == "jane@example.org"
    assert record.moved == {"user_unlinked": dup.user_id}


def test_merging_a_donor_into_itself_is_refused(coordinator):
    donor = Donor.objects.create(name="A", email="a@example.org")
    with pytest.raises(MergeError):
        merge_donors(kept=donor, duplicate=donor, merged_by=coordinator)


def test_merge_pages(client: Client, coordinator):
    kept = Donor.objects.create(name="Jane Doe", email="jane.doe@gmail.com")
    dup = Donor.objects.create(name="Jane D", email="janedoe@gmail.com")
    gift(dup, 1000)
    client.force_login(coordinator)
    page = client.get(f"{G}/donors/duplicates/").content.decode()
    assert f"?kept={kept.pk}&amp;duplicate={dup.pk}" in page
    confirm = client.get(f"{G}/donors/merge/", {"kept": kept.pk, "duplicate": dup.pk})
    assert confirm.status_code == 200
    assert Donor.objects.filter(pk=dup.pk).exists()
    done = client.post(f"{G}/donors/merge/", {"kept": kept.pk, "duplicate": dup.pk})
    assert done.status_code == 302
    assert done["Location"] == f"{G}/donors/{kept.pk}/"
    assert not Donor.objects.filter(pk=dup.pk).exists()
    # The same merge again: the duplicate is gone, a message and no 500.
    again = client.post(f"{G}/donors/merge/", {"kept": kept.pk, "duplicate": dup.pk})
    assert again.status_code == 302
    same = client.post(f"{G}/donors/merge/", {"kept": kept.pk, "duplicate": kept.pk})
    assert same.status_code == 302


# Export


def test_csv_exports(client: Client, coordinator):
    donor = Donor.objects.create(name="Jane Doe", email="jane@example.org", city="Springfield")
    gift(donor, 10000, refunded=2500, status=DonationStatus.PARTIALLY_REFUNDED, paid="2025-04-02")
    gift(donor, 500000, "VND", paid="2025-05-02")
    gift(donor, 999, status=DonationStatus.PENDING)
    client.force_login(coordinator)
    response = client.get(f"{G}/donors/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(read_download(response).decode())))
    assert [(r["name"], r["email"], r["city"], r["gift_count"]) for r in rows] == [
        ("Jane Doe", "jane@example.org", "Springfield", "2")
    ]
    response = client.get(f"{G}/gifts/export.csv")
    rows = list(csv.DictReader(io.StringIO(read_download(response).decode())))
    assert [(r["amount"], r["refunded"], r["net"], r["currency"], r["status"]) for r in rows] == [
        ("100.00", "25.00", "75.00", "USD", "partially_refunded"),
        ("500000", "0", "500000", "VND", "paid"),
    ]


# Import

HEADER = "date,amount,currency,email,name,campaign\n"
GOOD_1 = "2024-03-31,25.00,USD,jane@example.org,Jane Doe,spring\n"
GOOD_2 = "2024-04-02,500000,VND,,Tran Van An,\n"
BAD_DATE = "31/03/2024,10,USD,bob@example.org,Bob,\n"
BAD_AMOUNT = "2024-03-01,12.345,USD,carl@example.org,Carl,\n"
BAD_CAMPAIGN = "2024-03-02,10,USD,dina@example.org,Dina,winter-gala\n"
BAD_CURRENCY = "2024-03-03,10,XYZ,eve@example.org,Eve,\n"


def upload(content: str, coordinator) -> GiftImport:
    return upload_gift_file(filename="gifts.csv", raw=content.encode(), uploaded_by=coordinator)


@pytest.fixture
def spring():
    return campaign("spring", "Spring appeal")


@time_machine.travel(date(2026, 6, 1))
def test_import_reports_each_bad_row_and_imports_nothing(client: Client, coordinator, spring):
    content = HEADER + GOOD_1 + BAD_DATE + BAD_AMOUNT + BAD_CAMPAIGN + BAD_CURRENCY + GOOD_2
    client.force_login(coordinator)
    response = client.post(
        f"{G}/import/", {"file": SimpleUploadedFile("gifts.csv", content.encode(), "text/csv")}
    )
    assert response.status_code == 302
    gift_import = GiftImport.objects.get()
    check = check_gift_file(gift_import)
    assert [(row.line, row.errors) for row in check.bad] == [
        (3, ["Bad date “31/03/2024”: write it as YYYY-MM-DD, e.g. 2024-03-31."]),
        (4, ["Bad amount “12.345”: USD amounts need at most 2 decimals, e.g. 25.50."]),
        (5, ["Unknown campaign “winter-gala”."]),
        (6, ["Bad currency “XYZ”: use an ISO code such as USD."]),
    ]
    assert [row.line for row in check.good] == [2, 7]
    page = client.get(response["Location"]).content.decode()
    for text in ("Bad date", "Bad amount", "Unknown campaign", "Bad currency"):
        assert text in page
    # Import without choosing "only good rows": refused, nothing imported.
    refused = client.post(response["Location"], {})
    assert refused.status_code == 400
    assert "4 rows have errors" in refused.content.decode()
    assert Donation.objects.count() == 0
    assert Donor.objects.count() == 0
    with pytest.raises(ImportRefused):
        import_gifts(gift_import=gift_import, only_good_rows=False, imported_by=coordinator)
    assert Donation.objects.count() == 0


@time_machine.travel(date(2026, 6, 1))
def test_only_good_rows_imports_exactly_those(client: Client, coordinator, spring):
    Donor.objects.create(name="Jane Doe", email="jane@example.org")
    content = HEADER + GOOD_1 + BAD_DATE + BAD_AMOUNT + BAD_CAMPAIGN + GOOD_2
    client.force_login(coordinator)
    gift_import = upload(content, coordinator)
    done = client.post(f"{G}/import/{gift_import.pk}/", {"only_good_rows": "on"})
    assert done.status_code == 302
    gifts = list(Donation.objects.order_by("paid_at").select_related("donor", "campaign"))
    assert [
        (g.donor.name, g.donor.email, g.amount_minor, g.currency, g.campaign_id) for g in gifts
    ] == [
        ("Jane Doe", "jane@example.org", 2500, "USD", spring.pk),
        ("Tran Van An", "", 500000, "VND", None),
    ]
    assert {(g.status, g.source, g.entered_by_id) for g in gifts} == {
        (DonationStatus.PAID, DonationSource.IMPORT, coordinator.pk)
    }
    assert gifts[0].paid_at is not None
    assert gifts[0].paid_at.date() == date(2024, 3, 31)
    assert Donor.objects.count() == 2  # Jane's gift went to her existing record
    gift_import.refresh_from_db()
    assert (gift_import.rows_total, gift_import.rows_imported) == (5, 2)
    assert gift_import.skipped_bad_rows is True
    assert sorted(gift_import.donation_ids) == sorted(g.pk for g in gifts)
    # Posting again imports nothing more; the same file uploaded again cannot be imported.
    client.post(f"{G}/import/{gift_import.pk}/", {"only_good_rows": "on"})
    again = upload(content, coordinator)
    with pytest.raises(ImportRefused, match="imported before"):
        import_gifts(gift_import=again, only_good_rows=True, imported_by=coordinator)
    assert Donation.objects.count() == 2


@time_machine.travel(date(2026, 6, 1))
def test_a_clean_file_imports_every_row(coordinator, spring):
    done = import_gifts(
        gift_import=upload(HEADER + GOOD_1 + GOOD_2, coordinator),
        only_good_rows=False,
        imported_by=coordinator,
    )
    assert done.rows_imported == 2
    assert done.skipped_bad_rows is False


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"name,email\nA,a@example.org\n", "missing: date, amount, currency"),
        (HEADER.encode(), "no rows"),
    ],
)
def test_unreadable_files_are_form_errors(client: Client, coordinator, content, message):
    client.force_login(coordinator)
    response = client.post(
        f"{G}/import/", {"file": SimpleUploadedFile("gifts.csv", content, "text/csv")}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert GiftImport.objects.count() == 0


def test_future_dates_and_missing_donors_are_row_errors(coordinator):
    content = HEADER + "2999-01-01,10,USD,,,\n"
    check = check_gift_file(upload(content, coordinator))
    assert check.rows[0].errors == [
        "The date 2999-01-01 is in the future.",
        "Give the donor's e-mail or name.",
    ]


def test_a_file_with_nul_bytes_is_refused_with_a_message(coordinator):
    from donations.services.gift_import import ImportRefused

    with pytest.raises(ImportRefused, match="This is not a text CSV file"):
        upload_gift_file(
            filename="gifts.csv",
            raw=b"email,amount\x00\nx@example.org,5\n",
            uploaded_by=coordinator,
        )


def test_a_merge_is_audited_with_what_the_kept_donor_took(coordinator):
    from accounts.models import AuditEntry

    kept = Donor.objects.create(name="Jane Doe", email="jane.k@example.org")
    dup = donor_with_login("Jane Doe", "jane.d@example.org")
    dup.city = "Springfield"
    dup.save(update_fields=["city"])
    moved_gift = gift(dup, 2000)
    dup_pk, dup_user = dup.pk, dup.user_id
    record = merge_donors(kept=kept, duplicate=dup, merged_by=coordinator)
    [entry] = AuditEntry.objects.all()
    assert (
        entry.action,
        entry.actor_id,
        entry.subject_id,
        entry.object_type,
        entry.object_id,
        entry.changes,
        entry.data,
    ) == (
        "donations.donor.merged",
        coordinator.pk,
        dup_user,
        "donations.donor",
        str(kept.pk),
        {"city": ["", "Springfield"], "user": [None, dup_user]},
        {
            "merge": record.pk,
            "merged_donor": dup_pk,
            "merged_name": "Jane Doe",
            "moved": f"donations: [{moved_gift.pk}], fields: ['address'], user: {dup_user}",
        },
    )
