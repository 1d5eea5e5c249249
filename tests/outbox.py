"""A fake broker for outbox tests: the send tasks the sweep hands out are recorded, not sent.

Loaded for every test by tests/conftest.py (``pytest_plugins``): any test may ask for the
``published`` fixture, run ``sweep_outbox`` and deliver what it enqueued itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


class Published(list[tuple[int, str]]):
    """(message id, reservation) of every send task handed to the (fake) broker."""

    broken = False

    def ids(self) -> list[int]:
        return [message_id for message_id, _reservation in self]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[Published]:
    """Replace the broker: tasks are recorded, not sent. Set ``.broken`` to refuse them."""
    sent = Published()

    class FakeConnection:
        def __enter__(self) -> FakeConnection:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def ensure_connection(self, **options: Any) -> None:
            if sent.broken:
                raise ConnectionRefusedError("broker down")

    class FakeApp:
        def connection_for_write(self) -> FakeConnection:
            return FakeConnection()

    class FakeTask:
        app = FakeApp()

        @staticmethod
        def apply_async(args: tuple[Any, ...], **options: Any) -> None:
            sent.append((args[0], args[1]))

    import notifications.tasks

    monkeypatch.setattr(notifications.tasks, "send_message", FakeTask)
    yield sent
