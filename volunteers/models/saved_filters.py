"""A coordinator's named filters of the volunteer directory."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_MAX = 80


class SavedFilter(models.Model):
    """The directory's filter as its address query ("status=active&qualification=3"), under a
    name its owner chose; resolved again each time it is used (people change)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "pk")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name
