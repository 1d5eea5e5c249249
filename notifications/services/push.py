"""Web Push: one encrypted message (RFC 8291, aes128gcm) to each of a person's browsers,
signed with the VAPID key pair (RFC 8292), through pywebpush.

The push service's 404 and 410 say the subscription is gone: it is removed, never tried
again. Other 4xx (but 429) are permanent refusals; 429, 5xx and network errors are
retried by the outbox.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import transaction
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from accounts.models import User
from notifications import conf
from notifications.models import PushSubscription
from notifications.services.preferences import preferences_for

logger = logging.getLogger(__name__)

GONE = (404, 410)


class PushError(Exception):
    """The push service could not take the message now: retried."""


class PushRejected(PushError):
    """Refused for good, or nowhere left to send it: not retried."""


def save_subscription(*, user: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Keep (or move to ``user``) a browser's subscription, and turn push on for them."""
    with transaction.atomic():
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
        )
        preference = preferences_for(user)
        if not preference.push_enabled:
            preference.push_enabled = True
            preference.save(update_fields=["push_enabled", "updated_at"])
    return subscription


def remove_subscription(*, user: User, endpoint: str) -> int:
    with transaction.atomic():
        return PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()[0]


class PushSender:
    """Sends a batch's pushes with one VAPID signer."""

    def __init__(self) -> None:
        self._vapid = Vapid.from_string(conf.vapid_private_key())

    def send(self, *, user_id: int, payload: dict[str, Any]) -> int:
        """Push ``payload`` to every browser of the person; how many took it."""
        subscriptions = list(PushSubscription.objects.filter(user_id=user_id).order_by("pk"))
        if not subscriptions:
            raise PushRejected("The recipient has no push subscription.")
        data = json.dumps(payload, separators=(",", ":"))
        delivered = gone = 0
        for subscription in subscriptions:
            try:
                webpush(
                    subscription_info={
                        "endpoint": subscription.endpoint,
                        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                    },
                    data=data,
                    vapid_private_key=self._vapid,
                    vapid_claims={"sub": conf.vapid_subject()},
                    ttl=24 * 3600,
                    timeout=conf.push_timeout(),
                )
            except WebPushException as exc:
                status = getattr(exc.response, "status_code", None)
                if status in GONE:
                    PushSubscription.objects.filter(pk=subscription.pk).delete()
                    gone += 1
                    continue
                if status is not None and 400 <= status < 500 and status != 429:
                    raise PushRejected(f"The push service answered {status}.") from exc
                raise PushError(f"The push service answered {status}.") from exc
            delivered += 1
        if not delivered:
            raise PushRejected(f"Every push subscription had expired ({gone} removed).")
        return delivered
