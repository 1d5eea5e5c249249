"""Volunteering pages: volunteer.py for volunteers, coordinator.py for coordinators."""

from __future__ import annotations

from volunteers.views.volunteer import home

__all__ = ["home"]
