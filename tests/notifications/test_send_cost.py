"""What sending a batch costs, counted rather than timed (issue 20, acceptance 4: the sweep
no slower than before each outcome was written right after its send): the outcome of each
message sent is one prepared statement of the worker's session, and what is the same for
every message of a batch is worked out once for the batch."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Message, NotificationPreference, Status
from notifications.services import deliver_messages, enqueue_message, rendering
from tests.factories import make_users
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.outbox import Published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _broker(published: Published) -> None:
    """No test here reaches a real broker."""


def queue(count: int, prefix: str) -> list[int]:
    ids = []
    for user in make_users(count):
        message = enqueue_message(
            recipient=user,
            kind="test.message",
            dedupe_key=f"{prefix}:{user.pk}",
            context=SAMPLE_CONTEXTS["test.message"],
        )
        assert message is not None
        ids.append(message.pk)
    return ids


def _sent_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements "
            "WHERE statement LIKE 'UPDATE notifications_message SET status = ''sent''%%'"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
def test_each_sent_outcome_is_one_prepared_statement_of_the_session() -> None:
    """Parsed and planned once per session, whatever the batch's size; psycopg prepares
    nothing else (Django's setting, prepare_threshold None, is left as it is: the statement
    is prepared through libpq, services.prepared)."""
    connection.ensure_connection()
    assert connection.connection is not None
    threshold = connection.connection.prepare_threshold

    def batch(count: int) -> tuple[int, list[str]]:
        mail.outbox.clear()
        ids = queue(count, prefix=f"n{count}")
        with CaptureQueriesContext(connection) as queries:
            assert deliver_messages(message_ids=ids) == dict.fromkeys(ids, "sent")
        assert len(mail.outbox) == count
        assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
            Status.SENT
        }
        writes = [q["sql"] for q in queries if q["sql"].startswith("UPDATE notifications_")]
        assert len(writes) == count  # one per message, logged with its values
        assert all(f"WHERE id = {pk} " in sql for pk, sql in zip(ids, writes, strict=True))
        return len(queries), _sent_statements()

    small, prepared_small = batch(3)
    large, prepared_large = batch(40)
    assert large - small == 37  # nothing else grows with the batch
    assert len(prepared_small) == 1
    assert prepared_large == prepared_small  # the same statement, prepared once
    assert "$1" in prepared_small[0]  # values bound by the server, not written in
    assert connection.connection.prepare_threshold == threshold
    with connection.cursor() as cursor:  # Django's own statements are not prepared
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 1


@pytest.mark.postgres
@override_settings(NOTIFICATIONS_PREPARED_OUTCOMES=False)
def test_behind_a_pooler_the_outcomes_are_plain_statements() -> None:
    ids = queue(3, prefix="pool")
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert deliver_messages(message_ids=ids) == dict.fromkeys(ids, "sent")
    assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT}
    assert _sent_statements() == []


def test_the_unsubscribe_address_is_reversed_once_per_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It was reversed twice per message (the footer and the List-Unsubscribe header); now
    once per batch, with each person's token put in its place: the same address."""
    reversed_names: list[str] = []
    original = reverse

    def counted(name: str, *args: Any, **kwargs: Any) -> str:
        reversed_names.append(name)
        return original(name, *args, **kwargs)

    monkeypatch.setattr("notifications.services.rendering.reverse", counted)

    def batch(count: int) -> int:
        mail.outbox.clear()
        reversed_names.clear()
        ids = queue(count, prefix=f"u{count}")
        assert deliver_messages(message_ids=ids) == dict.fromkeys(ids, "sent")
        tokens = dict(
            NotificationPreference.objects.values_list("user__email", "unsubscribe_token")
        )
        for email in mail.outbox:
            token = tokens[email.to[0]]
            expected = settings.SITE_URL + reverse(
                "notifications:unsubscribe", kwargs={"token": token}
            )
            assert email.extra_headers["List-Unsubscribe"] == f"<{expected}>"
            assert expected in email.body
        assert len(mail.outbox) == count
        return reversed_names.count("notifications:unsubscribe")

    assert batch(2) == batch(25) == 1


def test_an_unusual_token_still_gets_its_own_address() -> None:
    """A token with characters an address escapes (none made by the app has them) is
    reversed on its own rather than put in place as it is."""
    user = make_users(1)[0]
    preference = NotificationPreference.objects.create(user=user, unsubscribe_token="a b+c")
    renderer = rendering.Renderer()
    assert renderer.unsubscribe_url(preference) == rendering.unsubscribe_url(preference)
    assert "a%20b" in renderer.unsubscribe_url(preference)
