"""What became of each message of a batch, written as soon as it is known, never dropped.

A message the provider accepted is recorded as sent right after its send, in a commit of
its own, so a worker that dies repeats at most the message it was handing over at that
instant. When the database cannot be reached the outcome stays in the worker, which tries
again with backoff (NOTIFICATIONS_OUTCOME_RETRY_MAX_SECONDS) and sends nothing more until it
is written. A worker that must stop first (its task's time limit, or a shutdown) writes what
is left to a journal file (NOTIFICATIONS_JOURNAL_DIR); the next send task on the host, or the
next worker start, replays it.

Each write applies only where the run's claim still holds the row, except that a sent
message is also recorded when its row went back to pending meanwhile and nobody took it
again (the row keeps the claim's name): the message went, and must not go twice.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, Field, TextField, Value, When
from django.utils import timezone

from notifications import conf
from notifications.models import Message, Status
from notifications.services.prepared import PreparedStatement
from notifications.services.unreachable import DATABASE_UNREACHABLE, backoff, drop_connection

logger = logging.getLogger(__name__)

V = TypeVar("V")

SENT, CANCELLED, FAILED, RETRY = "sent", "cancelled", "failed", "retry"


@dataclass(frozen=True)
class Outcome:
    message_id: int
    claim: str
    result: str  # SENT, CANCELLED, FAILED or RETRY
    at: datetime  # when it was sent, or when to try again
    error: str = ""


def _per_row(values: dict[int, V], output_field: Field[Any, Any]) -> V | Case:
    """One value for every row when they agree, else a CASE on the row id."""
    distinct = set(values.values())
    if len(distinct) == 1:
        return distinct.pop()
    return Case(
        *(When(pk=pk, then=Value(value)) for pk, value in values.items()),
        output_field=output_field,
    )


def _write_claim(claim: str, outcomes: list[Outcome]) -> int:
    by_result: dict[str, dict[int, Outcome]] = {}
    for outcome in outcomes:
        by_result.setdefault(outcome.result, {})[outcome.message_id] = outcome
    mine = Message.objects.filter(claimed_by=claim)
    held = mine.filter(status=Status.SENDING)
    done = 0
    if sent := by_result.get(SENT):
        done += mine.filter(pk__in=sent, status__in=(Status.SENDING, Status.PENDING)).update(
            status=Status.SENT,
            sent_at=_per_row({pk: o.at for pk, o in sent.items()}, DateTimeField()),
            last_error="",
        )
    for result, status in ((CANCELLED, Status.CANCELLED), (FAILED, Status.FAILED)):
        if rows := by_result.get(result):
            done += held.filter(pk__in=rows).update(
                status=status,
                last_error=_per_row({pk: o.error for pk, o in rows.items()}, TextField()),
            )
    if retry := by_result.get(RETRY):
        done += held.filter(pk__in=retry).update(
            status=Status.PENDING,
            claimed_at=None,
            claimed_by="",
            last_error=_per_row({pk: o.error for pk, o in retry.items()}, TextField()),
            scheduled_for=_per_row({pk: o.at for pk, o in retry.items()}, DateTimeField()),
        )
    return done


# The one statement of every send (what _write_claim does for one sent row), written out:
# building it with the ORM cost five times the database's own time under load. On
# PostgreSQL it is a prepared statement of the worker's session (services.prepared).
_TABLE = Message._meta.db_table
# No input in it: the table and the statuses are ours, the values are parameters.
_SENT_ONE = (
    f"UPDATE {_TABLE} SET status = '{Status.SENT.value}', sent_at = %s, last_error = '' "  # noqa: S608
    f"WHERE id = %s AND claimed_by = %s "
    f"AND status IN ('{Status.SENDING.value}', '{Status.PENDING.value}')"
)
_SENT_ONE_PREPARED = PreparedStatement("outbox_sent_one", _SENT_ONE % ("$1", "$2", "$3"))


def _shown(sql: str, params: Sequence[Any]) -> str:
    try:
        return str(cast(Any, connection.ops).compose_sql(sql, params))  # PostgreSQL's
    except Exception:  # only for the log: the statement itself is not at stake
        return sql


def _write_one_sent(outcome: Outcome) -> int:
    params: list[Any] = [outcome.at, outcome.message_id, outcome.claim]
    if connection.vendor == "postgresql" and settings.NOTIFICATIONS_PREPARED_OUTCOMES:
        # As text, read by the server as its columns' types (the same statement whatever
        # the id's size).
        return _SENT_ONE_PREPARED.execute(
            [outcome.at.isoformat(), str(outcome.message_id), outcome.claim],
            shown=lambda: _shown(_SENT_ONE, params),
        )
    with connection.cursor() as cursor:
        cursor.execute(_SENT_ONE, params)
        return int(cursor.rowcount)


def write_outcomes(outcomes: Sequence[Outcome], *, relaxed: bool = False) -> int:
    """Write ``outcomes`` in one transaction; how many rows took them.

    The commit does not wait for PostgreSQL to flush its log to disk (synchronous_commit
    off): the outcome is committed and seen by every other session at once, survives the
    worker's death, a connection cut and a clean restart of PostgreSQL (which flushes
    first); only a crash of PostgreSQL itself could lose the last fraction of a second of
    outcomes (three wal_writer_delay at most). Waiting for the flush after every message
    made sending two to three times slower where the disk is busy.

    ``relaxed``: the session already has synchronous_commit off (``RelaxedCommits``), so
    outcomes that make one UPDATE (one message sent: the case of every send) are written
    by that statement alone, committed on its own: one round trip instead of four
    (BEGIN, SET LOCAL, UPDATE, COMMIT).
    """
    by_claim: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_claim.setdefault(outcome.claim, []).append(outcome)
    if relaxed and len(by_claim) == 1 and len({outcome.result for outcome in outcomes}) == 1:
        ((claim, group),) = by_claim.items()
        if len(group) == 1 and group[0].result == SENT:
            return _write_one_sent(group[0])
        return _write_claim(claim, group)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return sum(_write_claim(claim, group) for claim, group in by_claim.items())


class RelaxedCommits:
    """synchronous_commit off for this connection's session while a batch is sent (see
    ``write_outcomes``), and back to the server's setting after. Active only while the
    connection it was set on is still the one in use: a connection dropped in an outage
    comes back with the server's setting, and writes then take the transaction path."""

    def __init__(self) -> None:
        self._raw: object | None = None

    @property
    def active(self) -> bool:
        return self._raw is not None and connection.connection is self._raw

    def __enter__(self) -> RelaxedCommits:
        if connection.vendor == "postgresql":
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SET synchronous_commit TO OFF")
                self._raw = connection.connection
            except DATABASE_UNREACHABLE:
                drop_connection()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.active:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")
            except DATABASE_UNREACHABLE:
                drop_connection()
        self._raw = None


class Recorder:
    """The outcomes of one run: each written at once, kept while they cannot be."""

    def __init__(self, claim: str, relaxed: RelaxedCommits | None = None) -> None:
        self.claim = claim
        self.relaxed = relaxed
        self.results: dict[int, str] = {}
        self.unwritten: list[Outcome] = []

    def add(self, message: Message, result: str, *, error: str = "") -> None:
        """Note an outcome (written by the next ``write``). A failure is retried with
        backoff until the attempts are used up (RETRY), unless it is final (FAILED)."""
        now = timezone.now()
        at = now
        if result == RETRY and message.attempts >= conf.max_attempts():
            result = FAILED
        if result == RETRY:
            at = now + conf.retry_delay(message.attempts)
            logger.warning(
                "Outbox message %s (%s) will be retried: %s", message.pk, message.kind, error
            )
        elif result == FAILED:
            logger.error("Outbox message %s (%s) failed: %s", message.pk, message.kind, error)
        self.results[message.pk] = result
        self.unwritten.append(Outcome(message.pk, self.claim, result, at, error[:2000]))

    def try_write(self) -> bool:
        """Write what is unwritten; False (and kept) when the database cannot be reached."""
        if not self.unwritten:
            return True
        try:
            done = write_outcomes(
                self.unwritten, relaxed=self.relaxed is not None and self.relaxed.active
            )
        except DATABASE_UNREACHABLE:
            drop_connection()
            return False
        if done < len(self.unwritten):
            logger.warning(
                "Outbox: claim %s was lost on %d of %d rows before they finished.",
                self.claim,
                len(self.unwritten) - done,
                len(self.unwritten),
            )
        self.unwritten = []
        return True

    def write(self) -> None:
        """Write what is unwritten, waiting with backoff while the database is unreachable
        (until it returns, or the task's time limit or the worker's stop interrupts)."""
        waited = False
        for delay in backoff():
            if self.try_write():
                break
            if not waited:
                waited = True
                logger.warning(
                    "Outbox: the database cannot be reached; %d outcomes of %s kept, retrying.",
                    len(self.unwritten),
                    self.claim,
                )
            time.sleep(delay)
        if waited:
            logger.warning(
                "Outbox: the database is back; the outcomes of %s are written.", self.claim
            )

    def journal(self) -> None:
        """Keep what could not be written in a journal file, for a later replay."""
        if not self.unwritten:
            return
        folder = conf.journal_dir()
        folder.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        partial = folder / f"{name}.partial"
        rows = [{**asdict(o), "at": o.at.isoformat()} for o in self.unwritten]
        partial.write_text(json.dumps(rows), encoding="utf-8")
        partial.rename(folder / f"{name}.json")
        logger.warning("Outbox: %d outcomes journalled in %s.", len(rows), folder / f"{name}.json")
        self.unwritten = []


def replay_journal() -> int:
    """Write the outcomes journalled on this host; how many. Stops at the first database
    error (the files stay). Replaying a file twice does no harm: every write is conditional."""
    try:
        paths = sorted(conf.journal_dir().glob("*.json"))
    except OSError:
        return 0
    replayed = 0
    for path in paths:
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue  # another process replayed it
        outcomes = [Outcome(**{**row, "at": datetime.fromisoformat(row["at"])}) for row in rows]
        try:
            write_outcomes(outcomes)
        except DATABASE_UNREACHABLE:
            drop_connection()
            return replayed
        path.unlink(missing_ok=True)
        replayed += len(outcomes)
    if replayed:
        logger.warning("Outbox: replayed %d journalled outcomes.", replayed)
    return replayed
