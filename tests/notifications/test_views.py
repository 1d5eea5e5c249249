"""The coordinator's outbox page, the preferences page and one-click unsubscribe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Message, NotificationPreference, Status
from notifications.services import enqueue_message, preferences_for
from tests.factories import make_user, make_users
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.outbox import Published

OUTBOX = "/notifications/coordinator/outbox/"
LATER = datetime(2031, 7, 15, 20, 0, tzinfo=UTC)


def enqueue(user, key: str, kind: str = "test.message") -> Message:
    message = enqueue_message(
        recipient=user,
        kind=kind,
        dedupe_key=key,
        context=SAMPLE_CONTEXTS[kind],
        scheduled_for=LATER,
    )
    assert message is not None
    return message


@pytest.fixture(autouse=True)
def _broker(published: Published) -> None:
    pass


@pytest.mark.django_db
class TestOutboxPage:
    def test_only_coordinators(self, client, volunteer) -> None:
        assert client.get(OUTBOX).status_code == 302
        client.force_login(volunteer)
        assert client.get(OUTBOX).status_code == 403

    def test_filters_and_shows_failures_with_their_error(self, client, coordinator) -> None:
        ana = make_user(email="ana.lopez@example.org", first_name="Ana")
        ben = make_user(email="ben@example.org", first_name="Ben")
        failed = enqueue(ana, "a:1", kind="shift.reminder")
        Message.objects.filter(pk=failed.pk).update(
            status=Status.FAILED, last_error="SMTPRecipientsRefused: 550 no such user"
        )
        enqueue(ana, "a:2")
        enqueue(ben, "b:1", kind="shift.reminder")
        client.force_login(coordinator)
        page = client.get(OUTBOX, {"status": "failed"})
        assert page.status_code == 200
        assert list(page.context["page"].object_list) == [failed]
        assert "SMTPRecipientsRefused: 550 no such user" in page.content.decode()
        by_kind = client.get(OUTBOX, {"kind": "shift.reminder"}).context["page"].object_list
        assert {m.dedupe_key for m in by_kind} == {"a:1", "b:1"}
        by_person = client.get(OUTBOX, {"recipient": "LOPEZ"}).context["page"].object_list
        assert {m.dedupe_key for m in by_person} == {"a:1", "a:2"}
        both = client.get(OUTBOX, {"recipient": "ben", "kind": "test.message"})
        assert list(both.context["page"].object_list) == []

    def test_a_bad_filter_is_a_form_error_not_a_500(self, client, coordinator) -> None:
        client.force_login(coordinator)
        response = client.get(OUTBOX, {"status": "exploded", "kind": "nope"})
        assert response.status_code == 200
        assert set(response.context["filters"].errors) == {"status", "kind"}

    def test_query_count_does_not_grow_with_rows(self, client, coordinator) -> None:
        client.force_login(coordinator)

        def queries(count: int) -> int:
            for user in make_users(count):
                enqueue(user, f"k:{user.pk}")
            with CaptureQueriesContext(connection) as captured:
                assert client.get(OUTBOX).status_code == 200
            return len(captured)

        small = queries(2)
        assert queries(30) == small

    def test_resend_puts_a_failed_message_back(
        self, client, coordinator, published: Published
    ) -> None:
        message = enqueue(make_user(), "a:1")
        Message.objects.filter(pk=message.pk).update(status=Status.FAILED, last_error="boom")
        client.force_login(coordinator)
        back = f"{OUTBOX}?status=failed"
        response = client.post(f"{OUTBOX}{message.pk}/resend/", {"next": back})
        assert response.status_code == 302
        assert response["Location"] == back
        message.refresh_from_db()
        assert (message.status, message.last_error) == (Status.PENDING, "")

    def test_resend_of_a_pending_message_says_why_not(self, client, coordinator) -> None:
        message = enqueue(make_user(), "a:1")
        client.force_login(coordinator)
        response = client.post(
            f"{OUTBOX}{message.pk}/resend/", {"next": "https://evil.example/"}, follow=True
        )
        assert response.redirect_chain == [(OUTBOX, 302)]
        assert (
            "only failed, cancelled or sent messages can be sent again" in response.content.decode()
        )

    def test_resend_needs_post_and_a_coordinator(self, client, coordinator, volunteer) -> None:
        message = enqueue(make_user(), "a:1")
        client.force_login(volunteer)
        assert client.post(f"{OUTBOX}{message.pk}/resend/").status_code == 403
        client.force_login(coordinator)
        assert client.get(f"{OUTBOX}{message.pk}/resend/").status_code == 405
        assert client.post(f"{OUTBOX}999999/resend/").status_code == 404


@pytest.mark.django_db
class TestPreferences:
    URL = "/notifications/preferences/"

    def test_needs_login(self, client) -> None:
        assert client.get(self.URL).status_code == 302

    def test_saves_choices(self, client, volunteer) -> None:
        client.force_login(volunteer)
        assert client.get(self.URL).status_code == 200
        response = client.post(self.URL, {"email_enabled": "on", "non_essential_opt_out": "on"})
        assert response.status_code == 302
        preference = NotificationPreference.objects.get(user=volunteer)
        assert (
            preference.email_enabled,
            preference.sms_enabled,
            preference.non_essential_opt_out,
        ) == (True, False, True)

    def test_sms_without_a_phone_number_is_a_form_error(self, client, volunteer) -> None:
        client.force_login(volunteer)
        response = client.post(self.URL, {"sms_enabled": "on"})
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "sms_enabled": ["Add a phone number to your account first, then turn on text messages."]
        }
        assert NotificationPreference.objects.get(user=volunteer).sms_enabled is False


@pytest.mark.django_db
class TestUnsubscribe:
    def test_get_shows_a_confirmation_and_changes_nothing(self, client) -> None:
        preference = preferences_for(make_user())
        response = client.get(f"/notifications/unsubscribe/{preference.unsubscribe_token}/")
        assert response.status_code == 200
        assert b'<form method="post">' in response.content
        preference.refresh_from_db()
        assert preference.non_essential_opt_out is False

    def test_one_click_post_without_csrf_unsubscribes(self) -> None:
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        preference = preferences_for(make_user())
        response = client.post(
            f"/notifications/unsubscribe/{preference.unsubscribe_token}/",
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        preference.refresh_from_db()
        assert preference.non_essential_opt_out is True
        # Pending non-essential messages are then cancelled when they fall due.

    def test_unknown_token_is_404(self, client) -> None:
        assert client.get("/notifications/unsubscribe/nope/").status_code == 404
        assert client.post("/notifications/unsubscribe/nope/").status_code == 404
