"""A gift's worth in the organisation's reporting currency (``settings.REPORTING_CURRENCY``),
as database expressions that reports, the donor record and tasks share.

* Settled in the reporting currency (a card gift paid into an account in it, or an offline
  gift in another currency with the amount received): its settled gross, fee and net.
* Not settled, but made in the reporting currency: its amount less refunds, no fee known.
* Anything else has no figure in the reporting currency (``None``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import Combinable


def settled_in_reporting() -> Q:
    return Q(settlement_currency=settings.REPORTING_CURRENCY)


def unsettled_in_reporting() -> Q:
    return Q(settlement_currency="") & Q(currency=settings.REPORTING_CURRENCY)


def _worth(settled: str, unsettled: Combinable | Value, prefix: str = "") -> Case:
    code = settings.REPORTING_CURRENCY
    known = Q(**{f"{prefix}settlement_currency": code})
    same = Q(**{f"{prefix}settlement_currency": ""}) & Q(**{f"{prefix}currency": code})
    return Case(
        When(known, then=F(f"{prefix}{settled}")),
        When(same, then=unsettled),
        default=None,
        output_field=IntegerField(),
    )


def reporting_gross(prefix: str = "") -> Case:
    """What reached us, before fees, net of refunds and disputes."""
    return _worth(
        "settled_gross_minor", F(f"{prefix}amount_minor") - F(f"{prefix}refunded_minor"), prefix
    )


def reporting_fee(prefix: str = "") -> Case:
    return _worth("settled_fee_minor", Value(0), prefix)


def reporting_net(prefix: str = "") -> Case:
    """Gross less Stripe's fees."""
    return _worth(
        "settled_net_minor", F(f"{prefix}amount_minor") - F(f"{prefix}refunded_minor"), prefix
    )


def reporting_gross_of(obj: Any) -> int | None:
    """The gross of one loaded gift in the reporting currency (None when it has none)."""
    code = settings.REPORTING_CURRENCY
    if obj.settlement_currency == code:
        return int(obj.settled_gross_minor)
    if not obj.settlement_currency and obj.currency == code:
        return int(obj.amount_minor - obj.refunded_minor)
    return None


def reporting_figures_of(obj: Any) -> tuple[int, int, int] | None:
    """(gross, fee, net) of one loaded gift in the reporting currency, as the expressions
    above count them (None when it has no figure in it)."""
    code = settings.REPORTING_CURRENCY
    if obj.settlement_currency == code:
        return int(obj.settled_gross_minor), int(obj.settled_fee_minor), int(obj.settled_net_minor)
    if not obj.settlement_currency and obj.currency == code:
        kept = int(obj.amount_minor - obj.refunded_minor)
        return kept, 0, kept
    return None
