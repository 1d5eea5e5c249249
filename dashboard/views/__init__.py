"""The dashboard's pages: one module per area (pages: home and records; messages: groups)."""

from dashboard.views.pages import coordinator_home, home, person_record

__all__ = ["coordinator_home", "home", "person_record"]
