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
from collections import Counter
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
        "admin_requests": 50,
        # Time caps (seconds). A measurement that hits its cap stops, keeps the figures of
        # what was done so far and is reported as a miss ("capped"); the run goes on.
        # Per page: 1-client latency, 8-client throughput, admin baseline (60 s in all).
        "page_caps": (30, 20, 10),
        "replay_cap": 10,
        "explain_timeout": 30,
        "reminders": 100_000,
        "webhooks": 2_000,
        "webhook_cap": 45,
        "race_cap": 60,
        "sweep_timeout": 120,
        "statement_timeout": 90,
        "pgbench_seconds": 10,
        "redis_benchmark_requests": 100_000,
    },
    "small": {
        "db": "ngo_bench_small",
        "requests": 200,
        "throughput_requests": 100,
        "admin_requests": 50,
        "page_caps": (30, 15, 10),
        "replay_cap": 5,
        "explain_timeout": 15,
        "reminders": 500,
        "webhooks": 200,
        "webhook_cap": 30,
        "race_cap": 30,
        "sweep_timeout": 60,
        "statement_timeout": 60,
        "pgbench_seconds": 3,
        "redis_benchmark_requests": 20_000,
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
            [sys.executable, "-m", "bench.seed_scale", "--scale", scale],
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
    args: list[str], env: dict[str, str], log_name: str, grace: float = 30
) -> Iterator[subprocess.Popen[bytes]]:
    """A child process (its own process group), stopped at the end by its id.

    SIGTERM first; after ``grace`` seconds (a Celery task still running) SIGKILL.
    """
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
                child.wait(timeout=grace)
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
    """Run jobs in the load generator, a process of its own.

    Each job's ``time_limit_s`` bounds it (bench.load stops starting requests then, and a
    request in flight times out after it); the process as a whole gets that plus a margin.
    """
    limit = sum(float(job.get("time_limit_s") or 600) * 1.5 + 30 for job in jobs)
    result = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        cwd=BASE_DIR,
        env=env,
        input=json.dumps({"host": "127.0.0.1", "port": port, "jobs": jobs}),
        capture_output=True,
        text=True,
        check=True,
        timeout=limit,
    )
    data: list[dict[str, Any]] = json.loads(result.stdout)
    for job, outcome in zip(jobs, data, strict=True):
        outcome["time_limit_s"] = job.get("time_limit_s")
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
        "requested": result.get("requested", result["requests"]),
        "capped": bool(result.get("capped")),
        "time_limit_s": result.get("time_limit_s"),
    }


# ------------------------------------------------------------------------ the run


SECTIONS = frozenset({"pages", "webhooks", "race", "sweep", "statements"})


class Bench:
    def __init__(self, scale: str, pg_url: str, redis_url: str, workers: int, threads: int) -> None:
        self.scale = scale
        # BENCH_DB_NAME: another database of the same scale (a second checkout's own run).
        self.cfg = dict(SCALE_SETTINGS[scale])
        self.cfg["db"] = os.environ.get("BENCH_DB_NAME") or self.cfg["db"]
        self.pg_url = pg_url
        self.redis_url = redis_url
        self.db_url = with_db(pg_url, self.cfg["db"])
        self.env = bench_env(self.db_url, redis_url)
        self.workers = workers
        self.empty_per_s_8: float | None = None  # measured by the pages section
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
        self.report["commit"] = git_commit()
        self.report["caps"] = {
            "page_latency_s": self.cfg["page_caps"][0],
            "page_throughput_s": self.cfg["page_caps"][1],
            "page_admin_s": self.cfg["page_caps"][2],
            "floor_replay_s": self.cfg["replay_cap"],
            "webhooks_s": self.cfg["webhook_cap"],
            "race_s": self.cfg["race_cap"],
            "sweep_s": self.cfg["sweep_timeout"],
            "statements_s": self.cfg["statement_timeout"],
        }
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
        # bench.web_settings: the project's settings plus two empty pages (bench.urls).
        env = dict(self.env, DJANGO_SETTINGS_MODULE="bench.web_settings")
        with process(args, env, "gunicorn.log"):
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
            "-Q",
            "urgent,celery",
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
        with process(args, env, "celery.log", grace=10):
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
        log("pages: capture each page and its admin baseline in-process")
        captured = p.capture_pages(pages)
        admin = p.capture_pages(pages, admin_as=targets.coordinator.pk)
        other = self.other_scale_counts()
        cookies = {page.user_id: session_cookie(page.user_id) for page in pages}
        admin_cookie = session_cookie(targets.coordinator.pk)
        latency_cap, throughput_cap, admin_cap = self.cfg["page_caps"]
        try:
            empty = self.empty_page(cookies[pages[0].user_id], latency_cap)
        except Exception as exc:  # a baseline that failed must not cost the pages' figures
            empty = {"error": f"{type(exc).__name__}: {exc}", "p50_ms": None}
        rows = {}
        for page in pages:
            common = {"kind": "get", "cookies": {"sessionid": cookies[page.user_id]}}
            jobs = [
                {
                    **common,
                    "path": page.url,
                    "requests": self.cfg["requests"],
                    "concurrency": 1,
                    "time_limit_s": latency_cap,
                },
                {
                    **common,
                    "path": page.url,
                    "requests": self.cfg["throughput_requests"],
                    "concurrency": 8,
                    "warmup": 8,
                    "time_limit_s": throughput_cap,
                },
                {
                    "kind": "get",
                    "cookies": {"sessionid": admin_cookie},
                    "path": page.admin_url,
                    "requests": self.cfg["admin_requests"],
                    "concurrency": 1,
                    "time_limit_s": admin_cap,
                },
            ]
            latency, throughput, admin_run = (summary(r) for r in load(self.port, jobs, self.env))
            floor = replay(
                self.db_url,
                captured[page.name].queries,
                self.cfg["requests"],
                time_limit=self.cfg["replay_cap"],
            )
            count = len(captured[page.name].queries)
            other_count = other.get("counts", {}).get(page.name)
            p50 = latency["p50_ms"]
            row: dict[str, Any] = {
                "title": page.title,
                "url": page.url,
                "admin_url": page.admin_url,
                "status": captured[page.name].status,
                "admin_status": admin[page.name].status,
                "queries": count,
                "queries_other_scale": other_count,
                "admin_queries": len(admin[page.name].queries),
                "latency": latency,
                "throughput_8": throughput,
                "admin_latency": admin_run,
                "floor": floor,
                "ratio_page_floor": rounded(p50 / floor["p50_ms"], 2) if floor["p50_ms"] else None,
                "ms_outside_sql": rounded(p50 - floor["p50_ms"], 1),
                "share_outside_sql": rounded(max(0.0, p50 - floor["p50_ms"]) / p50, 2)
                if p50
                else None,
                "ratio_page_admin": rounded(p50 / admin_run["p50_ms"], 2)
                if admin_run["p50_ms"]
                else None,
                # The SQL floor plus what an empty page costs through the same stack.
                "ratio_page_floors": rounded(p50 / (floor["p50_ms"] + empty["p50_ms"]), 2)
                if floor["p50_ms"] and empty["p50_ms"]
                else None,
            }
            if other_count is not None and other_count != count:
                # Which statements one scale runs and the other does not (by their table).
                mine = Counter(query_shapes(floor["sql"]))
                theirs = Counter(other.get("shapes", {}).get(page.name, []))
                row["queries_diff"] = {
                    "only_here": sorted((mine - theirs).elements()),
                    "only_other_scale": sorted((theirs - mine).elements()),
                }
            row["targets"] = page_targets(row, self.scale)
            row["slowest_query"] = slowest_query(
                self.db_url, floor, timeout_s=self.cfg["explain_timeout"]
            )
            if missed_targets(row["targets"]):
                # Where the time goes, from one more request in-process under cProfile.
                try:
                    row["profile"] = p.profile_page(page)
                except Exception as exc:
                    row["profile"] = {"error": f"{type(exc).__name__}: {exc}"}
            rows[page.name] = row
            log(
                f"pages: {page.name} p50 {latency['p50_ms']} ms p95 {latency['p95_ms']} ms "
                f"({latency['requests']}/{latency['requested']} requests"
                f"{', capped' if latency['capped'] else ''}), floor {floor['p50_ms']} ms"
            )
        return {
            "empty_page": empty,
            "pages": rows,
            "other_scale": other.get("scale"),
            "other_scale_note": other.get("note"),
        }

    def empty_page(self, cookie: str, cap: float) -> dict[str, Any]:
        """An empty page (bench.urls) for a logged-in volunteer: the fixed cost of a request."""
        from bench.urls import EMPTY_PAGE

        job = {
            "kind": "get",
            "cookies": {"sessionid": cookie},
            "path": EMPTY_PAGE,
            "requests": self.cfg["requests"],
            "concurrency": 1,
            "time_limit_s": cap,
        }
        # And at 8 clients: the most requests per second this machine serves through the
        # stack, whatever the view does (the ceiling of the webhooks' events per second).
        busy = dict(job, requests=self.cfg["throughput_requests"] * 2, concurrency=8, warmup=8)
        latency, throughput = (summary(r) for r in load(self.port, [job, busy], self.env))
        for run in (latency, throughput):
            if set(run["statuses"]) != {"200"} or not run["requests"]:
                raise RuntimeError(f"the empty page answered {run['statuses']}, not 200")
        self.empty_per_s_8 = throughput["per_s"]
        log(
            f"pages: empty page p50 {latency['p50_ms']} ms p95 {latency['p95_ms']} ms, "
            f"{throughput['per_s']} requests/s at 8 clients"
        )
        return {**latency, "throughput_8": throughput}

    def other_scale_counts(self) -> dict[str, Any]:
        """Query counts per page at the other scale, from that scale's recorded report.

        Every run keeps a copy of its report in ``bench/out/report-<scale>.json``; the
        comparison reads the other scale's copy instead of rendering pages in a second live
        database. Without one it is skipped, and the report says so.
        """
        other = "small" if self.scale == "default" else "default"
        path = recorded_report_path(other)
        if not path.exists():
            return {
                "scale": other,
                "note": f"skipped: no recorded {other}-scale report ({path.relative_to(BASE_DIR)}"
                f" is written by `make bench{' SCALE=small' if other == 'small' else ''}`)",
            }
        try:
            recorded = json.loads(path.read_text(encoding="utf-8"))
            rows = recorded["sections"]["pages"]["pages"]
            counts = {name: int(row["queries"]) for name, row in rows.items()}
            shapes = {name: query_shapes(row["floor"]["sql"]) for name, row in rows.items()}
        except (ValueError, KeyError, TypeError) as exc:
            return {"scale": other, "note": f"skipped: {path.name} is unreadable ({exc})"}
        return {
            "scale": other,
            "counts": counts,
            "shapes": shapes,
            "note": f"recorded by the {other}-scale run of {recorded.get('date')} "
            f"(commit {recorded.get('commit') or 'unknown'}; {path.relative_to(BASE_DIR)})",
        }

    # -------------------------------------------------------------- webhooks

    def webhooks(self) -> dict[str, Any]:
        from django.urls import reverse

        from donations.models import Donation, RecurringGift, StripeEvent
        from donations.stripe_integration.offline_events import build_event, encode, invoice

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
            "time_limit_s": self.cfg["webhook_cap"],
            "posts": [
                {"path": path, "body": body, "tag": json.loads(body)["id"]} for body in bodies
            ],
        }
        with ActivitySampler(self.db_url) as sampler:
            raw = load(self.port, [job], self.env)[0]
        result = summary(raw)
        # Capped: only the events posted count (each post in flight was answered or timed out;
        # a timed-out one may still finish on the server, so give it a moment).
        posted_distinct = len(set(raw["tags"]))
        if result["capped"] or "timeout" in result["statuses"]:
            time.sleep(min(10.0, self.cfg["webhook_cap"] / 4))
        created = Donation.objects.filter(invoice_id__startswith=f"in_{prefix}").count()
        stored = StripeEvent.objects.filter(event_id__startswith=f"evt_{prefix}")
        by_status = {
            row["status"]: row["n"] for row in stored.values("status").annotate(n=_count())
        }
        events_per_s = result["per_s"]
        exact = created == posted_distinct
        out: dict[str, Any] = {
            "distinct_events": distinct,
            "posts": len(bodies),
            "duplicates": len(duplicates),
            "posts_sent": result["requests"],
            "distinct_events_sent": posted_distinct,
            "capped": result["capped"],
            "time_limit_s": self.cfg["webhook_cap"],
            "load": result,
            "events_per_s": events_per_s,
            "donations_created": created,
            "stored_events_by_status": by_status,
            "targets": {
                "events_per_s": target(events_per_s, ">=", WEBHOOK_EVENTS_PER_S),
                "donations_equal_distinct_events": target(created, "==", posted_distinct),
            },
            "baseline": "pgbench simple-update rate (see the sweep section)",
            "empty_page_per_s_8": self.empty_per_s_8,
            "ratio_to_empty_page": rounded(events_per_s / self.empty_per_s_8, 3)
            if self.empty_per_s_8
            else None,
            "db_activity": sampler.top(),
        }
        if not exact or events_per_s < WEBHOOK_EVENTS_PER_S:
            out["cause"] = webhook_cause(gifts[0], prefix)
        return out

    # -------------------------------------------------------------- race

    def race(self) -> dict[str, Any]:
        from django.urls import reverse

        from bench.urls import EMPTY_POST
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
        job = {"kind": "burst", "posts": posts, "time_limit_s": self.cfg["race_cap"]}
        # Baseline: the same clients, cookies and CSRF posting at once to an empty view.
        empty_job = dict(job, posts=[dict(post, path=EMPTY_POST) for post in posts])
        empty = summary(load(self.port, [empty_job], self.env)[0])
        if set(empty["statuses"]) != {"302"}:
            # Not the baseline it claims to be (the redirect of a logged-in POST): drop it.
            empty = {"error": f"the empty POST answered {empty['statuses']}", "p95_ms": None}
        with ActivitySampler(self.db_url) as sampler:
            result = summary(load(self.port, [job], self.env)[0])
        if "timeout" in result["statuses"]:
            time.sleep(5)  # requests the clients gave up on may still finish on the server
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
            "empty_post": empty,
            "ratio_p95_to_empty_post": rounded(result["p95_ms"] / empty["p95_ms"], 2)
            if empty["p95_ms"]
            else None,
            "time_limit_s": self.cfg["race_cap"],
            "db_activity": sampler.top(),
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

        from django.core.cache import cache

        from notifications.models import Message, Status
        from notifications.tasks import FOLLOW_UP_KEY, sweep_outbox_task

        wanted = self.cfg["reminders"]
        made = insert_reminders(wanted)
        lpush = redis_benchmark(self.redis_url, self.cfg["redis_benchmark_requests"])
        pgbench = pgbench_rate(self.db_url, self.cfg["pgbench_seconds"])
        due = datetime.now(UTC)
        Message.objects.filter(kind="shift.reminder").update(scheduled_for=due)
        started = time.monotonic()
        sweeps = 0
        deadline = started + self.cfg["sweep_timeout"]
        sampler = ActivitySampler(self.db_url).__enter__()
        cache.delete(FOLLOW_UP_KEY)
        next_beat = started
        while time.monotonic() < deadline:
            # As in production: beat's sweep once a minute (here in-process); the sweeps
            # that follow up a backlog every few seconds run in the Celery workers.
            if time.monotonic() >= next_beat:
                sweep_outbox_task()
                sweeps += 1
                next_beat += 60
            time.sleep(2.0)  # the COUNT below is itself work for the database
            finished = Message.objects.filter(
                kind="shift.reminder", status__in=[Status.SENT, Status.CANCELLED, Status.FAILED]
            ).count()
            if finished >= made:
                break
        by_status = {
            row["status"]: row["n"]
            for row in Message.objects.filter(kind="shift.reminder")
            .values("status")
            .annotate(n=_count())
        }
        sampler.__exit__()
        timed_out = time.monotonic() >= deadline
        if timed_out:
            stop_sweep()
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
            "time_limit_s": self.cfg["sweep_timeout"],
            "capped": timed_out and not complete,
            "messages_per_s": rounded(rate),
            "sweeps": sweeps,
            "db_activity": sampler.top(),
            "redis_lpush_per_s": lpush,
            "pgbench_simple_update_tps": pgbench,
            "ratio_to_lpush": rounded(rate / lpush, 5) if lpush else None,
            "ratio_to_pgbench": rounded(rate / pgbench, 4) if pgbench else None,
            "note": (
                "The bench runs beat's sweep task once a minute (in-process, the first at "
                "the moment all are due); a sweep hands out at most "
                "NOTIFICATIONS_SWEEP_MAX_BATCHES x NOTIFICATIONS_SWEEP_BATCH_SIZE rows and "
                "keeps no more than NOTIFICATIONS_SWEEP_MAX_IN_FLIGHT in 'sending', and "
                "while a backlog remains a follow-up sweep runs in the workers every "
                "NOTIFICATIONS_SWEEP_FOLLOW_UP_SECONDS (5 s); one Celery task per batch of "
                "NOTIFICATIONS_TASK_BATCH_SIZE (100) messages on 2 worker processes, locmem "
                "e-mail."
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
        try:
            out["cause"] = sweep_cause()
        except Exception as exc:
            out["cause"] = {"error": f"{type(exc).__name__}: {exc}"}
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
        capped = run.status not in (StatementRunStatus.DONE, StatementRunStatus.FAILED)
        try:
            cause = statements_cause()
        except Exception as exc:
            cause = {"error": f"{type(exc).__name__}: {exc}"}
        if capped:
            # Time cap: the figures so far stand; the run is closed so none is left running
            # (the task itself stops with the workers).
            StatementRun.objects.filter(pk=run.pk).update(
                status=StatementRunStatus.FAILED, error="bench: time cap reached"
            )
        return {
            "year": year,
            "donors": expected,
            "status": run.status,
            "done": run.done,
            "emailed": run.emailed,
            "seconds": rounded(seconds, 2),
            "statements_per_s": rounded(run.done / seconds, 2) if seconds > 0 else 0.0,
            "complete": run.status == StatementRunStatus.DONE,
            "capped": capped,
            "timeout_s": self.cfg["statement_timeout"],
            "run_error": run.error,
            "cause": cause,
            "note": "One Celery task (donations.run_statements) makes the PDFs in turn; "
            "the second worker process sends the e-mails it queues.",
        }

    # -------------------------------------------------------------- all

    def run(self, only: frozenset[str] = SECTIONS) -> dict[str, Any]:
        """Every section, or the ``only`` ones (``--only sweep``: one figure, before/after)."""
        self.setup()
        web = [("pages", self.pages), ("webhooks", self.webhooks), ("race", self.race)]
        if only & {name for name, _ in web}:
            with self.gunicorn():
                for name, measure in web:
                    if name in only:
                        self.section(name, measure)
        self.quiet_outbox()
        with self.celery_workers():
            for name, measure in (("sweep", self.sweep), ("statements", self.statements)):
                if name in only:
                    self.section(name, measure)
        from bench.report import collect_misses

        self.report["misses"] = collect_misses(self.report)
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


def missed_targets(targets: dict[str, Any]) -> list[str]:
    """The names of the checks that failed (None or ``applies: False``: not checked here)."""
    return [
        name
        for name, check in targets.items()
        if check and check.get("applies", True) and not check["pass"]
    ]


def query_shapes(queries: list[str]) -> list[str]:
    """Each SELECT reduced to its first table, to compare two scales' statements."""
    shapes = []
    for sql in queries:
        found = re.search(r'\bFROM\s+"?([\w.]+)"?', sql)
        shapes.append(found.group(1) if found else sql[:40])
    return shapes


def recorded_report_path(scale: str) -> Path:
    """Where each scale's last complete report is kept (for the query-count comparison)."""
    return OUT_DIR / f"report-{scale}.json"


def git_commit() -> str:
    """The checkout's short commit, with "+changes" when tracked files differ from it."""
    git = shutil.which("git")
    if git is None:
        return ""

    def output(*args: str) -> str:
        return subprocess.run(
            [git, *args], cwd=BASE_DIR, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    with suppress(OSError, subprocess.SubprocessError):
        dirty = output("status", "--porcelain", "--untracked-files=no")
        return output("rev-parse", "--short", "HEAD") + ("+changes" if dirty else "")
    return ""


def page_targets(row: dict[str, Any], scale: str) -> dict[str, Any]:
    other = row["queries_other_scale"]
    result: dict[str, Any] = {
        "same_queries_both_scales": target(other, "==", row["queries"])
        if other is not None
        else None,
        "ratio_page_floor": target(row["ratio_page_floor"], "<=", PAGE_FLOOR_RATIO),
        "p95_ms": target(row["latency"]["p95_ms"], "<", PAGE_P95_MS),
    }
    latency = row["latency"]
    if latency["capped"]:
        result["p95_ms"]["note"] = (
            f"capped: {latency['requests']} of {latency['requested']} requests in "
            f"{latency['time_limit_s']} s"
        )
        result["p95_ms"]["pass"] = False
    if scale != "default":
        result["p95_ms"]["note"] = "the target applies at default scale"
        result["p95_ms"]["applies"] = False
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


def replay(
    db_url: str, queries: list[str], repeats: int, *, time_limit: float = 0
) -> dict[str, Any]:
    """The page's SELECTs alone, in order, on one psycopg connection: the floor.

    ``repeats`` runs after 5 warm-up runs, or fewer when ``time_limit`` seconds run out
    (``capped``; the figures are those of the runs done).
    """
    import psycopg

    selects = [q for q in queries if q.lstrip().upper().startswith(("SELECT", "WITH"))]
    per_query: list[list[float]] = [[] for _ in selects]
    totals: list[float] = []
    error = ""
    deadline = time.monotonic() + time_limit if time_limit else float("inf")
    with psycopg.connect(db_url, autocommit=True) as conn, conn.cursor() as cursor:
        # One statement may take at most 60 s; then the floor is reported as cut short.
        cursor.execute(b"SET statement_timeout = 60000")
        # Warm-up: 5 runs, or fewer past a quarter of the time limit.
        warm_until = time.monotonic() + (deadline - time.monotonic()) / 4
        for _ in range(5):
            if time.monotonic() > warm_until:
                break
            for sql in selects:
                cursor.execute(sql.encode())
                if cursor.description:
                    cursor.fetchall()
        try:
            while len(totals) < repeats and (not totals or time.monotonic() < deadline):
                started = time.perf_counter()
                for index, sql in enumerate(selects):
                    before = time.perf_counter()
                    cursor.execute(sql.encode())
                    if cursor.description:
                        cursor.fetchall()
                    per_query[index].append((time.perf_counter() - before) * 1000)
                totals.append((time.perf_counter() - started) * 1000)
        except psycopg.errors.QueryCanceled:
            error = "a statement ran past 60 s (statement_timeout)"
    medians = [statistics.median(times) if times else 0.0 for times in per_query]
    return {
        "queries_replayed": len(selects),
        "queries_skipped": len(queries) - len(selects),
        "runs": len(totals),
        "capped": len(totals) < repeats,
        "error": error,
        "p50_ms": rounded(percentile(totals, 50), 2),
        "p95_ms": rounded(percentile(totals, 95), 2),
        "per_query_median_ms": [rounded(m, 3) for m in medians],
        "sql": selects,
    }


def slowest_query(db_url: str, floor: dict[str, Any], *, timeout_s: float) -> dict[str, Any] | None:
    """The page's slowest SELECT (by its replayed median) with its EXPLAIN (ANALYZE, BUFFERS).

    Past ``timeout_s`` the plan is the planner's estimate alone (EXPLAIN without ANALYZE).
    """
    import psycopg

    medians: list[float] = floor["per_query_median_ms"]
    if not medians:
        return None
    index = max(range(len(medians)), key=medians.__getitem__)
    sql: str = floor["sql"][index]
    analyzed = True
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"SET statement_timeout = {int(timeout_s * 1000)}".encode())
        try:
            rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}".encode()).fetchall()
        except psycopg.errors.QueryCanceled:
            analyzed = False
            rows = conn.execute(f"EXPLAIN {sql}".encode()).fetchall()
    return {
        "index": index,
        "median_ms": medians[index],
        "share_of_floor": rounded(medians[index] / max(sum(medians), 1e-9), 2),
        "sql": sql,
        "analyzed": analyzed,
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
    from tqdm import tqdm

    from bench.seed import copy_rows
    from notifications.models import Channel, Message, Status
    from volunteers.models import ShiftSignup, ShiftSignupStatus, ShiftStatus
    from volunteers.services.notify import shift_context
    from volunteers.services.reminders import REMINDER_KIND, reminder_key

    signups = list(
        ShiftSignup.objects.filter(
            status=ShiftSignupStatus.CONFIRMED,
            shift__status=ShiftStatus.PUBLISHED,
            shift__starts_at__gt=timezone.now() + timedelta(hours=6),
        )
        .select_related("shift__role", "shift__location", "volunteer")
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
                # JSON columns as Python values: the COPY writer encodes them (bench.seed).
                "context": shift_context(shift, signup.volunteer.preferred_language)
                | {"signup_id": signup.pk, "lead_hours": 3},
                "attachments": [],
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


class ActivitySampler:
    """What the bench database's sessions wait on while a load runs (pg_stat_activity).

    A thread samples the active sessions every 0.2 s; ``top`` gives the commonest
    (wait event, statement) pairs: lock waits name the contended row or lock.
    """

    def __init__(self, db_url: str) -> None:
        import threading

        self.db_url = db_url
        self.samples: dict[str, int] = {}
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ActivitySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        with suppress(psycopg.Error), psycopg.connect(self.db_url, autocommit=True) as conn:
            while not self._stop.wait(0.2):
                rows = conn.execute(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU'), "
                    "left(regexp_replace(query, '\\s+', ' ', 'g'), 140) "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state = 'active' AND pid <> pg_backend_pid()"
                ).fetchall()
                self.rounds += 1
                for wait, query in rows:
                    key = f"{wait} | {query}"
                    self.samples[key] = self.samples.get(key, 0) + 1

    def top(self, limit: int = 6) -> dict[str, Any]:
        ranked = sorted(self.samples.items(), key=lambda item: -item[1])[:limit]
        return {
            "rounds": self.rounds,
            "note": "active sessions sampled every 0.2 s: (wait event | statement): samples",
            "top": [f"{count}: {key}" for key, count in ranked],
        }


def statements_cause() -> dict[str, Any]:
    """One more statement PDF in-process: its queries, time and where the time goes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.seed import statement_year
    from donations.services.statements import donors_for_year, statement_pdf

    year = statement_year()
    donor = donors_for_year(year).order_by("pk").first()
    if donor is None:
        return {}
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as context:
        _pdf, hot = profile_top(lambda: statement_pdf(donor=donor, year=year))
    elapsed = (time.perf_counter() - started) * 1000
    slowest = max(context.captured_queries, key=lambda q: float(q["time"]), default=None)
    return {
        "one_statement_ms_in_process": rounded(elapsed, 2),
        "queries_per_statement": len(context.captured_queries),
        "sql_ms": rounded(sum(float(q["time"]) for q in context.captured_queries) * 1000, 1),
        "profile_cumulative": hot,
        "slowest_statement": str(slowest["sql"])[:300] if slowest else "",
        "slowest_statement_ms": rounded(float(slowest["time"]) * 1000, 2) if slowest else None,
    }


def stop_sweep() -> None:
    """The sweep's time cap: drop the queued tasks and cancel what is still unsent."""
    from config.celery import app
    from notifications.models import Message, Status

    app.control.purge()
    Message.objects.filter(
        kind="shift.reminder", status__in=[Status.PENDING, Status.SENDING]
    ).update(status=Status.CANCELLED)
    # Tasks a worker had already taken finish quickly (the rows are no longer theirs).
    time.sleep(2)


def redis_benchmark(redis_url: str, requests: int) -> float | None:
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
            str(requests),
            "-c",
            "8",
            "--csv",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
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
    subprocess.run(
        [exe, "-i", "-q", "-s", "1", db_url], capture_output=True, check=True, timeout=120
    )
    try:
        out = subprocess.run(
            [exe, "-N", "-n", "-c", "2", "-j", "2", "-T", str(seconds), db_url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
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
    """What one reminder costs a worker: its queries, counted on one extra message (a batch
    of one), and what a batch of up to 100 costs (``batch``)."""
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
        "batch": sweep_batch_cause(),
    }


def sweep_batch_cause(size: int = 100) -> dict[str, Any]:
    """One batch as a worker's task sends it: its queries and time, per message too."""
    from django.core import mail
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext, override_settings

    from notifications.models import Message, Status
    from notifications.services import deliver_messages

    ids = list(
        Message.objects.filter(kind="shift.reminder", status=Status.SENT).values_list(
            "pk", flat=True
        )[:size]
    )
    if not ids:
        return {}
    Message.objects.filter(pk__in=ids).update(
        status=Status.PENDING, claimed_by="", scheduled_for=F("created_at")
    )
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as context:
            outcomes, hot = profile_top(lambda: deliver_messages(message_ids=ids))
        elapsed = (time.perf_counter() - started) * 1000
    return {
        "messages": len(ids),
        "outcomes": dict(Counter(outcomes.values())),
        "queries": len(context.captured_queries),
        "ms_in_process": rounded(elapsed, 2),
        "ms_per_message": rounded(elapsed / len(ids), 3),
        "profile_cumulative": hot,
    }


def webhook_cause(gift: Any, prefix: str) -> dict[str, Any]:
    """One more invoice.paid event through receive_event, in-process: its queries and time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from donations.stripe_integration.intake import receive_event
    from donations.stripe_integration.offline_events import (
        build_event,
        encode,
        invoice,
        sign_payload,
    )

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
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SECTIONS),
        help="measure only this section (repeatable); default: all",
    )
    args = parser.parse_args()
    # Stopped (Ctrl-C, SIGTERM): unwind, so gunicorn and the workers are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    pg_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    check_services(pg_url, redis_url)
    started = time.monotonic()
    bench = Bench(args.scale, pg_url, redis_url, args.workers, args.threads)
    from bench.report import write_reports

    failed: BaseException | None = None
    try:
        bench.run(frozenset(args.only) if args.only else SECTIONS)
    except BaseException as exc:
        # The harness itself failed (not a missed target): write what there is, exit non-zero.
        failed = exc
        bench.report["harness_error"] = f"{type(exc).__name__}: {exc}"
        bench.report["harness_traceback"] = traceback.format_exc()
    report = bench.report
    report["total_seconds"] = rounded(time.monotonic() - started)
    md, js = write_reports(report, BASE_DIR / "bench")
    if failed is None and not args.only:  # a partial run is not the scale's last report
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(js, recorded_report_path(args.scale))
    log(f"wrote {md} and {js} in {report['total_seconds']} s")
    if failed is not None:
        log(f"the harness failed: {report['harness_error']}")
        sys.exit(1)
    misses = report.get("misses", [])
    log(f"{len(misses)} target(s) missed; see the report (exit 0: misses are findings)")


if __name__ == "__main__":
    main()
