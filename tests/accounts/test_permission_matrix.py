"""The permission matrix: every URL of the project, for every kind of person, gets the
answer written here.

The URLs are read from the URL resolver, so a new view that is not in ``MATRIX`` fails
``test_every_url_is_in_the_matrix``: nobody can add a page without deciding who may open
it. The expected answers are written out role by role (not read from the permission map),
so a change to the map that opens or shuts a page fails here too.

An allowed person gets anything but a refusal (200, a redirect elsewhere, 404 for the
made-up ids, 405 for a POST-only page opened with GET); a refused visitor is sent to log
in; a refused logged-in person gets 403. Every page is tried with GET and with POST (ids
that do not exist, so nothing is changed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from accounts.roles import STAFF_ROLES, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
PEOPLE: tuple[str, ...] = (ANONYMOUS, *(role.value for role in Role))

ADMIN = Role.ADMINISTRATOR.value
COORD = Role.VOLUNTEER_COORDINATOR.value
SAFE = Role.SAFEGUARDING_LEAD.value
FUND = Role.FUNDRAISER.value
VIEW = Role.VIEWER.value
VOL = Role.VOLUNTEER.value
DON = Role.DONOR.value

# Who gets in. PUBLIC: everyone, visitors too; LOGGED_IN: anyone logged in (the view
# itself then shows only the person's own record, or 404).
PUBLIC = frozenset(PEOPLE)
LOGGED_IN = frozenset(PEOPLE) - {ANONYMOUS}
STAFF = frozenset(role.value for role in STAFF_ROLES)
VOLUNTEERING_READ = frozenset({ADMIN, COORD, SAFE})
VOLUNTEERING_WRITE = frozenset({ADMIN, COORD})
GIVING = frozenset({ADMIN, FUND})
ONLY_ADMIN = frozenset({ADMIN})
# Webhooks checked by a signature, not a login: every POST without one gets 403.
SIGNED = {"notifications:sms_inbound"}

MATRIX: dict[str, frozenset[str]] = {
    "home": PUBLIC,
    "healthz": PUBLIC,
    # accounts
    "accounts:login": PUBLIC,
    "accounts:magic_link_request": PUBLIC,
    "accounts:magic_link_sent": PUBLIC,
    "accounts:magic_link_login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:register": PUBLIC,
    "accounts:confirmation_sent": PUBLIC,
    "accounts:confirm_email": PUBLIC,
    "accounts:profile": LOGGED_IN,
    "accounts:set_language": PUBLIC,
    "accounts:password_change": LOGGED_IN,
    "accounts:two_factor": LOGGED_IN,
    "accounts:two_factor_setup": LOGGED_IN,
    "accounts:two_factor_codes": LOGGED_IN,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    # dashboard
    "dashboard:coordinator_home": STAFF,
    "dashboard:person": frozenset({ADMIN, COORD, SAFE, FUND}),
    "dashboard:person_audit": ONLY_ADMIN,
    "dashboard:audit": ONLY_ADMIN,
    "dashboard:audit_export": ONLY_ADMIN,
    # A person's data on request: the export ZIP and the erasure.
    "dashboard:person_data": ONLY_ADMIN,
    "dashboard:person_export": ONLY_ADMIN,
    # notifications
    "notifications:preferences": LOGGED_IN,
    "notifications:unsubscribe": PUBLIC,
    "notifications:outbox": ONLY_ADMIN,
    # Twilio's webhook: a request without its signature is refused (403) whoever sends it.
    "notifications:sms_inbound": frozenset(),
    "notifications:push_subscription": LOGGED_IN,
    "notifications:resend": ONLY_ADMIN,
    # volunteering: the volunteer's pages
    "volunteers:home": frozenset({VOL}),
    "volunteers:contact_sharing": frozenset({VOL}),
    "volunteers:availability": frozenset({VOL}),
    # The installable app's manifest and service worker: fetched by the browser itself.
    "volunteers:manifest": PUBLIC,
    "volunteers:service_worker": PUBLIC,
    "volunteers:apply": PUBLIC,
    "volunteers:complete_application": frozenset({VOL}),
    "volunteers:my_trainings": frozenset({VOL}),
    "volunteers:session_sign_up": frozenset({VOL}),
    "volunteers:session_cancel": frozenset({VOL}),
    "volunteers:submit_evidence": frozenset({VOL}),
    "volunteers:evidence_file": LOGGED_IN,
    "volunteers:my_photo": frozenset({VOL}),
    "volunteers:my_photo_delete": frozenset({VOL}),
    # The view then decides: the owner, teammates on a shared shift, staff who read
    # volunteering (tests/volunteers/test_photos.py); 404 for anyone else.
    "volunteers:profile_photo": LOGGED_IN,
    "volunteers:open_shifts": frozenset({VOL}),
    "volunteers:shift_calendar": frozenset({VOL}),
    "volunteers:invitation": frozenset({VOL}),
    "volunteers:shift_detail": frozenset({VOL}),
    "volunteers:shift_sign_up": frozenset({VOL}),
    "volunteers:shift_cancel": frozenset({VOL}),
    "volunteers:swap_offer": frozenset({VOL}),
    "volunteers:shift_check_in_form": frozenset({VOL}),
    "volunteers:shift_check_in": frozenset({VOL}),
    "volunteers:swap_offers": frozenset({VOL}),
    "volunteers:swap_accept": frozenset({VOL}),
    "volunteers:swap_withdraw": frozenset({VOL}),
    "volunteers:my_schedule": frozenset({VOL}),
    "volunteers:my_hours": frozenset({VOL}),
    "volunteers:calendar": frozenset({VOL}),
    "volunteers:calendar_reset": frozenset({VOL}),
    "volunteers:calendar_feed": PUBLIC,
    # volunteering: staff pages
    "volunteers:coord_roles": VOLUNTEERING_READ,
    "volunteers:coord_role_create": VOLUNTEERING_WRITE,
    "volunteers:coord_role_edit": VOLUNTEERING_WRITE,
    "volunteers:coord_rule_add": VOLUNTEERING_WRITE,
    "volunteers:coord_questions": VOLUNTEERING_READ,
    "volunteers:coord_question_create": VOLUNTEERING_WRITE,
    "volunteers:coord_question_edit": VOLUNTEERING_WRITE,
    "volunteers:coord_rule_remove": VOLUNTEERING_WRITE,
    "volunteers:coord_trainings": VOLUNTEERING_READ,
    "volunteers:coord_training_create": VOLUNTEERING_WRITE,
    "volunteers:coord_training_edit": VOLUNTEERING_WRITE,
    "volunteers:coord_session_create": VOLUNTEERING_WRITE,
    "volunteers:coord_session": VOLUNTEERING_READ,
    "volunteers:coord_session_edit": VOLUNTEERING_WRITE,
    "volunteers:coord_session_cancel": VOLUNTEERING_WRITE,
    "volunteers:coord_session_attendance": VOLUNTEERING_WRITE,
    "volunteers:coord_session_completions": VOLUNTEERING_WRITE,
    "volunteers:coord_signup_cancel": VOLUNTEERING_WRITE,
    # Clearances: status for whoever works with volunteers; details, documents and
    # changes for the safeguarding lead and administrators only.
    "volunteers:coord_clearances": frozenset({ADMIN, COORD, SAFE}),
    "volunteers:coord_clearance_create": frozenset({ADMIN, SAFE}),
    "volunteers:coord_clearance_edit": frozenset({ADMIN, SAFE}),
    "volunteers:coord_clearance_document": frozenset({ADMIN, SAFE}),
    "volunteers:coord_volunteers": VOLUNTEERING_READ,
    "volunteers:coord_volunteers_csv": VOLUNTEERING_WRITE,
    "volunteers:coord_filter_save": VOLUNTEERING_READ,
    "volunteers:coord_filter_delete": VOLUNTEERING_READ,
    "volunteers:coord_volunteer": VOLUNTEERING_READ,
    "volunteers:coord_volunteer_notes": VOLUNTEERING_WRITE,
    "volunteers:coord_volunteer_status": VOLUNTEERING_WRITE,
    "volunteers:coord_record_training": VOLUNTEERING_WRITE,
    "volunteers:coord_qualification_grant": VOLUNTEERING_WRITE,
    "volunteers:coord_qualification_revoke": VOLUNTEERING_WRITE,
    "volunteers:coord_expiring": VOLUNTEERING_READ,
    "volunteers:coord_applications": VOLUNTEERING_READ,
    "volunteers:coord_application_approve": VOLUNTEERING_WRITE,
    "volunteers:coord_application_decline": VOLUNTEERING_WRITE,
    "volunteers:coord_evidence": VOLUNTEERING_READ,
    "volunteers:coord_evidence_verify": VOLUNTEERING_WRITE,
    "volunteers:coord_evidence_reject": VOLUNTEERING_WRITE,
    "volunteers:coord_shifts": VOLUNTEERING_READ,
    "volunteers:coord_shifts_csv": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_create": VOLUNTEERING_WRITE,
    "volunteers:coord_shift": VOLUNTEERING_READ,
    "volunteers:coord_shift_edit": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_publish": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_cancel": VOLUNTEERING_WRITE,
    "volunteers:coord_series_edit": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_assign": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_csv": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_print": VOLUNTEERING_WRITE,
    "volunteers:coord_series_create": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_signup_remove": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_signup_move": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_attendance": VOLUNTEERING_WRITE,
    "volunteers:coord_shift_no_show": VOLUNTEERING_WRITE,
    "volunteers:coord_staffing_gaps": VOLUNTEERING_READ,
    "volunteers:coord_calendar": VOLUNTEERING_READ,
    "volunteers:coord_shift_invite": VOLUNTEERING_WRITE,
    # Messages to a group: volunteers' audiences for volunteering, donors' for giving.
    "dashboard:group_messages": VOLUNTEERING_WRITE | GIVING,
    "dashboard:group_message_new": VOLUNTEERING_WRITE | GIVING,
    "dashboard:group_message": VOLUNTEERING_WRITE | GIVING,
    "volunteers:coord_hours": VOLUNTEERING_READ,
    "volunteers:coord_hours_totals": frozenset({ADMIN, COORD, VIEW}),
    "volunteers:coord_hours_approve": VOLUNTEERING_WRITE,
    "volunteers:coord_hours_reject": VOLUNTEERING_WRITE,
    "volunteers:coord_hours_edit": VOLUNTEERING_WRITE,
    # giving: public pages
    "donations:donate": PUBLIC,
    "donations:donate_thanks": PUBLIC,
    "donations:donate_cancelled": PUBLIC,
    "donations:donate_fee": PUBLIC,
    "donations:test_checkout": PUBLIC,
    "donations:donate_campaign": PUBLIC,
    "donations:donate_embed": PUBLIC,
    "donations:donate_share": PUBLIC,
    "donations:donate_general_share": PUBLIC,
    "donations:donate_campaign_embed": PUBLIC,
    "donations:stripe_webhook": PUBLIC,
    "donations:update_card": PUBLIC,
    # giving: the donor portal (the donor's own documents: any login, own records only)
    "donations:home": frozenset({DON}),
    "donations:donor_details": frozenset({DON}),
    "donations:donor_cancel_recurring": frozenset({DON}),
    "donations:donor_change_recurring": frozenset({DON}),
    "donations:donor_receipt_pdf": LOGGED_IN,
    "donations:donor_statement_pdf": LOGGED_IN,
    # giving: staff pages
    "donations:coord_donations": GIVING,
    "donations:coord_campaigns": GIVING,
    "donations:coord_campaign_edit": GIVING,
    "donations:coord_recurring": GIVING,
    "donations:coord_events": GIVING,
    "donations:coord_events_reprocess": GIVING,
    "donations:coord_event_resolve": GIVING,
    "donations:coord_stripe_import": GIVING,
    "donations:coord_stripe_reconciliation": GIVING,
    "donations:coord_stripe_import_start": GIVING,
    "donations:coord_interaction_add": GIVING,
    "donations:coord_task_add": GIVING,
    "donations:coord_task_done": GIVING,
    "donations:coord_donors": GIVING,
    "donations:coord_duplicates": GIVING,
    "donations:coord_merge": GIVING,
    "donations:coord_donors_tag": GIVING,
    "donations:coord_segment_save": GIVING,
    "donations:coord_segment_delete": GIVING,
    "donations:coord_segment_export": GIVING,
    "donations:coord_campaign": GIVING,
    "donations:coord_impact_save": GIVING,
    "donations:coord_impact_delete": GIVING,
    "donations:coord_donate_page": GIVING,
    "donations:coord_general_impact_save": GIVING,
    "donations:coord_amounts_save": GIVING,
    "donations:coord_export_donors": GIVING,
    "donations:coord_donor": GIVING,
    "donations:coord_donor_data": ONLY_ADMIN,
    "donations:coord_donor_export": ONLY_ADMIN,
    "donations:coord_donor_search": GIVING,
    "donations:coord_export_gifts": GIVING,
    "donations:coord_import": GIVING,
    "donations:coord_import_preview": GIVING,
    "donations:coord_receipts": GIVING,
    "donations:coord_receipt_resend": GIVING,
    "donations:coord_statements": GIVING,
    "donations:coord_statement_run": GIVING,
    "donations:coord_statement_pdf": GIVING,
    "donations:coord_tribute_letter": GIVING,
    "donations:coord_offline_gift": GIVING,
    "donations:coord_deposits": GIVING,
    "donations:coord_deposit": GIVING,
    "donations:coord_deposit_add_line": GIVING,
    "donations:coord_deposit_remove_line": GIVING,
    "donations:coord_deposit_post": GIVING,
    "donations:coord_reports": frozenset({ADMIN, FUND, VIEW}),
    "donations:coord_report_csv": frozenset({ADMIN, FUND, VIEW}),
}

# The data administration: every one of its URLs is for administrators only.
ADMIN_NAMESPACE = "admin"

# Values for the URLs' arguments: ids that do not exist, so a POST changes nothing.
ARGUMENTS = {"int": 999_999, "string": "nothing-here", "slug": "nothing-here", "path": "999999"}


@dataclass(frozen=True)
class Url:
    name: str
    kwargs: dict[str, object]

    @property
    def path(self) -> str:
        return reverse(self.name, kwargs=self.kwargs)


def _walk(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[Url]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == ADMIN_NAMESPACE:
                yield Url(f"{ADMIN_NAMESPACE}:index", {})  # its pages: _admin_urls()
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            prefix_kwargs = _kwargs(entry)
            for url in _walk(entry.url_patterns, inner):
                yield Url(url.name, {**prefix_kwargs, **url.kwargs})
        else:
            if not entry.name:
                raise AssertionError(f"URL {entry.pattern} has no name; give it one")
            yield Url(f"{namespace}{entry.name}", _kwargs(entry))


def _kwargs(entry: URLPattern | URLResolver) -> dict[str, object]:
    converters = getattr(entry.pattern, "converters", {})
    kwargs: dict[str, object] = {}
    for key, converter in converters.items():
        kind = type(converter).__name__.removesuffix("Converter").lower()
        kwargs[key] = ARGUMENTS[kind]
    return kwargs


def project_urls() -> dict[str, Url]:
    urls: dict[str, Url] = {}
    for url in _walk(get_resolver().url_patterns):
        urls.setdefault(url.name, url)
    return urls


def _admin_urls() -> list[str]:
    """The admin's index, each app's index, and each registered model's list, add form,
    and change, history and delete pages (of a made-up object)."""
    paths = [reverse("admin:index")]
    labels: set[str] = set()
    for model in admin.site._registry:
        meta = model._meta
        labels.add(meta.app_label)
        base = f"admin:{meta.app_label}_{meta.model_name}"
        paths += [reverse(f"{base}_changelist"), reverse(f"{base}_add")]
        paths += [reverse(f"{base}_{page}", args=["999999"]) for page in PAGES]
    paths += [reverse("admin:app_list", kwargs={"app_label": label}) for label in sorted(labels)]
    return paths


PAGES = ("change", "history", "delete")


def _person(kind: str) -> User | None:
    if kind == ANONYMOUS:
        return None
    return make_user(roles=[Role(kind)])


def _refusal(response: HttpResponseBase) -> str | None:
    """How the person was refused, or None when they got in."""
    if response.status_code == 403:
        return "403"
    location = response.get("Location", "") if response.status_code == 302 else ""
    if location.startswith(("/accounts/login/?next=", "/admin/login/?next=")):
        return "login"
    if location.startswith("/accounts/two-factor/?next="):
        return "second factor"
    return None


def test_every_url_is_in_the_matrix() -> None:
    names = set(project_urls()) - {f"{ADMIN_NAMESPACE}:index"}
    assert sorted(names - set(MATRIX)) == [], "URLs nobody decided about: add them to MATRIX"
    assert sorted(set(MATRIX) - names) == [], "MATRIX names URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_person_gets_the_expected_answer(name: str) -> None:
    url = project_urls()[name]
    path = url.path
    wrong: list[str] = []
    for kind in PEOPLE:
        client = Client()
        person = _person(kind)
        if person is not None:
            client.force_login(person)
        allowed = kind in MATRIX[name]
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            refusal = _refusal(response)
            expected = None if allowed else ("login" if kind == ANONYMOUS else "403")
            if name in SIGNED:  # a GET is only refused as a method (405)
                expected = "403" if method == "post" else None
            if refusal != expected:
                wrong.append(f"{kind} {method.upper()} {path}: {refusal or 'let in'}")
    assert wrong == []


@pytest.mark.parametrize("kind", PEOPLE)
def test_the_data_administration_is_for_administrators_only(kind: str) -> None:
    """Everyone else is sent to log in (and then refused: see the next test); an
    administrator reads every list (adding or deleting is each admin page's own choice:
    read-only ones answer 403)."""
    paths = _admin_urls()
    assert len(paths) > 100
    client = Client()
    person = _person(kind)
    if person is not None:
        client.force_login(person)
    wrong: list[str] = []
    for path in paths:
        response = client.get(path)
        refusal = _refusal(response)
        if kind != ADMIN and refusal != "login":
            wrong.append(f"{path}: {refusal or 'let in'}")
        if kind == ADMIN and refusal == "login":
            wrong.append(f"{path}: refused")
        if kind == ADMIN and _is_list(path) and response.status_code != 200:
            wrong.append(f"{path}: {response.status_code}")
    assert wrong == []


def _is_list(path: str) -> bool:
    parts = [part for part in path.split("/") if part]
    return len(parts) <= 3  # /admin/, /admin/<app>/, /admin/<app>/<model>/


def test_an_admin_login_page_sends_visitors_to_the_one_login_and_refuses_other_roles() -> None:
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    client.force_login(make_user(roles=[Role.FUNDRAISER]))
    assert client.get("/admin/login/?next=/admin/").status_code == 403
    client.force_login(make_user(roles=[Role.ADMINISTRATOR]))
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


STAFF_ONLY = sorted(name for name, people in MATRIX.items() if people and people <= STAFF)


@pytest.mark.parametrize("name", STAFF_ONLY)
def test_no_staff_page_opens_without_the_second_factor(name: str) -> None:
    """An administrator (who holds every staff permission) logged in with a password or a
    magic link only is sent to give the second factor, on every staff URL."""
    path = project_urls()[name].path
    client = Client()
    client.second_factor = False  # type: ignore[attr-defined]
    client.force_login(make_user(roles=[Role.ADMINISTRATOR]))
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert _refusal(response) == "second factor", f"{method.upper()} {path}"


def test_the_data_administration_needs_the_second_factor() -> None:
    client = Client()
    client.second_factor = False  # type: ignore[attr-defined]
    client.force_login(make_user(roles=[Role.ADMINISTRATOR]))
    for path in _admin_urls():
        assert _refusal(client.get(path)) == "login", path
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/two-factor/?next=/admin/"
