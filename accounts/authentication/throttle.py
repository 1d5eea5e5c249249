"""Login throttling: after too many failed attempts for one address or one client, wait.

Each attempt is counted *before* the password is checked (an atomic increment), so many
parallel guesses cannot all slip past the limit; a successful login gives its count back.
"""

from __future__ import annotations

import contextlib
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import normalize_email

# A client address may fail this many times more than one e-mail address: several people
# may share an office's or a training room's connection.
CLIENT_FACTOR = 4


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


def _email_key(email: str) -> str:
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    return f"login-attempts:email:{digest}"


def email_bucket(email: str) -> str:
    """A short, stable name for an address in throttle keys (the address is not stored)."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]


def _client_key(request: HttpRequest) -> str:
    return f"login-attempts:ip:{client_ip(request)}"


def _incr(key: str) -> int:
    window: int = settings.LOGIN_FAILURE_WINDOW_SECONDS
    cache.add(key, 0, window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def register_attempt(email: str, request: HttpRequest | None) -> bool:
    """Count one login attempt; False when the address or the client is over its limit."""
    limit: int = settings.LOGIN_MAX_FAILURES
    allowed = _incr(_email_key(email)) <= limit
    if request is not None:
        allowed = _incr(_client_key(request)) <= limit * CLIENT_FACTOR and allowed
    return allowed


def attempt_succeeded(email: str, request: HttpRequest | None) -> None:
    """A right password: forget the address's failures and give the client its attempt back."""
    cache.delete(_email_key(email))
    if request is not None:
        with contextlib.suppress(ValueError):
            cache.decr(_client_key(request))


def reset(email: str) -> None:
    """Lift the lock on an address (after its password was reset by e-mail)."""
    cache.delete(_email_key(email))


def allow(bucket: str, request: HttpRequest, *, limit: int, window: int) -> bool:
    """Count one use of a public form (sign-up, password reset) by this client.

    False once the client has used ``bucket`` more than ``limit`` times in ``window`` s.
    """
    key = f"form-uses:{bucket}:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        return int(cache.incr(key)) <= limit
    except ValueError:
        cache.set(key, 1, window)
        return True
