"""PostgreSQL: the sweep's SQL uses the due-time index, and two sweeps never share a row."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications.models import Channel, Message, Status
from notifications.services.sending import (
    due_messages,
    reclaim_stale_messages,
    reserve_due_messages,
)

pytestmark = pytest.mark.postgres


def make_rows(count: int, *, status: str = Status.PENDING, offset: int = 0) -> None:
    user = User.objects.create(email=f"rows{offset}@example.org")
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            recipient=user,
            channel=Channel.EMAIL,
            kind="test.message",
            dedupe_key=f"rows:{offset + i}",
            status=status,
            scheduled_for=now - timedelta(minutes=i % 500),
        )
        for i in range(count)
    )


@pytest.mark.django_db
def test_the_sweep_query_uses_the_partial_index_on_the_due_time() -> None:
    make_rows(3000, status=Status.SENT)
    make_rows(50, offset=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_message")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        query = due_messages(now=timezone.now(), limit=500)
        plan = query.explain()
    # The partial index (scheduled_for WHERE pending) or the (status, scheduled_for) one:
    # either way the due time is an index condition, never a filter over the whole table.
    assert "outbox_pending_due_idx" in plan or "outbox_status_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
    index_condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "scheduled_for <=" in index_condition, plan


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_instant_reserve_disjoint_rows() -> None:
    make_rows(400)
    barrier = threading.Barrier(2)
    reserved: list[list[int]] = []

    def sweep() -> None:
        try:
            barrier.wait()
            _reservation, ids = reserve_due_messages(limit=300)
            reserved.append(ids)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = reserved
    assert set(first).isdisjoint(second)
    assert len(first) + len(second) == 400
    assert Message.objects.filter(status=Status.SENDING).count() == 400
    assert Message.objects.values("claimed_by").distinct().count() == 2


@pytest.mark.django_db
def test_taking_back_stale_claims_reads_only_the_stale_rows() -> None:
    """The sweep's reclaim runs every sweep: an index range on claimed_at, not a scan of
    every row in 'sending' (thousands while a big batch of reminders goes out)."""
    make_rows(3000, status=Status.SENDING)
    Message.objects.update(claimed_at=timezone.now(), claimed_by="sweep:x")
    make_rows(3000, status=Status.SENT, offset=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_message")
    with CaptureQueriesContext(connection) as queries:
        assert reclaim_stale_messages() == 0
    reads = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    assert len(reads) == 1  # the claims of expired leases, then UPDATEs with the same filter
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + reads[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "outbox_sending_claimed_idx" in plan, plan
    index_condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "claimed_at <" in index_condition, plan
