from __future__ import annotations


class OutboxError(Exception):
    """A request the outbox refuses, with a message fit to show a coordinator."""
