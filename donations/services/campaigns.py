"""Campaigns: what donors read of one (its name and description, in each language)."""

from __future__ import annotations

import json

from django.db import transaction

from accounts.models import User
from accounts.services import audit
from donations.models import Campaign

AUDITED = ("name", "description", "active", "public")


def _snapshot(campaign: Campaign) -> dict[str, object]:
    """The audited fields; the translations as JSON (as stored), not Python's repr."""
    texts = json.dumps(campaign.translations, ensure_ascii=False, sort_keys=True)
    return {**audit.snapshot(campaign, AUDITED), "translations": texts}


def save_campaign_texts(
    *,
    campaign: Campaign,
    name: str,
    description: str = "",
    active: bool,
    public: bool,
    translations: dict[str, dict[str, str]],
    by: User,
) -> Campaign:
    """Change what donors read of ``campaign`` and whether it takes gifts and has a page;
    its text in the other languages replaces what it had (empty: the default language's)."""
    with transaction.atomic():
        target = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = _snapshot(target)
        target.name = name.strip()
        target.description = description.strip()
        target.active = active
        target.public = public
        target.translations = translations
        target.full_clean()
        target.save()
        audit.record(
            "donations.campaign.changed",
            actor=by,
            obj=target,
            changes=audit.changed_fields(before, _snapshot(target)),
        )
    return target
