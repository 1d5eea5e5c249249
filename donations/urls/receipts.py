"""URLs of receipts, statements and offline gifts (included by donations/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from donations.views import receipts as views

P = "coordinator/giving/"

urlpatterns: list[URLPattern] = [
    path("donor/receipts/<int:pk>/pdf", views.donor_receipt_pdf, name="donor_receipt_pdf"),
    path("donor/statements/<int:year>/pdf", views.donor_statement_pdf, name="donor_statement_pdf"),
    path(f"{P}receipts/", views.receipt_list, name="coord_receipts"),
    path(f"{P}receipts/<int:pk>/resend/", views.receipt_resend, name="coord_receipt_resend"),
    path(f"{P}statements/", views.statement_runs, name="coord_statements"),
    path(
        f"{P}statements/runs/<int:pk>/",
        views.statement_run_progress,
        name="coord_statement_run",
    ),
    path(
        f"{P}statements/<int:year>/donors/<int:donor_id>/pdf",
        views.coord_statement_pdf,
        name="coord_statement_pdf",
    ),
    path(f"{P}offline-gift/", views.offline_gift, name="coord_offline_gift"),
    path(f"{P}donors/search/", views.donor_search, name="coord_donor_search"),
    path(f"{P}deposits/", views.deposit_list, name="coord_deposits"),
    path(f"{P}deposits/<int:pk>/", views.deposit_detail, name="coord_deposit"),
    path(f"{P}deposits/<int:pk>/lines/", views.deposit_add_line, name="coord_deposit_add_line"),
    path(
        f"{P}deposits/<int:pk>/lines/<int:line_id>/remove/",
        views.deposit_remove_line,
        name="coord_deposit_remove_line",
    ),
    path(f"{P}deposits/<int:pk>/post/", views.deposit_post, name="coord_deposit_post"),
]
