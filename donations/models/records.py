"""Coordinators' bookkeeping about donor records: merges of duplicates, CSV imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations.models.donors import Donor


class DonorMerge(models.Model):
    """One merge of a duplicate donor into the one kept: who, when, and what moved.

    The duplicate row is deleted by the merge, so it is described here by value (its id,
    name and e-mail). ``moved`` lists the ids that moved per relation, e.g.
    ``{"donations": [4, 9], "recurring_gifts": [2], "user": 17, "fields": ["city"]}``.
    """

    kept = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="merges")
    merged_donor_id = models.PositiveBigIntegerField()
    merged_name = models.CharField(max_length=200)
    merged_email = models.EmailField(max_length=254, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(default=timezone.now)
    moved = models.JSONField(default=dict)

    class Meta:
        ordering = ("-merged_at", "-pk")

    def __str__(self) -> str:
        return f"donor {self.merged_donor_id} merged into {self.kept_id}"


class GiftImport(models.Model):
    """One uploaded CSV file of past gifts, kept from preview to import.

    ``content`` is the file as text; ``content_sha256`` stops the same file from being
    imported twice. ``donation_ids`` lists the gifts the import made.
    """

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField(max_length=255)
    content = models.TextField()
    content_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    skipped_bad_rows = models.BooleanField(
        default=False, help_text=_("Imported only the good rows, on the coordinator's choice.")
    )
    donation_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["content_sha256"],
                condition=Q(imported_at__isnull=False),
                name="gift_import_file_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({'imported' if self.imported_at else 'preview'})"
