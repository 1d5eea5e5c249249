"""URLs of the volunteer-facing pages (included by volunteers/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from volunteers.views import volunteer

urlpatterns: list[URLPattern] = [
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
]
