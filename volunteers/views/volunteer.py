"""Pages for volunteers (phone first): trainings, clearances, sessions, evidence, applying."""

from __future__ import annotations
