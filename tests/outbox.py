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

    def ids(self) -> list[int]:
        return [message_id for message_id, _reservation in self]

    def clear(self) -> None:
        super().clear()
        self.tasks.clear()


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

    class FakeApp:
        @contextmanager
        def producer_or_acquire(self) -> Iterator[FakeProducer]:
            yield FakeProducer()

    class FakeTask:
        app = FakeApp()

        @staticmethod
        def apply_async(args: tuple[Any, ...], **options: Any) -> None:
            ids, reservation = list(args[0]), args[1]
            sent.tasks.append((ids, reservation))
            sent.extend((message_id, reservation) for message_id in ids)

    import notifications.tasks

    monkeypatch.setattr(notifications.tasks, "send_messages", FakeTask)
    yield sent
