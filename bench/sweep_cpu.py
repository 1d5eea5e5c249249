"""What sending a reminder costs, in process: CPU and queries per message of the sweep's batches.

``python -m bench.sweep_cpu`` works in the database and Redis ``bench.run`` would use
(BENCH_DB_NAME, default ngo_bench_small, seeded by ``python -m bench.run --scale small``;
BENCH_DATABASE_URL; BENCH_REDIS_URL) with the bench's settings (DEBUG off). It queues
``--messages`` shift reminders as the sweep section does, then sends them as a worker's tasks
would, ``--batch`` at a time (reserve, then ``deliver_messages``, e-mail kept in memory),
after one batch to warm up. Per message it reports the worker's CPU (``os.times``: user and
system), the CPU of its PostgreSQL backend (read from /proc when the server runs on this
machine), the wall time and the queries: the median of ``--rounds`` runs. CPU, unlike the
harness's messages per second, moves little when other work shares the machine, so it
compares two commits on a busy machine (run them in turn, not at once). It deletes the
reminders it queued. ``--profile N``: the N functions of most CPU in ``deliver_messages``.
"""

# ruff: noqa: T201 (a command's report)

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any


def _backend_cpu_s(pid: int) -> float | None:
    """User + system CPU of a local process, in seconds (None: not readable here)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Counter:
    """Counts this connection's statements, at a fraction of CaptureQueriesContext's cost
    (which formats every statement: an overhead per query that would favour fewer queries)."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)


def measure(messages: int, batch: int, rounds: int, profiler: Any = None) -> dict[str, Any]:
    from django.core import mail
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from bench.run import insert_reminders
    from notifications.models import Message, Status
    from notifications.services import deliver_messages
    from notifications.services.sending import reserve_due_messages

    runs = []
    for _round in range(rounds):
        Message.objects.filter(kind="shift.reminder").delete()
        made = insert_reminders(messages + batch)
        if made < messages + batch:
            raise SystemExit(f"only {made} places to remind; seed a larger scale")
        Message.objects.filter(kind="shift.reminder").update(scheduled_for=timezone.now())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = int(cursor.fetchone()[0])
        user = system = wall = 0.0
        server: float | None = 0.0
        queries = sent = 0
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for index in range(messages // batch + 1):
                reservation, ids = reserve_due_messages(limit=batch)
                mail.outbox = []
                server_before = _backend_cpu_s(backend)
                times_before, wall_before = os.times(), time.perf_counter()
                counted = _Counter()
                with connection.execute_wrapper(counted):
                    if profiler is not None and index:
                        profiler.enable()
                    results = deliver_messages(message_ids=ids, reservation=reservation)
                    if profiler is not None:
                        profiler.disable()
                times_after, wall_after = os.times(), time.perf_counter()
                server_after = _backend_cpu_s(backend)
                if index == 0:
                    continue  # the warm-up batch: templates, translations, connections
                user += times_after.user - times_before.user
                system += times_after.system - times_before.system
                wall += wall_after - wall_before
                if server is not None and server_before is not None and server_after is not None:
                    server += server_after - server_before
                else:
                    server = None
                queries += counted.queries
                sent += sum(1 for result in results.values() if result == "sent")
        assert sent == messages, f"{sent} of {messages} sent"
        assert Message.objects.filter(kind="shift.reminder", status=Status.SENT).count() == (
            messages + batch
        )
        runs.append(
            {
                "worker_cpu_ms_per_message": (user + system) * 1000 / messages,
                "worker_user_ms_per_message": user * 1000 / messages,
                "worker_system_ms_per_message": system * 1000 / messages,
                "backend_cpu_ms_per_message": None if server is None else server * 1000 / messages,
                "wall_ms_per_message": wall * 1000 / messages,
                "queries_per_message": queries / messages,
            }
        )
    Message.objects.filter(kind="shift.reminder").delete()

    def median(key: str) -> float | None:
        values: list[float] = [v for run in runs if (v := run[key]) is not None]
        return round(statistics.median(values), 3) if values else None

    return {
        "messages": messages,
        "batch": batch,
        "rounds": rounds,
        **{key: median(key) for key in runs[0]},
        "runs": [
            {key: None if v is None else round(v, 3) for key, v in run.items()} for run in runs
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        help="print the N functions of most own CPU time (cProfile) in deliver_messages",
    )
    args = parser.parse_args()
    from bench.run import DEFAULT_PG, DEFAULT_REDIS, bench_env, with_db

    name = os.environ.get("BENCH_DB_NAME") or "ngo_bench_small"
    db_url = with_db(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG), name)
    os.environ.update(bench_env(db_url, os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)))
    import django

    django.setup()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)  # CPU, not the waits
        measure(args.messages, args.batch, 1, profiler)
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
        return
    print(json.dumps(measure(args.messages, args.batch, args.rounds), indent=2))


if __name__ == "__main__":
    main()
