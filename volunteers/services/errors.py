from __future__ import annotations


class VolunteeringError(Exception):
    """A request that breaks a rule; the message says what to do, in plain words."""
