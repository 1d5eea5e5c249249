"""One statement prepared once per database session and run through libpq itself.

The outcome of every message sent is one small UPDATE (services.outcomes). Django's
cursors bind parameters on the client, so the server would parse and plan it anew each
time; psycopg can prepare it, but its cursor machinery (a cursor, the prepared-statement
cache, binary dumpers, a non-blocking wait with its own system calls) cost the worker
five to ten times the time libpq needs to run a statement it already knows. Here the
statement is prepared by name once per session and then run with ``PQexecPrepared``, its
values sent as text for the server to read as its columns' types.

A prepared statement outlives a rolled-back transaction; one dropped meanwhile (a
pooler's ``DEALLOCATE ALL`` or ``DISCARD ALL``) is prepared again and run again (within a
savepoint when a transaction is open, so that the first try does not abort it). Errors are
Django's (``wrap_database_errors``: a lost connection is DATABASE_UNREACHABLE). The
statement is counted and logged as any query whenever someone listens (query logging,
CaptureQueriesContext, an execute wrapper).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Sequence
from typing import Any, cast

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper
from psycopg import pq
from psycopg.errors import error_from_result

# SQLSTATE invalid_sql_statement_name: no prepared statement of that name in the session.
_NOT_PREPARED = b"26000"


class PreparedStatement:
    """``sql`` with ``$1``, ``$2``... for its values, prepared as ``name`` per session."""

    def __init__(self, name: str, sql: str) -> None:
        self.name = name.encode()
        self.sql = sql
        # The sessions (psycopg connections) where it is prepared: a new connection,
        # after an outage or a restart, prepares it again.
        self._sessions: weakref.WeakSet[psycopg.Connection[Any]] = weakref.WeakSet()

    def execute(self, params: Sequence[str], *, shown: Callable[[], str]) -> int:
        """Run it on the default database's connection: how many rows it changed.
        ``shown``: the statement with its values in place, for the query log."""
        db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: ``connection`` is a proxy
        with db.wrap_database_errors:
            db.ensure_connection()
        raw = cast("psycopg.Connection[Any]", db.connection)
        values = [value.encode() for value in params]
        if not (db.queries_logged or db.execute_wrappers):
            return self._run(db, raw, values)
        # Seen as any statement: by the execute wrappers, then logged (as Django's cursor).
        run: Any = functools.partial(self._wrapped, db, raw, values)
        with db.cursor() as cursor:
            context = {"connection": db, "cursor": cursor}
            for wrapper in reversed(db.execute_wrappers):
                run = functools.partial(wrapper, run)
            if db.queries_logged:
                with CursorDebugWrapper(cast(Any, None), db).debug_sql(shown()):
                    return int(run(self.sql, params, False, context))
            return int(run(self.sql, params, False, context))

    def _wrapped(
        self, db: Any, raw: psycopg.Connection[Any], values: list[bytes], *_args: Any, **_kw: Any
    ) -> int:
        return self._run(db, raw, values)

    def _run(self, db: Any, raw: psycopg.Connection[Any], values: list[bytes]) -> int:
        db.validate_no_broken_transaction()
        pgconn = raw.pgconn
        # In a transaction, a statement dropped meanwhile would abort it: try within a
        # savepoint (never the case of a worker, whose writes commit on their own).
        savepoint = not raw.autocommit
        with db.wrap_database_errors:
            if savepoint and pgconn.transaction_status == pq.TransactionStatus.IDLE:
                # psycopg opens the transaction of ``atomic()`` with the next statement it
                # runs itself (with the session's isolation level); libpq would not, and
                # this write would commit alone and outlive a rollback.
                raw.execute("SELECT 1")
            if raw not in self._sessions:
                self._prepare(raw)
            if savepoint:
                _command(raw, b"SAVEPOINT " + self.name)
            result = pgconn.exec_prepared(self.name, values)
            if (
                result.status == pq.ExecStatus.FATAL_ERROR
                and result.error_field(pq.DiagnosticField.SQLSTATE) == _NOT_PREPARED
            ):
                if savepoint:
                    _command(raw, b"ROLLBACK TO SAVEPOINT " + self.name)
                self._sessions.discard(raw)
                self._prepare(raw)
                result = pgconn.exec_prepared(self.name, values)
            if result.status != pq.ExecStatus.COMMAND_OK:
                _raise(raw, result)
            if savepoint:
                _command(raw, b"RELEASE SAVEPOINT " + self.name)
        return int(result.command_tuples or 0)

    def _prepare(self, raw: psycopg.Connection[Any]) -> None:
        result = raw.pgconn.prepare(self.name, self.sql.encode())
        if result.status != pq.ExecStatus.COMMAND_OK:
            _raise(raw, result)
        self._sessions.add(raw)


def _command(raw: psycopg.Connection[Any], sql: bytes) -> None:
    result = raw.pgconn.exec_(sql)
    if result.status != pq.ExecStatus.COMMAND_OK:
        _raise(raw, result)


def _raise(raw: psycopg.Connection[Any], result: pq.abc.PGresult) -> None:
    if raw.pgconn.status == pq.ConnStatus.BAD:  # the connection is lost
        message = raw.pgconn.get_error_message() or "the connection to the server was lost"
        raise psycopg.OperationalError(message)
    raise error_from_result(result, encoding=raw.info.encoding)
