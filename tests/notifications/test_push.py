"""Web Push as the outbox's third channel, against a push service on 127.0.0.1: one
encrypted push per message whatever the workers and retries, 410 removes the browser."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Channel, Message, NotificationPreference, PushSubscription, Status
from notifications.services import deliver_messages, enqueue_message, run_claim
from tests.factories import make_user
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.notifications.push_service import Browser, PushService, start_push_service, vapid_keys

KIND = "shift.reminder"
CONTEXT = SAMPLE_CONTEXTS[KIND]


@pytest.fixture
def push_service(settings: Any) -> Iterator[PushService]:
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys()
    settings.VAPID_SUBJECT = "mailto:info@example.org"
    service = start_push_service()
    yield service
    service.server.shutdown()
    service.server.server_close()


def subscriber(service: PushService, name: str, **fields: Any) -> tuple[User, Browser]:
    person = make_user(**fields)
    NotificationPreference.objects.create(user=person, push_enabled=True)
    browser = Browser()
    PushSubscription.objects.create(
        user=person,
        endpoint=service.endpoint(name),
        p256dh=browser.p256dh,
        auth=browser.auth_secret,
    )
    return person, browser


def queue(person: User, key: str) -> Message:
    enqueue_message(recipient=person, kind=KIND, dedupe_key=key, context=CONTEXT)
    return Message.objects.get(recipient=person, channel=Channel.PUSH)


@pytest.mark.django_db
def test_a_message_is_one_encrypted_push_signed_with_vapid(
    push_service: PushService, settings: Any
) -> None:
    person, browser = subscriber(push_service, "ana")
    enqueue_message(recipient=person, kind=KIND, dedupe_key="reminder:1", context=CONTEXT)
    rows = {m.channel: m for m in Message.objects.filter(recipient=person)}
    assert sorted(rows) == [Channel.EMAIL, Channel.PUSH]
    assert rows[Channel.PUSH].dedupe_key == "reminder:1#push"

    assert deliver_messages(message_ids=[rows[Channel.PUSH].pk]) == {rows[Channel.PUSH].pk: "sent"}

    [push] = push_service.received
    assert push.headers["content-encoding"] == "aes128gcm"
    assert push.headers["ttl"] == str(24 * 3600)
    assert push.headers["authorization"].startswith("vapid t=")
    assert f"k={settings.VAPID_PUBLIC_KEY}" in push.headers["authorization"]
    assert CONTEXT["shift_title"].encode() not in push.body  # encrypted
    payload = browser.read(push)
    assert payload["title"].startswith("Reminder")
    assert payload["body"].startswith("Hope Line: Crisis text line, evening Tue 15 Jul 18:00")
    assert payload["url"] == CONTEXT["shift_url"]
    with pytest.raises(Exception):  # noqa: B017 (anyone else's keys cannot read it)
        Browser().read(push)


@pytest.mark.django_db
def test_without_a_subscription_or_vapid_keys_there_is_no_push_row(
    push_service: PushService, settings: Any
) -> None:
    person = make_user()
    NotificationPreference.objects.create(user=person, push_enabled=True)
    enqueue_message(recipient=person, kind=KIND, dedupe_key="k1", context=CONTEXT)
    other, _browser = subscriber(push_service, "other")
    settings.VAPID_PRIVATE_KEY = ""
    enqueue_message(recipient=other, kind=KIND, dedupe_key="k2", context=CONTEXT)
    assert list(Message.objects.values_list("channel", flat=True)) == [Channel.EMAIL] * 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_workers_and_a_retried_task_push_each_message_once(
    push_service: PushService,
) -> None:
    browsers = {}
    ids = []
    for index in range(20):
        person, browser = subscriber(push_service, f"b{index}")
        browsers[f"b{index}"] = browser
        ids.append(queue(person, f"reminder:{index}").pk)
    barrier = threading.Barrier(2)
    outcomes: list[dict[int, str]] = []

    def worker(task_id: str) -> None:
        try:
            barrier.wait()
            outcomes.append(deliver_messages(message_ids=ids, claim=run_claim(task_id)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"task-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # The first task is delivered again (acks_late after a lost ack): same claim, same ids.
    outcomes.append(deliver_messages(message_ids=ids, claim=run_claim("task-0")))

    assert Counter(push.name for push in push_service.received) == dict.fromkeys(browsers, 1)
    for push in push_service.received:
        assert browsers[push.name].read(push)["title"].startswith("Reminder")
    assert Counter(o for outcome in outcomes[:2] for o in outcome.values()) == {
        "sent": 20,
        "skipped": 20,
    }
    assert set(outcomes[2].values()) == {"skipped"}
    assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_a_push_service_outage_is_retried_and_pushed_once(push_service: PushService) -> None:
    person, browser = subscriber(push_service, "ana")
    message = queue(person, "reminder:1")
    push_service.answers["ana"].append(503)

    assert deliver_messages(message_ids=[message.pk]) == {message.pk: "retry"}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    Message.objects.filter(pk=message.pk).update(scheduled_for=timezone.now())
    assert deliver_messages(message_ids=[message.pk]) == {message.pk: "sent"}

    assert [p.status for p in push_service.received] == [503, 201]
    assert len(push_service.accepted()) == 1
    assert browser.read(push_service.accepted()[0])["url"] == CONTEXT["shift_url"]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [404, 410])
def test_an_expired_subscription_is_removed_not_retried(
    push_service: PushService, status: int
) -> None:
    person, _browser = subscriber(push_service, "gone")
    message = queue(person, "reminder:1")
    push_service.answers["gone"].append(status)

    assert deliver_messages(message_ids=[message.pk]) == {message.pk: "failed"}

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "expired" in message.last_error
    assert PushSubscription.objects.count() == 0
    assert len(push_service.received) == 1
    # Nothing left to push to: the next message goes by e-mail only.
    enqueue_message(recipient=person, kind=KIND, dedupe_key="reminder:2", context=CONTEXT)
    assert list(
        Message.objects.filter(dedupe_key__startswith="reminder:2").values_list(
            "channel", flat=True
        )
    ) == [Channel.EMAIL]


@pytest.mark.django_db
def test_a_browser_subscribes_and_unsubscribes(client: Client, push_service: PushService) -> None:
    person = make_user()
    client.force_login(person)
    browser = Browser()
    body = {
        "endpoint": push_service.endpoint("mine"),
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth_secret},
    }
    url = reverse("notifications:push_subscription")
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.p256dh) == (person, browser.p256dh)
    assert NotificationPreference.objects.get(user=person).push_enabled is True
    bad = client.post(
        url, json.dumps({"endpoint": "javascript:x"}), content_type="application/json"
    )
    assert bad.status_code == 400
    gone = client.post(f"{url}?remove=1", json.dumps(body), content_type="application/json")
    assert gone.json() == {"subscribed": False}
    assert PushSubscription.objects.count() == 0


@pytest.mark.django_db
def test_the_preferences_offer_notifications_only_when_push_is_configured(
    client: Client, settings: Any
) -> None:
    person = make_user()
    client.force_login(person)
    url = reverse("notifications:preferences")
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    assert "data-push-subscribe" not in client.get(url).content.decode()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys()
    html = client.get(url).content.decode()
    assert f'data-vapid-key="{settings.VAPID_PUBLIC_KEY}"' in html
    NotificationPreference.objects.filter(user=person).update(push_enabled=True)
    client.post(url, {"email_enabled": "on"})  # push left unticked: turned off
    assert NotificationPreference.objects.get(user=person).push_enabled is False


@pytest.mark.django_db
def test_push_goes_only_for_the_kinds_the_person_chose(
    client: Client, push_service: PushService
) -> None:
    person, browser = subscriber(push_service, "ana", phone="")
    url = reverse("notifications:preferences")
    client.force_login(person)
    html = client.get(url).content.decode()
    # Until they choose, every kind that can be pushed is ticked.
    for kind in (KIND, "training.session_reminder", "coordinator.group_message"):
        assert re.search(rf'<input[^>]*value="{re.escape(kind)}"[^>]*checked', html), kind
    assert "Shift reminders" in html and "Messages from coordinators" in html
    response = client.post(
        url,
        {
            "email_enabled": "on",
            "push_enabled": "on",
            "push_kinds": ["training.session_reminder", "coordinator.group_message"],
        },
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=person)
    assert preference.push_kinds == ["coordinator.group_message", "training.session_reminder"]

    enqueue_message(recipient=person, kind=KIND, dedupe_key="reminder:1", context=CONTEXT)
    assert list(Message.objects.filter(recipient=person).values_list("channel", flat=True)) == [
        Channel.EMAIL
    ]
    session = "training.session_reminder"
    enqueue_message(
        recipient=person, kind=session, dedupe_key="session:1", context=SAMPLE_CONTEXTS[session]
    )
    pushed = Message.objects.get(recipient=person, channel=Channel.PUSH)
    assert pushed.kind == session
    assert deliver_messages(message_ids=[pushed.pk]) == {pushed.pk: "sent"}
    [push] = push_service.received
    assert SAMPLE_CONTEXTS[session]["training_name"] in browser.read(push)["body"]

    # A push queued before the person untick its kind is not sent.
    enqueue_message(
        recipient=person, kind=session, dedupe_key="session:2", context=SAMPLE_CONTEXTS[session]
    )
    queued = Message.objects.get(dedupe_key="session:2#push")
    client.post(url, {"email_enabled": "on", "push_enabled": "on"})  # nothing ticked
    assert NotificationPreference.objects.get(user=person).push_kinds == []
    assert deliver_messages(message_ids=[queued.pk]) == {queued.pk: "cancelled"}
    assert len(push_service.received) == 1
