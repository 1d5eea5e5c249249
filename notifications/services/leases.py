"""A worker's lease on the rows it claimed: renewed while it works, so it can be short.

A run's claim (``claimed_by = "run:<task id>"``) lasts NOTIFICATIONS_LEASE_SECONDS from
``claimed_at``. While a batch is being sent, a heartbeat thread renews it every third of
that, so a slow but live worker (an SMTP server taking a minute over one message) keeps its
rows, and the rows of a worker that died are taken back by the next sweep within a minute.

The lease also fences the sender: a message is handed to the provider only while the
lease was confirmed within the last half lease, and only if its row is still among those
the last renewal found held; otherwise the sender renews first, waiting for the database.

While the database cannot be reached the heartbeat cannot renew it there, so it marks the
claim alive in the cache (Redis) instead, and the sweep leaves alone the expired rows of a
claim the cache says is alive. Without that, the first sweep after a database outage
longer than the lease would take back the rows of every live worker, and the message a
worker had just sent, whose outcome it is still waiting to write, would go out twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from types import TracebackType

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from notifications import conf
from notifications.models import Message, Status
from notifications.services.unreachable import DATABASE_UNREACHABLE, backoff, drop_connection

logger = logging.getLogger(__name__)

ALIVE_KEY = "notifications:lease:{claim}"


def _alive_key(claim: str) -> str:
    return ALIVE_KEY.format(claim=claim)


def alive_claims(claims: Iterable[str]) -> set[str]:
    """The claims among ``claims`` whose worker marked them alive in the cache.

    A cache that cannot be reached says nothing: the database's lease alone decides.
    """
    keys = {_alive_key(claim): claim for claim in claims}
    if not keys:
        return set()
    try:
        found = cache.get_many(list(keys))
    except Exception:
        logger.warning("Outbox: the cache cannot be reached; leases are read from the database.")
        return set()
    return {keys[key] for key in found}


class Lease:
    """The lease of one run's claim, renewed by a thread while the batch is sent."""

    def __init__(self, claim: str, held: Iterable[int]) -> None:
        self.claim = claim
        self.held = set(held)
        self.confirmed = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease {claim}", daemon=True)

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def renew(self) -> bool:
        """Extend the claim on the rows still held, and learn which they are; False when
        the database cannot be reached (the claim is then marked alive in the cache)."""
        try:
            mine = Message.objects.filter(status=Status.SENDING, claimed_by=self.claim)
            mine.update(claimed_at=timezone.now())
            self.held = set(mine.values_list("pk", flat=True))
        except DATABASE_UNREACHABLE:
            drop_connection()
            try:
                cache.set(_alive_key(self.claim), 1, timeout=conf.lease_seconds())
            except Exception:
                logger.warning("Outbox: neither the database nor the cache can be reached.")
            return False
        self.confirmed = time.monotonic()
        return True

    def fresh(self) -> bool:
        return time.monotonic() - self.confirmed < conf.lease_seconds() / 2

    def holds(self, message_id: int) -> bool:
        """Whether this run may hand ``message_id`` to the provider now; renews the lease
        first (waiting for the database, with backoff) when it was not confirmed lately."""
        for delay in backoff():
            if self.fresh() or self.renew():
                break
            time.sleep(delay)
        return message_id in self.held

    def _beat(self) -> None:
        interval = conf.lease_seconds() / 3
        try:
            while not self._stop.wait(interval):
                interval = conf.lease_seconds() / 3 if self.renew() else 1.0
        finally:
            connection.close()  # this thread's own connection
