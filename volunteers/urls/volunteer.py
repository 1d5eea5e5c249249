"""URLs of the volunteer-facing pages (included by volunteers/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from volunteers.views import (
    calendars,
    volunteer,
    volunteer_app,
    volunteer_home,
    volunteer_invitations,
    volunteer_photos,
    volunteer_schedule,
    volunteer_shifts,
)

urlpatterns: list[URLPattern] = [
    path("volunteer/", volunteer_home.home, name="home"),
    # The installable app: at the root, so the service worker's scope covers the site.
    path("manifest.webmanifest", volunteer_app.manifest, name="manifest"),
    path("sw.js", volunteer_app.service_worker, name="service_worker"),
    path("volunteer/sharing/", volunteer_home.contact_sharing, name="contact_sharing"),
    path("volunteer/availability/", volunteer_home.availability, name="availability"),
    path("volunteer/photo/", volunteer_photos.my_photo, name="my_photo"),
    path("volunteer/photo/remove/", volunteer_photos.my_photo_delete, name="my_photo_delete"),
    path("volunteer/photos/<int:user_id>/", volunteer_photos.profile_photo, name="profile_photo"),
    path("volunteer/apply/", volunteer.apply, name="apply"),
    path("volunteer/application/", volunteer.complete_application, name="complete_application"),
    path("volunteer/trainings/", volunteer.my_trainings, name="my_trainings"),
    path(
        "volunteer/trainings/sessions/<int:pk>/sign-up/",
        volunteer.session_sign_up,
        name="session_sign_up",
    ),
    path(
        "volunteer/trainings/sign-ups/<int:pk>/cancel/",
        volunteer.session_cancel,
        name="session_cancel",
    ),
    path("volunteer/trainings/evidence/", volunteer.submit_evidence, name="submit_evidence"),
    path("volunteer/documents/evidence/<int:pk>/", volunteer.evidence_file, name="evidence_file"),
    # Shifts (volunteers/views/volunteer_shifts.py).
    path("volunteer/shifts/", volunteer_shifts.open_shifts, name="open_shifts"),
    path(
        "volunteer/shifts/calendar/",
        calendars.volunteer_calendar_page,
        name="shift_calendar",
    ),
    path("volunteer/shifts/<int:pk>/", volunteer_shifts.shift_detail, name="shift_detail"),
    path(
        "volunteer/shifts/<int:pk>/sign-up/", volunteer_shifts.shift_sign_up, name="shift_sign_up"
    ),
    path("volunteer/shifts/<int:pk>/cancel/", volunteer_shifts.shift_cancel, name="shift_cancel"),
    path("volunteer/shifts/<int:pk>/offer/", volunteer_shifts.swap_offer, name="swap_offer"),
    path(
        "volunteer/shifts/<int:pk>/check-in/",
        volunteer_shifts.shift_check_in_form,
        name="shift_check_in_form",
    ),
    path(
        "volunteer/shifts/<int:pk>/check-in/<str:code>/",
        volunteer_shifts.shift_check_in,
        name="shift_check_in",
    ),
    path("volunteer/shifts/swaps/", volunteer_shifts.swap_offers, name="swap_offers"),
    path(
        "volunteer/shifts/swaps/<int:offer_pk>/accept/",
        volunteer_shifts.swap_accept,
        name="swap_accept",
    ),
    path(
        "volunteer/shifts/swaps/<int:offer_pk>/withdraw/",
        volunteer_shifts.swap_withdraw,
        name="swap_withdraw",
    ),
    path(
        "volunteer/invitations/<str:token>/",
        volunteer_invitations.invitation,
        name="invitation",
    ),
    path("volunteer/schedule/", volunteer_schedule.my_schedule, name="my_schedule"),
    path("volunteer/hours/", volunteer_schedule.my_hours, name="my_hours"),
    path("volunteer/calendar/", volunteer_schedule.my_calendar, name="calendar"),
    path("volunteer/calendar/reset/", volunteer_schedule.reset_calendar, name="calendar_reset"),
    path("calendar/<str:token>.ics", volunteer_schedule.calendar_feed, name="calendar_feed"),
]
