"""Login throttling: after too many failures for one address or one client, wait."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: behind NUM_PROXIES trusted proxies, the one they saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so
    the entry NUM_PROXIES from the end is the first one no client could forge.
    """
    proxies: int = settings.NUM_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    return str(request.META.get("REMOTE_ADDR", ""))


def _keys(email: str, request: HttpRequest | None) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    keys = [f"login-fail:email:{digest}"]
    if request is not None:
        keys.append(f"login-fail:ip:{client_ip(request)}")
    return keys


def is_blocked(email: str, request: HttpRequest | None) -> bool:
    limit: int = settings.LOGIN_MAX_FAILURES
    # The per-client limit is looser: several people may share an office's address.
    limits = [limit, limit * 4]
    counts = [cache.get(key, 0) for key in _keys(email, request)]
    return any(count >= lim for count, lim in zip(counts, limits, strict=False))


def record_failure(email: str, request: HttpRequest | None) -> None:
    window: int = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(email, request):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)


def reset(email: str) -> None:
    cache.delete(_keys(email, None)[0])
