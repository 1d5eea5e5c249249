"""A small HTTP load generator, run as its own process: ``python -m bench.load < jobs.json``.

Threads with keep-alive ``http.client`` connections (one per client thread). Reads a list of
jobs as JSON on stdin and writes one result per job as JSON on stdout. No Django here.

A job: {"kind": "get", "path", "cookies", "requests", "concurrency", "warmup"}
       {"kind": "post", "posts": [{"path", "body", "headers", "cookies"}], "concurrency",
        "stripe_secret"?}  (each body is signed just before it is sent when a secret is given)
       {"kind": "burst", "posts": [...]}: one thread per post, released together.
A result: {"latencies_ms": [...], "statuses": {code: n}, "wall_s", "requests"}.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import queue
import sys
import threading
import time
from typing import Any

Job = dict[str, Any]


def stripe_signature(body: str, secret: str) -> str:
    """The Stripe-Signature header for ``body`` now (Stripe's v1 scheme: HMAC-SHA256)."""
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


class Client:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=120)

    def request(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[int, float]:
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                return response.status, elapsed
            except (http.client.HTTPException, ConnectionError):
                # The server closed a kept-alive connection: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _headers(cookies: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    headers = {"Host": "127.0.0.1", "User-Agent": "bench-load"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    headers.update(extra or {})
    return headers


def run_get(host: str, port: int, job: Job) -> dict[str, Any]:
    total, concurrency = int(job["requests"]), int(job["concurrency"])
    headers = _headers(job.get("cookies", {}))
    path = job["path"]
    warm = Client(host, port)
    for _ in range(int(job.get("warmup", 3))):
        warm.request("GET", path, None, headers)
    tickets: queue.Queue[int] = queue.Queue()
    for n in range(total):
        tickets.put(n)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def worker() -> None:
        client = Client(host, port)
        while True:
            try:
                tickets.get_nowait()
            except queue.Empty:
                return
            status, ms = client.request("GET", path, None, headers)
            with lock:
                latencies.append(ms)
                statuses[str(status)] = statuses.get(str(status), 0) + 1

    return _timed(worker, concurrency, latencies, statuses)


def run_posts(host: str, port: int, job: Job, *, burst: bool) -> dict[str, Any]:
    posts: list[dict[str, Any]] = job["posts"]
    secret = job.get("stripe_secret") or ""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    tickets: queue.Queue[dict[str, Any]] = queue.Queue()
    for post in posts:
        tickets.put(post)
    concurrency = len(posts) if burst else int(job["concurrency"])
    # A burst: every client connects first, then all send at once.
    barrier = threading.Barrier(concurrency) if burst else None

    def send(client: Client, post: dict[str, Any]) -> None:
        extra = {"Content-Type": post.get("content_type", "application/json")}
        extra.update(post.get("headers", {}))
        if secret:
            extra["Stripe-Signature"] = stripe_signature(post["body"], secret)
        status, ms = client.request(
            "POST", post["path"], post["body"], _headers(post.get("cookies", {}), extra)
        )
        with lock:
            latencies.append(ms)
            statuses[str(status)] = statuses.get(str(status), 0) + 1

    def worker() -> None:
        client = Client(host, port)
        if barrier is not None:
            client.conn.connect()
            post = tickets.get_nowait()
            barrier.wait()
            send(client, post)
            return
        while True:
            try:
                post = tickets.get_nowait()
            except queue.Empty:
                return
            send(client, post)

    return _timed(worker, concurrency, latencies, statuses)


def _timed(
    worker: Any, concurrency: int, latencies: list[float], statuses: dict[str, int]
) -> dict[str, Any]:
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "latencies_ms": latencies,
        "statuses": statuses,
        "wall_s": wall,
        "requests": len(latencies),
        "concurrency": concurrency,
    }


def main() -> None:
    spec = json.load(sys.stdin)
    host, port = spec["host"], int(spec["port"])
    results = []
    for job in spec["jobs"]:
        if job["kind"] == "get":
            results.append(run_get(host, port, job))
        else:
            results.append(run_posts(host, port, job, burst=job["kind"] == "burst"))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
