"""Health checks: does the database answer, does the broker accept connections."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import get_resolver
from kombu import Connection

logger = logging.getLogger(__name__)

OK = "ok"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    url: str = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    with Connection(url, transport_options=options, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)


def warm_up() -> None:
    """Load at start-up what the first request would otherwise load: the URLconf with every
    view, and the broker's transport (for Redis, redis-py: about a second of imports, far
    more on a busy machine), so the first /healthz answers as fast as the next ones.
    Connects to nothing."""
    get_resolver().url_patterns  # noqa: B018 (evaluated for its imports)
    url: str = settings.CELERY_BROKER_URL
    Connection(url).release()  # resolves and imports the transport; a connection is lazy


def check_cache() -> None:
    cache.set("healthz", OK, 10)
    if cache.get("healthz") != OK:
        raise RuntimeError("cache did not return the value just written")


def check_worker(timeout: float = 5.0) -> None:
    from core.tasks import ping

    result = ping.delay().get(timeout=timeout)
    if result.get("pong") != OK:
        raise RuntimeError("unexpected ping reply")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "cache": check_cache,
}


def run_checks(*, include_worker: bool = False) -> dict[str, str]:
    """Run each check; the value is "ok" or a short, safe description of the failure."""
    checks = dict(CHECKS)
    if include_worker:
        checks["worker"] = check_worker
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # a health check reports every failure, never raises
            logger.warning("health check %s failed: %r", name, exc)
            results[name] = f"error: {type(exc).__name__}"
        else:
            results[name] = OK
    return results
