"""URLs of the staff pages for giving: donations, campaigns, monthly gifts, Stripe events,
donors, receipts, statements, offline gifts and deposits, imports and reports."""

from __future__ import annotations

from django.urls import URLPattern, path

from donations.views import (
    campaign_pages,
    coordinator,
    donate_page,
    donor_data,
    donor_work,
    receipts,
    records,
    reports,
    segments,
    stripe_import,
)

P = "coordinator/giving/"

urlpatterns: list[URLPattern] = [
    path(f"{P}donations/", coordinator.donation_list, name="coord_donations"),
    path(f"{P}campaigns/", coordinator.campaign_list, name="coord_campaigns"),
    path(f"{P}campaigns/<int:pk>/", campaign_pages.campaign_page, name="coord_campaign"),
    path(
        f"{P}campaigns/<int:pk>/impact/",
        campaign_pages.impact_save,
        name="coord_impact_save",
    ),
    path(
        f"{P}impact/<int:pk>/delete/",
        campaign_pages.impact_delete,
        name="coord_impact_delete",
    ),
    path(f"{P}donate-page/", donate_page.general_page, name="coord_donate_page"),
    path(
        f"{P}donate-page/impact/",
        donate_page.general_impact_save,
        name="coord_general_impact_save",
    ),
    path(f"{P}donate-page/amounts/", donate_page.amounts_save, name="coord_amounts_save"),
    path(f"{P}campaigns/<int:pk>/edit/", coordinator.campaign_edit, name="coord_campaign_edit"),
    path(f"{P}recurring/", coordinator.recurring_list, name="coord_recurring"),
    path(f"{P}stripe-events/", coordinator.event_list, name="coord_events"),
    path(
        f"{P}stripe-events/reprocess/", coordinator.event_reprocess, name="coord_events_reprocess"
    ),
    path(
        f"{P}stripe-reconciliation/",
        coordinator.stripe_reconciliation,
        name="coord_stripe_reconciliation",
    ),
    path(f"{P}stripe-import/", stripe_import.import_page, name="coord_stripe_import"),
    path(f"{P}stripe-import/start/", stripe_import.import_start, name="coord_stripe_import_start"),
    path(
        f"{P}stripe-events/<int:pk>/resolve/",
        coordinator.event_resolve,
        name="coord_event_resolve",
    ),
    # Donors
    path(f"{P}donors/", records.donor_list, name="coord_donors"),
    path(f"{P}donors/duplicates/", records.duplicates, name="coord_duplicates"),
    path(f"{P}donors/merge/", records.merge, name="coord_merge"),
    path(f"{P}donors/export.csv", records.export_donors, name="coord_export_donors"),
    path(f"{P}donors/tags/", segments.tag_donors, name="coord_donors_tag"),
    path(f"{P}donors/segments/", segments.segment_save, name="coord_segment_save"),
    path(
        f"{P}donors/segments/<int:pk>/delete/",
        segments.segment_delete,
        name="coord_segment_delete",
    ),
    path(
        f"{P}donors/segments/<int:pk>/export.csv",
        segments.segment_export,
        name="coord_segment_export",
    ),
    path(f"{P}donors/<int:pk>/", records.donor_profile, name="coord_donor"),
    path(f"{P}donors/<int:pk>/data/", donor_data.donor_data, name="coord_donor_data"),
    path(f"{P}donors/<int:pk>/data/export/", donor_data.donor_export, name="coord_donor_export"),
    path(f"{P}donors/<int:pk>/contacts/", donor_work.interaction_add, name="coord_interaction_add"),
    path(f"{P}donors/<int:pk>/tasks/", donor_work.task_add, name="coord_task_add"),
    path(f"{P}tasks/<int:pk>/done/", donor_work.task_done, name="coord_task_done"),
    path(f"{P}donors/search/", receipts.donor_search, name="coord_donor_search"),
    path(f"{P}gifts/export.csv", records.export_gifts, name="coord_export_gifts"),
    path(f"{P}import/", records.import_upload, name="coord_import"),
    path(f"{P}import/<int:pk>/", records.import_preview, name="coord_import_preview"),
    # Receipts, statements, offline gifts and deposits
    path(f"{P}receipts/", receipts.receipt_list, name="coord_receipts"),
    path(f"{P}receipts/<int:pk>/resend/", receipts.receipt_resend, name="coord_receipt_resend"),
    path(f"{P}statements/", receipts.statement_runs, name="coord_statements"),
    path(
        f"{P}statements/runs/<int:pk>/",
        receipts.statement_run_progress,
        name="coord_statement_run",
    ),
    path(
        f"{P}statements/<int:year>/donors/<int:donor_id>/pdf",
        receipts.coord_statement_pdf,
        name="coord_statement_pdf",
    ),
    path(
        f"{P}donations/<int:pk>/dedication-letter.pdf",
        receipts.tribute_letter,
        name="coord_tribute_letter",
    ),
    path(f"{P}offline-gift/", receipts.offline_gift, name="coord_offline_gift"),
    path(f"{P}deposits/", receipts.deposit_list, name="coord_deposits"),
    path(f"{P}deposits/<int:pk>/", receipts.deposit_detail, name="coord_deposit"),
    path(f"{P}deposits/<int:pk>/lines/", receipts.deposit_add_line, name="coord_deposit_add_line"),
    path(
        f"{P}deposits/<int:pk>/lines/<int:line_id>/remove/",
        receipts.deposit_remove_line,
        name="coord_deposit_remove_line",
    ),
    path(f"{P}deposits/<int:pk>/post/", receipts.deposit_post, name="coord_deposit_post"),
    # Reports
    path(f"{P}reports/", reports.report_page, name="coord_reports"),
    path(f"{P}reports/<slug:name>.csv", reports.report_csv, name="coord_report_csv"),
]
