"""The outcome of a message sent, run as a prepared statement through libpq
(notifications.services.prepared): written outside and inside a transaction, prepared
again after a pooler dropped it, and a lost connection is DATABASE_UNREACHABLE."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications.models import Channel, Message, Status
from notifications.services.outcomes import SENT, Outcome, write_outcomes
from notifications.services.unreachable import DATABASE_UNREACHABLE

pytestmark = pytest.mark.postgres

CLAIM = "run:prepared-test"


def sending_rows(count: int) -> list[int]:
    user = User.objects.create(email="prepared@example.org")
    rows = Message.objects.bulk_create(
        Message(
            recipient=user,
            channel=Channel.EMAIL,
            kind="test.message",
            dedupe_key=f"prepared:{i}",
            status=Status.SENDING,
            claimed_by=CLAIM,
        )
        for i in range(count)
    )
    return [row.pk for row in rows]


def write_sent(pk: int, claim: str = CLAIM) -> int:
    return write_outcomes([Outcome(pk, claim, SENT, timezone.now())], relaxed=True)


def statuses(ids: list[int]) -> list[str]:
    return [Message.objects.get(pk=pk).status for pk in ids]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_write_commits_and_survives_a_deallocate() -> None:
    ids = sending_rows(4)
    assert write_sent(ids[0]) == 1
    assert write_sent(ids[1], claim="run:someone-else") == 0  # not ours: not written
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a pooler resetting the session does
    assert write_sent(ids[2]) == 1
    assert write_sent(ids[2]) == 0  # already sent
    with connections["default"].cursor() as cursor:  # committed: no transaction was open
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 1
    assert statuses(ids) == [Status.SENT, Status.SENDING, Status.SENT, Status.SENDING]


@pytest.mark.django_db
def test_an_execute_wrapper_sees_it_as_any_statement() -> None:
    ids = sending_rows(1)
    seen: list[tuple[str, object, bool]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params, context["connection"] is connections["default"]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert write_sent(ids[0]) == 1
    assert len(seen) == 1
    sql, params, same_connection = seen[0]
    assert sql.startswith("UPDATE notifications_message SET status = 'sent', sent_at = $1")
    assert isinstance(params, list) and params[1:] == [str(ids[0]), CLAIM]
    assert same_connection
    assert statuses(ids) == [Status.SENT]


@pytest.mark.django_db
def test_in_a_transaction_a_dropped_statement_does_not_abort_it() -> None:
    ids = sending_rows(2)
    assert write_sent(ids[0]) == 1
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        assert write_sent(ids[1]) == 1
        assert Message.objects.filter(pk__in=ids, status=Status.SENT).count() == 2


@pytest.mark.django_db(transaction=True)
def test_as_the_first_statement_of_a_transaction_it_is_rolled_back_with_it() -> None:
    ids = sending_rows(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert write_sent(ids[0]) == 1
        assert statuses(ids) == [Status.SENT]
        raise RuntimeError("rolled back")
    assert statuses(ids) == [Status.SENDING]


@pytest.mark.django_db
def test_a_wrapper_sees_it_while_queries_are_counted() -> None:
    ids = sending_rows(1)
    seen: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(wrapper):
        assert write_sent(ids[0]) == 1
    assert len(seen) == 1 and seen[0].startswith("UPDATE notifications_message")
    assert len(queries) == 1 and str(ids[0]) in queries[0]["sql"]


@pytest.mark.django_db(transaction=True)
def test_a_lost_connection_is_database_unreachable() -> None:
    ids = sending_rows(1)
    assert write_sent(ids[0]) == 1  # prepared in this session
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    Message.objects.filter(pk=ids[0]).update(status=Status.SENDING)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    with pytest.raises(DATABASE_UNREACHABLE):
        write_sent(ids[0])
    connection.close()
    assert write_sent(ids[0]) == 1  # a new session prepares it again
    assert statuses(ids) == [Status.SENT]
