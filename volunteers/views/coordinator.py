"""Coordinator pages for volunteering: roles, trainings, sessions, clearances, applications."""

from __future__ import annotations
