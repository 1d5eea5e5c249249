"""URLs of the donor portal and of the coordinators' donor records and reports
(included by donations/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from donations.views import donor_portal as views_donor
from donations.views import records as views_records
from donations.views import reports as views_reports

P = "coordinator/giving/"

urlpatterns: list[URLPattern] = [
    path("donor/details/", views_donor.details, name="donor_details"),
    path(
        "donor/recurring/<int:pk>/cancel/",
        views_donor.cancel_recurring,
        name="donor_cancel_recurring",
    ),
    path(f"{P}donors/", views_records.donor_list, name="coord_donors"),
    path(f"{P}donors/duplicates/", views_records.duplicates, name="coord_duplicates"),
    path(f"{P}donors/merge/", views_records.merge, name="coord_merge"),
    path(f"{P}donors/export.csv", views_records.export_donors, name="coord_export_donors"),
    path(f"{P}donors/<int:pk>/", views_records.donor_profile, name="coord_donor"),
    path(f"{P}gifts/export.csv", views_records.export_gifts, name="coord_export_gifts"),
    path(f"{P}import/", views_records.import_upload, name="coord_import"),
    path(f"{P}import/<int:pk>/", views_records.import_preview, name="coord_import_preview"),
    path(f"{P}reports/", views_reports.report_page, name="coord_reports"),
    path(f"{P}reports/<slug:name>.csv", views_reports.report_csv, name="coord_report_csv"),
]
