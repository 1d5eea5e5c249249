"""URLs of the donor portal: a donor's gifts, details, monthly gifts and documents."""

from __future__ import annotations

from django.urls import URLPattern, path

from donations.views import donor_portal, receipts

urlpatterns: list[URLPattern] = [
    path("donor/", donor_portal.home, name="home"),
    path("donor/details/", donor_portal.details, name="donor_details"),
    path(
        "donor/recurring/<int:pk>/cancel/",
        donor_portal.cancel_recurring,
        name="donor_cancel_recurring",
    ),
    path(
        "donor/recurring/<int:pk>/amount/",
        donor_portal.change_recurring,
        name="donor_change_recurring",
    ),
    path("donor/receipts/<int:pk>/pdf", receipts.donor_receipt_pdf, name="donor_receipt_pdf"),
    path(
        "donor/statements/<int:year>/pdf",
        receipts.donor_statement_pdf,
        name="donor_statement_pdf",
    ),
]
