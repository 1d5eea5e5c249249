"""URLs of the coordinator pages for giving (included by donations/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from donations.views import coordinator as views

P = "coordinator/giving/"

urlpatterns: list[URLPattern] = [
    path(f"{P}donations/", views.donation_list, name="coord_donations"),
    path(f"{P}campaigns/", views.campaign_list, name="coord_campaigns"),
    path(f"{P}recurring/", views.recurring_list, name="coord_recurring"),
    path(f"{P}stripe-events/", views.event_list, name="coord_events"),
    path(f"{P}stripe-events/reprocess/", views.event_reprocess, name="coord_events_reprocess"),
]
