"""A fake broker for outbox tests: the send tasks the sweep hands out are recorded, not sent.

Loaded for every test by tests/conftest.py (``pytest_plugins``): any test may ask for the
``published`` fixture, run ``sweep_outbox`` and deliver what it enqueued itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


class Published(list[tuple[int, str]]):
    """(message id, reservation) of every id handed to the (fake) broker, in order; the
    tasks themselves (a batch of ids each) are in ``tasks``."""

    broken = False

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[tuple[list[int], str]] = []
        self.queues: list[str] = []  # each task's queue

    def ids(self) -> list[int]:
        return [message_id for message_id, _reservation in self]

    def clear(self) -> None:
        super().clear()
        self.tasks.clear()
        self.queues.clear()


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[Published]:
    """Replace the broker: tasks are recorded, not sent. Set ``.broken`` to refuse them."""
    sent = Published()

    class FakeConnection:
        def ensure_connection(self, **options: Any) -> None:
            if sent.broken:
                raise ConnectionRefusedError("broker down")

        def collect(self) -> None:
            return None

    class FakeProducer:
        connection = FakeConnection()

    class FakeConf:
        task_default_queue = "celery"

    class FakeApp:
        conf = FakeConf()

        @contextmanager
        def producer_or_acquire(self) -> Iterator[FakeProducer]:
            yield FakeProducer()

        @staticmethod
        def send_task(name: str, args: tuple[Any, ...], queue: str, **options: Any) -> None:
            assert name == "notifications.send_messages"
            ids, reservation = list(args[0]), args[1]
            sent.tasks.append((ids, reservation))
            sent.queues.append(queue)
            sent.extend((message_id, reservation) for message_id in ids)

    import notifications.services.dispatch

    monkeypatch.setattr(notifications.services.dispatch, "current_app", FakeApp())
    yield sent
