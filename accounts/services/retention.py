"""Retention: records kept no longer than their category's limit.

Each app registers its rules (``register_rule`` in its ``AppConfig.ready``): a category
name, the setting ``RETENTION_DAYS[<category>]`` giving its limit in days, and a function
that removes the rows older than a cut-off and says how many. ``run_retention`` runs every
rule in one transaction each, logs and audits the counts, and returns them. Beat runs it
daily (accounts.tasks.run_retention), and ``manage.py run_retention`` by hand. A limit
of 0 (or none) switches a category off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEntry, MagicLinkToken
from accounts.services import audit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionRule:
    category: str
    description: str
    # Removes what is past the cut-off (made, sent or ended before it); returns how many.
    apply: Callable[[datetime], int]


_RULES: dict[str, RetentionRule] = {}


def register_rule(rule: RetentionRule) -> None:
    _RULES[rule.category] = rule


def rules() -> list[RetentionRule]:
    return [_RULES[name] for name in sorted(_RULES)]


def limit_days(category: str) -> int:
    """The configured limit of ``category`` in days (0: kept for ever)."""
    return int(settings.RETENTION_DAYS.get(category) or 0)


def run_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Apply every rule with a limit; ``{category: rows removed}``."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for rule in rules():
        days = limit_days(rule.category)
        if days <= 0:
            continue
        with transaction.atomic():
            removed = rule.apply(now - timedelta(days=days))
            counts[rule.category] = removed
            if removed:
                audit.record(
                    "accounts.retention.applied",
                    actor=None,
                    data={"category": rule.category, "days": days, "removed": removed},
                )
        logger.info("retention %s: %d removed (older than %d days)", rule.category, removed, days)
    return counts


# ---------------------------------------------------------------------------------------
# The accounts app's own rules.


def _login_links(cutoff: datetime) -> int:
    """Login links that expired before the cut-off (used or not)."""
    return MagicLinkToken.objects.filter(expires_at__lt=cutoff).delete()[0]


def _audit_reads(cutoff: datetime) -> int:
    """Entries that record a read (a document opened, details viewed), not a change."""
    return audit.delete_past(kind=AuditEntry.Kind.READ, before=cutoff)


def register_accounts_rules() -> None:
    register_rule(RetentionRule("login_links", "login links, after they expired", _login_links))
    register_rule(RetentionRule("audit_reads", "audit entries recording a read", _audit_reads))
