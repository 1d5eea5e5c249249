"""The bench harness's own parts: a capped load job, and misses named in the report."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bench.load import run_get
from bench.report import collect_misses, markdown


class SlowHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        time.sleep(0.2)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def slow_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_get_job_stops_at_its_time_limit_and_keeps_what_it_measured(slow_server: int) -> None:
    job = {"path": "/", "requests": 100, "concurrency": 1, "warmup": 0, "time_limit_s": 1}

    result = run_get("127.0.0.1", slow_server, job)

    assert result["capped"] is True
    assert result["requested"] == 100
    assert 3 <= result["requests"] <= 7
    assert result["statuses"] == {"200": result["requests"]}
    assert len(result["latencies_ms"]) == result["requests"]
    assert result["wall_s"] < 2


def test_a_missed_target_is_listed_with_its_cause_and_rendered() -> None:
    report: dict[str, Any] = {
        "scale": "small",
        "sections": {
            "race": {
                "clients": 200,
                "places": 20,
                "confirmed": 20,
                "p95_ms": 900.0,
                "server_ms_per_signup": 4.5,
                "signups_by_status": {"confirmed": 20, "waitlisted": 180},
                "note": "burst",
                "load": {"statuses": {"302": 200}, "p50_ms": 400.0, "max_ms": 950.0},
                "empty_post": {"p50_ms": 300.0, "p95_ms": 600.0, "statuses": {"302": 200}},
                "ratio_p95_to_empty_post": 1.5,
                "db_activity": {"rounds": 3, "note": "sampled", "top": ["9: Lock:tuple | SELECT"]},
                "targets": {
                    "exactly_20_confirmed": {"value": 20, "target": "== 20", "pass": True},
                    "p95_ms": {"value": 900.0, "target": "< 500", "pass": False},
                },
            },
            "statements": {"error": "RuntimeError: boom", "traceback": "..."},
        },
    }

    misses = collect_misses(report)
    report["misses"] = misses

    assert [(m["where"], m["target"]) for m in misses] == [
        ("statements", "section ran"),
        ("race", "p95_ms < 500"),
    ]
    assert "4.5 ms of server time per sign-up x 200 clients" in misses[1]["cause"]
    assert "9: Lock:tuple | SELECT" in misses[1]["cause"]
    assert "posting to an empty view: p95 600.0 ms" in misses[1]["cause"]
    text = markdown(report)
    assert "p95 600.0 ms, statuses {'302': 200}; race p95 / empty p95 = 1.50." in text
    assert "## Missed targets and their causes" in text
    assert "| race | p95_ms < 500 | 900.0 |" in text
    assert "**The section failed:** `RuntimeError: boom`" in text
