"""A small HTTP load generator, run as its own process: ``python -m bench.load < jobs.json``.

Threads with keep-alive ``http.client`` connections (one per client thread). Reads a list of
jobs as JSON on stdin and writes one result per job as JSON on stdout. No Django here.

A job: {"kind": "get", "path", "cookies", "requests", "concurrency", "warmup"}
       {"kind": "post", "posts": [{"path", "body", "headers", "cookies"}], "concurrency",
        "stripe_secret"?}  (each body is signed just before it is sent when a secret is given)
       {"kind": "burst", "posts": [...]}: one thread per post, released together.
Every job may carry "time_limit_s": past it no new request starts (warm-up included), a
request in flight may take at most that long (socket timeout; counted as status "timeout"),
and the result says ``capped`` with the figures of the requests done so far. A post may carry
a "tag"; the result lists the tags of the posts that were sent.
A result: {"latencies_ms": [...], "statuses": {code: n}, "wall_s", "requests", "requested",
"capped", "tags"}.
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
    def __init__(self, host: str, port: int, timeout: float = 120) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def request(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[int | str, float]:
        """(status, ms); the status is "timeout" when no answer came within the timeout."""
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = self._connect()
                return response.status, elapsed
            except TimeoutError:
                elapsed = (time.perf_counter() - started) * 1000
                self.conn.close()
                self.conn = self._connect()
                return "timeout", elapsed
            except (OSError, http.client.HTTPException):
                # The server closed a kept-alive connection: reconnect once.
                self.conn.close()
                self.conn = self._connect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _deadline(job: Job) -> tuple[float, float]:
    """(monotonic deadline, per-request socket timeout) of a job."""
    limit = float(job.get("time_limit_s") or 0)
    if limit <= 0:
        return float("inf"), 120.0
    return time.monotonic() + limit, max(1.0, min(120.0, limit))


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
    deadline, timeout = _deadline(job)
    warm = Client(host, port, timeout)
    # Warm-up may use at most a quarter of the time limit.
    warm_until = time.monotonic() + (deadline - time.monotonic()) / 4
    for _ in range(int(job.get("warmup", 3))):
        if time.monotonic() > warm_until:
            break
        warm.request("GET", path, None, headers)
    warm.conn.close()
    tickets: queue.Queue[int] = queue.Queue()
    for n in range(total):
        tickets.put(n)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def worker() -> None:
        client = Client(host, port, timeout)
        try:
            while time.monotonic() < deadline:
                try:
                    tickets.get_nowait()
                except queue.Empty:
                    return
                status, ms = client.request("GET", path, None, headers)
                with lock:
                    latencies.append(ms)
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
        finally:
            client.conn.close()

    result = _timed(worker, concurrency, latencies, statuses)
    result.update(requested=total, capped=len(latencies) < total, tags=[])
    return result


def run_posts(host: str, port: int, job: Job, *, burst: bool) -> dict[str, Any]:
    posts: list[dict[str, Any]] = job["posts"]
    secret = job.get("stripe_secret") or ""
    deadline, timeout = _deadline(job)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    tags: list[Any] = []
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
            if "tag" in post:
                tags.append(post["tag"])

    def worker() -> None:
        client = Client(host, port, timeout)
        try:
            if barrier is not None:
                client.conn.connect()
                post = tickets.get_nowait()
                barrier.wait()
                send(client, post)
                return
            while time.monotonic() < deadline:
                try:
                    post = tickets.get_nowait()
                except queue.Empty:
                    return
                send(client, post)
        finally:
            client.conn.close()

    result = _timed(worker, concurrency, latencies, statuses)
    result.update(requested=len(posts), capped=len(latencies) < len(posts), tags=tags)
    return result


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
