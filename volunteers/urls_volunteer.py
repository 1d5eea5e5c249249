"""URLs of the volunteer-facing pages (included by volunteers/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
