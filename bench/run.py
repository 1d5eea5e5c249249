"""``make bench`` (``python -m bench.run --scale default|small``): measure, then write the report.

Runs against its own PostgreSQL database (``ngo_bench`` or ``ngo_bench_small``, created,
migrated and seeded when it is not seeded for that scale) and Redis database 13 (by
default), never the development data. Sections: pages (through gunicorn, with the SQL
floor and the admin changelist as baselines), webhooks, the signup race, the reminder sweep
(with redis-benchmark and pgbench as baselines) and year-end statements. Every figure comes
from this run; ``bench/report.md`` and ``bench/report.json`` are written at the end.
"""

# ruff: noqa: S105, S311, S603, T201 (fixed local commands, test-only secrets, progress prints)

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "bench" / "out"
BIN = Path(sys.executable).parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
WEBHOOK_SECRET = "whsec_bench_only"
SECRET_KEY = "bench-only-secret-key-not-for-production-use-0123456789abcdef"

# Targets from the issue.
PAGE_P95_MS = 150.0
PAGE_FLOOR_RATIO = 3.0
SWEEP_SECONDS = 120.0
WEBHOOK_EVENTS_PER_S = 300.0
RACE_PLACES = 20
RACE_CLIENTS = 200
RACE_P95_MS = 500.0


SCALE_SETTINGS: dict[str, dict[str, Any]] = {
    "default": {
        "db": "ngo_bench",
        "requests": 200,
        "throughput_requests": 400,
        "admin_requests": 200,
        "reminders": 100_000,
        "webhooks": 2_000,
        # Stop waiting after this long and report the rate so far (marked incomplete).
        "sweep_timeout": 180,
        "statement_timeout": 180,
        "pgbench_seconds": 10,
    },
    "small": {
        "db": "ngo_bench_small",
        "requests": 200,
        "throughput_requests": 200,
        "admin_requests": 100,
        "reminders": 500,
        "webhooks": 200,
        "sweep_timeout": 120,
        "statement_timeout": 120,
        "pgbench_seconds": 3,
    },
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def rounded(value: float, digits: int = 1) -> float:
    return round(value, digits)


# ------------------------------------------------------------------------ environment


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def check_services(pg_url: str, redis_url: str) -> None:
    """Refuse to start, clearly, when PostgreSQL or Redis does not answer."""
    import psycopg
    import redis

    try:
        psycopg.connect(with_db(pg_url, "postgres"), connect_timeout=3).close()
    except psycopg.Error as exc:
        sys.exit(
            f"bench: PostgreSQL does not answer at {pg_url} ({exc}). "
            "Start it, or set BENCH_DATABASE_URL."
        )
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        sys.exit(
            f"bench: Redis does not answer at {redis_url} ({exc}). "
            "Start it, or set BENCH_REDIS_URL."
        )


def db_comment(pg_url: str, name: str) -> str | None:
    """The bench's mark on the database (None: no such database)."""
    import psycopg

    with psycopg.connect(with_db(pg_url, "postgres"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is None:
        return None
    return str(row[0] or "")


def bench_env(db_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_READ_DOT_ENV="false",
        DJANGO_ENV="development",
        DEBUG="false",
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        CACHE_URL=redis_url,  # the cache stays in the bench's own Redis database
        CACHE_KEY_PREFIX="ngobench",
        CELERY_BROKER_URL=redis_url,
        CELERY_RESULT_BACKEND=redis_url,
        VAR_DIR=str(OUT_DIR / "var"),
        SECRET_KEY=SECRET_KEY,
        STRIPE_SECRET_KEY="",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="60",
        PYTHONUNBUFFERED="1",
    )
    env.pop("EMAIL_URL", None)
    return env


def ensure_seeded(pg_url: str, name: str, scale: str, env: dict[str, str]) -> dict[str, Any]:
    """Create, migrate and seed the scale's database unless it is seeded; what was done."""
    import psycopg

    mark = f"bench-seeded:{scale}"
    comment = db_comment(pg_url, name)
    done: dict[str, Any] = {"database": name, "seeded_in_this_run": False}
    if comment is None:
        with psycopg.connect(with_db(pg_url, "postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    log(f"migrate {name}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    if comment != mark:
        if comment is not None and comment:
            raise SystemExit(
                f"bench: database {name} is marked {comment!r}, not {mark!r}; drop it."
            )
        log(f"seed_scale --scale {scale} into {name}")
        started = time.monotonic()
        output = subprocess.run(
            [sys.executable, "manage.py", "seed_scale", "--scale", scale],
            cwd=BASE_DIR,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        done.update(seeded_in_this_run=True, seed_seconds=rounded(time.monotonic() - started))
        done["seed_output"] = output.strip().splitlines()[-1] if output.strip() else ""
        log(done["seed_output"])
        with psycopg.connect(with_db(pg_url, "postgres"), autocommit=True) as conn:
            conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{mark}'")
    return done


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(
    args: list[str], env: dict[str, str], log_name: str
) -> Iterator[subprocess.Popen[bytes]]:
    """A child process (its own process group), stopped at the end by its id."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with (OUT_DIR / log_name).open("wb") as out:
        child = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield child
        finally:
            with suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def wait_for_http(port: int, timeout: float = 30) -> None:
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout} s")


def load(port: int, jobs: list[dict[str, Any]], env: dict[str, str]) -> list[dict[str, Any]]:
    """Run jobs in the load generator, a process of its own."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        cwd=BASE_DIR,
        env=env,
        input=json.dumps({"host": "127.0.0.1", "port": port, "jobs": jobs}),
        capture_output=True,
        text=True,
        check=True,
    )
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def summary(result: dict[str, Any]) -> dict[str, Any]:
    lat = result["latencies_ms"]
    return {
        "requests": result["requests"],
        "concurrency": result["concurrency"],
        "p50_ms": rounded(percentile(lat, 50)),
        "p95_ms": rounded(percentile(lat, 95)),
        "max_ms": rounded(max(lat) if lat else float("nan")),
        "per_s": rounded(result["requests"] / result["wall_s"]) if result["wall_s"] else 0.0,
        "statuses": result["statuses"],
        "wall_s": rounded(result["wall_s"], 2),
    }


# ------------------------------------------------------------------------ the run


class Bench:
    def __init__(self, scale: str, pg_url: str, redis_url: str, workers: int, threads: int) -> None:
        self.scale = scale
        self.cfg = SCALE_SETTINGS[scale]
        self.pg_url = pg_url
        self.redis_url = redis_url
        self.db_url = with_db(pg_url, self.cfg["db"])
        self.env = bench_env(self.db_url, redis_url)
        self.workers = workers
        self.threads = threads
        self.report: dict[str, Any] = {"scale": scale, "sections": {}}
        self.port = 0
        self.run_id = secrets.token_hex(4)

    # -------------------------------------------------------------- setup

    def setup(self) -> None:
        self.report["database"] = ensure_seeded(self.pg_url, self.cfg["db"], self.scale, self.env)
        os.environ.update(self.env)
        import django

        django.setup()
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()
        self.report["machine"] = machine_info(self.db_url, self.redis_url)
        self.report["date"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.report["server"] = {
            "gunicorn_workers": self.workers,
            "gunicorn_threads": self.threads,
            "worker_class": "gthread",
            "celery_worker_processes": 2,
        }

    @contextmanager
    def gunicorn(self) -> Iterator[None]:
        self.port = free_port()
        args = [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--keep-alive",
            "30",
            "--timeout",
            "120",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
        with process(args, self.env, "gunicorn.log"):
            wait_for_http(self.port)
            yield

    @contextmanager
    def celery_workers(self) -> Iterator[None]:
        env = dict(self.env, DJANGO_SETTINGS_MODULE="bench.worker_settings")
        args = [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench-{self.run_id}@%h",
        ]
        with process(args, env, "celery.log"):
            from config.celery import app

            deadline = time.monotonic() + 60
            while not app.control.ping(timeout=1.0):
                if time.monotonic() > deadline:
                    raise RuntimeError("the Celery workers did not answer within 60 s")
            yield

    def section(self, name: str, body: Callable[[], dict[str, Any]]) -> None:
        log(f"section {name}")
        started = time.monotonic()
        try:
            result = body()
        except Exception as exc:
            result = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
            log(f"section {name} failed: {exc}")
        result["section_seconds"] = rounded(time.monotonic() - started)
        self.report["sections"][name] = result

    # -------------------------------------------------------------- pages

    def pages(self) -> dict[str, Any]:
        from bench import pages as p

        targets = p.find_targets()
        pages = p.page_list(targets)
        captured = p.capture_pages(pages)
        admin = p.capture_pages(pages, admin_as=targets.coordinator.pk)
        other = self.other_scale_counts()
        cookies = {page.user_id: session_cookie(page.user_id) for page in pages}
        admin_cookie = session_cookie(targets.coordinator.pk)
        jobs: list[dict[str, Any]] = []
        for page in pages:
            common = {"kind": "get", "cookies": {"sessionid": cookies[page.user_id]}}
            jobs.append(
                {**common, "path": page.url, "requests": self.cfg["requests"], "concurrency": 1}
            )
            jobs.append(
                {
                    **common,
                    "path": page.url,
                    "requests": self.cfg["throughput_requests"],
                    "concurrency": 8,
                    "warmup": 8,
                }
            )
            jobs.append(
                {
                    "kind": "get",
                    "cookies": {"sessionid": admin_cookie},
                    "path": page.admin_url,
                    "requests": self.cfg["admin_requests"],
                    "concurrency": 1,
                }
            )
        results = load(self.port, jobs, self.env)
        rows = {}
        for index, page in enumerate(pages):
            latency, throughput, admin_run = (
                summary(r) for r in results[3 * index : 3 * index + 3]
            )
            floor = replay(self.db_url, captured[page.name].queries, self.cfg["requests"])
            admin_floor_queries = len(admin[page.name].queries)
            count = len(captured[page.name].queries)
            other_count = other.get("counts", {}).get(page.name)
            row: dict[str, Any] = {
                "title": page.title,
                "url": page.url,
                "admin_url": page.admin_url,
                "status": captured[page.name].status,
                "admin_status": admin[page.name].status,
                "queries": count,
                "queries_other_scale": other_count,
                "admin_queries": admin_floor_queries,
                "latency": latency,
                "throughput_8": throughput,
                "admin_latency": admin_run,
                "floor": floor,
                "ratio_page_floor": rounded(latency["p50_ms"] / floor["p50_ms"], 2)
                if floor["p50_ms"]
                else None,
                "ms_outside_sql": rounded(latency["p50_ms"] - floor["p50_ms"], 1),
                "ratio_page_admin": rounded(latency["p50_ms"] / admin_run["p50_ms"], 2)
                if admin_run["p50_ms"]
                else None,
            }
            row["targets"] = page_targets(row, self.scale)
            row["slowest_query"] = slowest_query(self.db_url, floor)
            rows[page.name] = row
        return {
            "pages": rows,
            "other_scale": other.get("scale"),
            "other_scale_note": other.get("note"),
        }

    def other_scale_counts(self) -> dict[str, Any]:
        """Query counts of every page in the other scale's database, when it is seeded."""
        other = "small" if self.scale == "default" else "default"
        name = SCALE_SETTINGS[other]["db"]
        env = bench_env(with_db(self.pg_url, name), self.redis_url)
        if self.scale == "default":
            ensure_seeded(self.pg_url, name, other, env)
        elif db_comment(self.pg_url, name) != f"bench-seeded:{other}":
            return {"scale": other, "note": f"{name} is not seeded; compared at this scale only"}
        else:
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                cwd=BASE_DIR,
                env=env,
                check=True,
            )
        output = subprocess.run(
            [sys.executable, "-m", "bench.run", "--count-queries"],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return {"scale": other, "counts": json.loads(output.strip().splitlines()[-1])}

    # -------------------------------------------------------------- webhooks

    def webhooks(self) -> dict[str, Any]:
        from django.urls import reverse

        from donations.models import Donation, RecurringGift, StripeEvent
        from donations.stripe_events import build_event, encode, invoice

        distinct = self.cfg["webhooks"]
        gifts = list(RecurringGift.objects.order_by("pk")[: max(distinct, 1)])
        prefix = f"bench_{self.run_id}_"
        now = int(time.time())
        events = []
        for n in range(distinct):
            gift = gifts[n % len(gifts)]
            obj = invoice(
                invoice_id=f"in_{prefix}{n}",
                subscription=gift.stripe_subscription_id,
                customer=gift.stripe_customer_id,
                amount_minor=gift.amount_minor,
                currency=gift.currency,
                metadata={"recurring_gift_id": str(gift.pk)},
                paid=True,
                payment_intent=f"pi_{prefix}{n}",
                created=now,
            )
            events.append(
                encode(build_event("invoice.paid", obj, event_id=f"evt_{prefix}{n}")).decode()
            )
        rng = random.Random(7)
        duplicates = rng.sample(events, round(distinct * 0.3))
        bodies = events + duplicates
        rng.shuffle(bodies)
        path = reverse("donations:stripe_webhook")
        job = {
            "kind": "post",
            "concurrency": 8,
            "stripe_secret": WEBHOOK_SECRET,
            "posts": [{"path": path, "body": body} for body in bodies],
        }
        result = summary(load(self.port, [job], self.env)[0])
        created = Donation.objects.filter(invoice_id__startswith=f"in_{prefix}").count()
        stored = StripeEvent.objects.filter(event_id__startswith=f"evt_{prefix}")
        by_status = {
            row["status"]: row["n"] for row in stored.values("status").annotate(n=_count())
        }
        events_per_s = result["per_s"]
        exact = created == distinct
        out: dict[str, Any] = {
            "distinct_events": distinct,
            "posts": len(bodies),
            "duplicates": len(duplicates),
            "load": result,
            "events_per_s": events_per_s,
            "donations_created": created,
            "stored_events_by_status": by_status,
            "targets": {
                "events_per_s": target(events_per_s, ">=", WEBHOOK_EVENTS_PER_S),
                "donations_equal_distinct_events": target(created, "==", distinct),
            },
            "baseline": "pgbench simple-update rate (see the sweep section)",
        }
        if not exact or events_per_s < WEBHOOK_EVENTS_PER_S:
            out["cause"] = webhook_cause(gifts[0], prefix)
        return out

    # -------------------------------------------------------------- race

    def race(self) -> dict[str, Any]:
        from django.urls import reverse

        from volunteers.models import ShiftSignup, ShiftSignupStatus

        shift, people = prepare_race(self.run_id)
        path = reverse("volunteers:shift_sign_up", args=[shift.pk])
        posts = []
        for person in people:
            csrf = secrets.token_hex(16)
            posts.append(
                {
                    "path": path,
                    "body": f"csrfmiddlewaretoken={csrf}",
                    "content_type": "application/x-www-form-urlencoded",
                    "cookies": {"sessionid": session_cookie(person), "csrftoken": csrf},
                }
            )
        result = summary(load(self.port, [{"kind": "burst", "posts": posts}], self.env)[0])
        counts = {
            row["status"]: row["n"]
            for row in ShiftSignup.objects.filter(shift=shift).values("status").annotate(n=_count())
        }
        confirmed = counts.get(ShiftSignupStatus.CONFIRMED, 0)
        return {
            "clients": len(posts),
            "places": RACE_PLACES,
            "shift_id": shift.pk,
            "load": result,
            "signups_by_status": counts,
            "confirmed": confirmed,
            # Wall time over requests: what each sign-up costs the server, all included.
            "server_ms_per_signup": rounded(result["wall_s"] * 1000 / max(len(posts), 1), 1),
            "p95_ms": result["p95_ms"],
            "targets": {
                "exactly_20_confirmed": target(confirmed, "==", RACE_PLACES),
                "p95_ms": target(result["p95_ms"], "<", RACE_P95_MS),
            },
            "note": (
                f"{len(posts)} clients released together against {self.workers} gunicorn "
                f"workers x {self.threads} threads; each sign-up locks the shift row, so "
                "they are served one after another and the last waits for all before it."
            ),
        }

    # -------------------------------------------------------------- sweep

    def sweep(self) -> dict[str, Any]:

        from notifications.models import Message, Status
        from notifications.services import sweep_outbox

        wanted = self.cfg["reminders"]
        made = insert_reminders(wanted)
        lpush = redis_benchmark(self.redis_url)
        pgbench = pgbench_rate(self.db_url, self.cfg["pgbench_seconds"])
        due = datetime.now(UTC)
        Message.objects.filter(kind="shift.reminder").update(scheduled_for=due)
        started = time.monotonic()
        sweeps = 0
        deadline = started + self.cfg["sweep_timeout"]
        while time.monotonic() < deadline:
            result = sweep_outbox()
            sweeps += 1
            finished = Message.objects.filter(
                kind="shift.reminder", status__in=[Status.SENT, Status.CANCELLED, Status.FAILED]
            ).count()
            if finished >= made:
                break
            if not result.enqueued:
                time.sleep(0.5)
        by_status = {
            row["status"]: row["n"]
            for row in Message.objects.filter(kind="shift.reminder")
            .values("status")
            .annotate(n=_count())
        }
        sent = by_status.get(Status.SENT, 0)
        last = (
            Message.objects.filter(kind="shift.reminder", status=Status.SENT)
            .order_by("-sent_at")
            .values_list("sent_at", flat=True)
            .first()
        )
        seconds = (last - due).total_seconds() if last else float("nan")
        rate = sent / seconds if last and seconds > 0 else 0.0
        complete = (
            sent + by_status.get(Status.CANCELLED, 0) + by_status.get(Status.FAILED, 0) >= made
        )
        out: dict[str, Any] = {
            "reminders": made,
            "requested": wanted,
            "by_status": by_status,
            "seconds_due_to_all_sent": rounded(seconds, 2) if complete else None,
            "seconds_measured": rounded(seconds, 2),
            "complete": complete,
            "messages_per_s": rounded(rate),
            "sweeps": sweeps,
            "redis_lpush_per_s": lpush,
            "pgbench_simple_update_tps": pgbench,
            "ratio_to_lpush": rounded(rate / lpush, 5) if lpush else None,
            "ratio_to_pgbench": rounded(rate / pgbench, 4) if pgbench else None,
            "note": (
                "The bench runs sweep_outbox back to back (beat runs it once a minute, "
                "at most NOTIFICATIONS_SWEEP_MAX_BATCHES x NOTIFICATIONS_SWEEP_BATCH_SIZE rows "
                "each); one Celery task per message on 2 worker processes, locmem e-mail."
            ),
        }
        projected = made / rate if rate else float("inf")
        if wanted == 100_000:
            out["targets"] = {
                "seconds_for_100000": target(rounded(projected, 1), "<=", SWEEP_SECONDS)
            }
        else:
            out["targets"] = {
                "projected_seconds_for_100000": target(
                    rounded(100_000 / rate, 1) if rate else None, "<=", SWEEP_SECONDS
                )
            }
        out["cause"] = sweep_cause()
        return out

    # -------------------------------------------------------------- statements

    def statements(self) -> dict[str, Any]:
        from accounts.models import User
        from bench.seed import COORDINATOR_EMAIL, statement_year
        from donations.models import StatementRun, StatementRunStatus
        from donations.services.statements import donors_for_year, start_statement_run

        year = statement_year()
        expected = donors_for_year(year).count()
        StatementRun.objects.filter(
            year=year, status__in=[StatementRunStatus.PENDING, StatementRunStatus.RUNNING]
        ).update(status=StatementRunStatus.FAILED, error="bench: superseded")
        coordinator = User.objects.get(email=COORDINATOR_EMAIL)
        started = datetime.now(UTC)
        run = start_statement_run(year=year, by=coordinator)
        deadline = time.monotonic() + self.cfg["statement_timeout"]
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in (StatementRunStatus.DONE, StatementRunStatus.FAILED):
                break
            time.sleep(0.5)
        run.refresh_from_db()
        end = run.finished_at or datetime.now(UTC)
        seconds = (end - started).total_seconds()
        return {
            "year": year,
            "donors": expected,
            "status": run.status,
            "done": run.done,
            "emailed": run.emailed,
            "seconds": rounded(seconds, 2),
            "statements_per_s": rounded(run.done / seconds, 2) if seconds > 0 else 0.0,
            "complete": run.status == StatementRunStatus.DONE,
            "timeout_s": self.cfg["statement_timeout"],
            "run_error": run.error,
            "note": "One Celery task (donations.run_statements) makes the PDFs in turn; "
            "the second worker process sends the e-mails it queues.",
        }

    # -------------------------------------------------------------- all

    def run(self) -> dict[str, Any]:
        self.setup()
        with self.gunicorn():
            self.section("pages", self.pages)
            self.section("webhooks", self.webhooks)
            self.section("race", self.race)
        self.quiet_outbox()
        with self.celery_workers():
            self.section("sweep", self.sweep)
            self.section("statements", self.statements)
        return self.report

    def quiet_outbox(self) -> None:
        """Drop what the web sections queued (receipts, confirmations) before workers start."""
        import redis

        from notifications.models import Message

        redis.Redis.from_url(self.redis_url).flushdb()
        Message.objects.all().delete()


def _count() -> Any:
    from django.db.models import Count

    return Count("pk")


def target(value: Any, op: str, goal: float) -> dict[str, Any]:
    ok = (
        value is not None
        and {
            "<": lambda: value < goal,
            "<=": lambda: value <= goal,
            ">=": lambda: value >= goal,
            "==": lambda: value == goal,
        }[op]()
    )
    return {"value": value, "target": f"{op} {goal:g}", "pass": bool(ok)}


def page_targets(row: dict[str, Any], scale: str) -> dict[str, Any]:
    other = row["queries_other_scale"]
    result: dict[str, Any] = {
        "same_queries_both_scales": target(other, "==", row["queries"])
        if other is not None
        else None,
        "ratio_page_floor": target(row["ratio_page_floor"], "<=", PAGE_FLOOR_RATIO),
        "p95_ms": target(row["latency"]["p95_ms"], "<", PAGE_P95_MS),
    }
    if scale != "default":
        result["p95_ms"]["note"] = "the target applies at default scale"
    return result


# ------------------------------------------------------------------------ helpers


def session_cookie(user_id: int) -> str:
    """A logged-in session for the user, as the login view would store it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    return session.session_key


def replay(db_url: str, queries: list[str], repeats: int) -> dict[str, Any]:
    """The page's SELECTs alone, in order, on one psycopg connection: the floor."""
    import psycopg

    selects = [q for q in queries if q.lstrip().upper().startswith(("SELECT", "WITH"))]
    per_query: list[list[float]] = [[] for _ in selects]
    totals: list[float] = []
    with psycopg.connect(db_url, autocommit=True) as conn, conn.cursor() as cursor:
        for run in range(repeats + 5):
            started = time.perf_counter()
            for index, sql in enumerate(selects):
                before = time.perf_counter()
                cursor.execute(sql.encode())
                if cursor.description:
                    cursor.fetchall()
                if run >= 5:
                    per_query[index].append((time.perf_counter() - before) * 1000)
            if run >= 5:
                totals.append((time.perf_counter() - started) * 1000)
    medians = [statistics.median(times) if times else 0.0 for times in per_query]
    return {
        "queries_replayed": len(selects),
        "queries_skipped": len(queries) - len(selects),
        "p50_ms": rounded(percentile(totals, 50), 2),
        "p95_ms": rounded(percentile(totals, 95), 2),
        "per_query_median_ms": [rounded(m, 3) for m in medians],
        "sql": selects,
    }


def slowest_query(db_url: str, floor: dict[str, Any]) -> dict[str, Any] | None:
    """The page's slowest SELECT (by its replayed median) with its EXPLAIN ANALYZE."""
    import psycopg

    medians: list[float] = floor["per_query_median_ms"]
    if not medians:
        return None
    index = max(range(len(medians)), key=medians.__getitem__)
    sql: str = floor["sql"][index]
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}".encode()).fetchall()
    return {
        "median_ms": medians[index],
        "share_of_floor": rounded(medians[index] / max(sum(medians), 1e-9), 2),
        "sql": sql,
        "explain": "\n".join(str(row[0]) for row in rows),
    }


def prepare_race(run_id: str) -> tuple[Any, list[int]]:
    """A fresh shift of 20 places and 200 active volunteers who may all take it."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from bench.seed import EMAIL_DOMAIN, UNUSABLE_PASSWORD
    from volunteers.models import (
        Location,
        ProfileStatus,
        Shift,
        ShiftStatus,
        VolunteerProfile,
        VolunteerRole,
    )

    emails = [f"race{i}@{EMAIL_DOMAIN}" for i in range(RACE_CLIENTS)]
    with transaction.atomic():
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new = [
            User(email=e, first_name="Race", last_name=e.split("@")[0], password=UNUSABLE_PASSWORD)
            for e in emails
            if e not in existing
        ]
        User.objects.bulk_create(new)
        people = list(User.objects.filter(email__in=emails).order_by("pk"))
        group = Group.objects.get_or_create(name=Role.VOLUNTEER.value)[0]
        group.user_set.add(*people)
        have = set(
            VolunteerProfile.objects.filter(user__in=people).values_list("user_id", flat=True)
        )
        VolunteerProfile.objects.bulk_create(
            [
                VolunteerProfile(user=u, status=ProfileStatus.ACTIVE)
                for u in people
                if u.pk not in have
            ]
        )
        role = VolunteerRole.objects.get_or_create(name="Bench race role")[0]
        location = Location.objects.get_or_create(
            name="Bench race location", defaults={"time_zone": "America/New_York"}
        )[0]
        # Earlier races' shifts are cancelled, so nobody's old place overlaps this one.
        Shift.objects.filter(role=role).update(status=ShiftStatus.CANCELLED)
        starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=30)
        shift = Shift.objects.create(
            role=role,
            location=location,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=RACE_PLACES,
            status=ShiftStatus.PUBLISHED,
            notes=f"bench race {run_id}",
        )
    return shift, [u.pk for u in people]


def insert_reminders(wanted: int) -> int:
    """Outbox rows for ``wanted`` confirmed places on upcoming shifts, as reminders make them."""
    from django.db import connection, transaction
    from django.utils import timezone
    from psycopg.types.json import Jsonb
    from tqdm import tqdm

    from bench.seed import copy_rows
    from notifications.models import Channel, Message, Status
    from volunteers.models import ShiftSignup, ShiftSignupStatus, ShiftStatus
    from volunteers.notices import shift_context
    from volunteers.reminders import REMINDER_KIND, reminder_key

    signups = list(
        ShiftSignup.objects.filter(
            status=ShiftSignupStatus.CONFIRMED,
            shift__status=ShiftStatus.PUBLISHED,
            shift__starts_at__gt=timezone.now() + timedelta(hours=6),
        )
        .select_related("shift__role", "shift__location")
        .order_by("shift__starts_at", "pk")[:wanted]
    )
    now = timezone.now()

    def rows() -> Iterator[dict[str, Any]]:
        for signup in signups:
            shift = signup.shift
            yield {
                "recipient_id": signup.volunteer_id,
                "channel": Channel.EMAIL,
                "kind": REMINDER_KIND,
                "dedupe_key": reminder_key(signup.pk, 3, shift.starts_at),
                "context": Jsonb(shift_context(shift) | {"signup_id": signup.pk, "lead_hours": 3}),
                "attachments": Jsonb([]),
                "scheduled_for": now + timedelta(days=1),
                "status": Status.PENDING,
            }

    fields = ["recipient_id", "channel", "kind", "dedupe_key", "context", "attachments"]
    fields += ["scheduled_for", "status"]
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor, tqdm(disable=True) as bar:
            made = copy_rows(cursor, Message, fields, rows(), bar)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_message")
    return made


def redis_benchmark(redis_url: str) -> float | None:
    exe = shutil.which("redis-benchmark")
    if exe is None:
        return None
    parts = urlsplit(redis_url)
    db = parts.path.strip("/") or "0"
    out = subprocess.run(
        [
            exe,
            "-h",
            parts.hostname or "127.0.0.1",
            "-p",
            str(parts.port or 6379),
            "--dbnum",
            db,
            "-t",
            "lpush",
            "-n",
            "100000",
            "-c",
            "8",
            "--csv",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import redis

    redis.Redis.from_url(redis_url).delete("mylist")
    for line in out.splitlines():
        cells = [c.strip('"') for c in line.split(",")]
        if cells and cells[0].upper().startswith("LPUSH"):
            return rounded(float(cells[1]))
    return None


def pgbench_rate(db_url: str, seconds: int) -> float | None:
    """pgbench's simple-update (-N) transactions per second, 2 clients, on scratch tables."""
    exe = shutil.which("pgbench")
    if exe is None:
        return None
    subprocess.run([exe, "-i", "-q", "-s", "1", db_url], capture_output=True, check=True)
    try:
        out = subprocess.run(
            [exe, "-N", "-n", "-c", "2", "-j", "2", "-T", str(seconds), db_url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        subprocess.run([exe, "-i", "-I", "d", db_url], capture_output=True, check=False)
    found = re.search(r"tps = ([0-9.]+)", out)
    return rounded(float(found.group(1))) if found else None


def profile_top(call: Callable[[], Any], limit: int = 10) -> tuple[Any, list[str]]:
    """Run ``call`` under cProfile: its result and the project's functions by cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    result = profiler.runcall(call)
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), entry in stats.stats.items():  # type: ignore[attr-defined]
        cumulative = entry[3]
        path = Path(filename)
        if BASE_DIR in path.parents and ".venv" not in path.parts and "bench" not in path.parts:
            rows.append((cumulative, f"{path.relative_to(BASE_DIR)}:{line} {name}"))
    rows.sort(reverse=True)
    return result, [f"{label}: {cumulative * 1000:.1f} ms" for cumulative, label in rows[:limit]]


def sweep_cause() -> dict[str, Any]:
    """What one reminder costs a worker: its queries, counted on one extra message."""
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from notifications.models import Message, Status
    from notifications.services import deliver_message

    message = Message.objects.filter(kind="shift.reminder", status=Status.SENT).first()
    if message is None:
        return {}
    Message.objects.filter(pk=message.pk).update(
        status=Status.PENDING, claimed_by="", scheduled_for=message.created_at
    )
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as context:
            outcome, hot = profile_top(lambda: deliver_message(message_id=message.pk))
        elapsed = (time.perf_counter() - started) * 1000
    return {
        "one_message_outcome": outcome,
        "one_message_ms_in_process": rounded(elapsed, 2),
        "queries_per_message": len(context.captured_queries),
        "profile_cumulative": hot,
        "statements": [str(q["sql"])[:160] for q in context.captured_queries],
    }


def webhook_cause(gift: Any, prefix: str) -> dict[str, Any]:
    """One more invoice.paid event through receive_event, in-process: its queries and time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from donations.stripe_events import build_event, encode, invoice, sign_payload
    from donations.webhooks import receive_event

    obj = invoice(
        invoice_id=f"in_{prefix}probe",
        subscription=gift.stripe_subscription_id,
        customer=gift.stripe_customer_id,
        amount_minor=gift.amount_minor,
        currency=gift.currency,
        metadata={"recurring_gift_id": str(gift.pk)},
        paid=True,
        payment_intent=f"pi_{prefix}probe",
        created=int(time.time()),
    )
    payload = encode(build_event("invoice.paid", obj, event_id=f"evt_{prefix}probe"))
    header = sign_payload(payload, secret=WEBHOOK_SECRET)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as context:
        outcome, hot = profile_top(lambda: receive_event(payload, header))
    elapsed = (time.perf_counter() - started) * 1000
    slowest = max(context.captured_queries, key=lambda q: float(q["time"]), default=None)
    return {
        "one_event_status": outcome.status,
        "one_event_ms_in_process": rounded(elapsed, 2),
        "queries_per_event": len(context.captured_queries),
        "profile_cumulative": hot,
        "slowest_statement": str(slowest["sql"])[:300] if slowest else "",
        "slowest_statement_ms": rounded(float(slowest["time"]) * 1000, 2) if slowest else None,
    }


def machine_info(db_url: str, redis_url: str) -> dict[str, Any]:
    import django
    import psycopg
    import redis

    with psycopg.connect(db_url) as conn:
        pg_version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    info = redis.Redis.from_url(redis_url).info("server")
    cpu = platform.processor() or ""
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg_version,
        "redis": str(info.get("redis_version", "")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALE_SETTINGS), default="default")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "4")))
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_queries:
        # The other scale's query counts (a child process, the database in DATABASE_URL).
        import django

        django.setup()
        from bench.pages import capture_pages, find_targets, page_list

        counts = {
            name: len(c.queries) for name, c in capture_pages(page_list(find_targets())).items()
        }
        print(json.dumps(counts))
        return
    # Stopped (Ctrl-C, SIGTERM): unwind, so gunicorn and the workers are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    pg_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    check_services(pg_url, redis_url)
    started = time.monotonic()
    bench = Bench(args.scale, pg_url, redis_url, args.workers, args.threads)
    report = bench.run()
    report["total_seconds"] = rounded(time.monotonic() - started)
    from bench.report import write_reports

    md, js = write_reports(report, BASE_DIR / "bench")
    log(f"wrote {md} and {js} in {report['total_seconds']} s")


if __name__ == "__main__":
    main()
