"""Erasing a person on request (the right to be forgotten), all or nothing.

Every registered app first names the personal values it holds (names, e-mails, phones,
addresses), then removes or anonymises its records (accounts.services.personal_data);
the account itself goes last: no login, no roles, no name, e-mail or phone. Records the
law or the counts need stay, anonymised: gifts keep their amounts, dates, campaigns and
receipt numbers (the donor shows as "Erased donor #id"), shifts keep their signups.
Audit entries about or by the person keep who did what, with the personal values in
them scrubbed; the erasure is audited without any personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit
from accounts.services.personal_data import Erasure, contributors, erasure_blockers, is_erased


class ErasureRefused(Exception):
    """The person cannot be erased now; ``reasons`` say why and what to do first."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class ErasureResult:
    person_id: int
    counts: dict[str, int]


def confirmation_matches(person: User, typed: str) -> bool:
    """The administrator typed the person's e-mail address (any case, spaces around)."""
    return typed.strip().lower() == person.email.lower()


def erase_person(
    *, person: User, by: User, confirmation: str, request: HttpRequest | None = None
) -> ErasureResult:
    """Erase ``person``; ``confirmation`` must be their e-mail address, typed."""
    if not confirmation_matches(person, confirmation):
        raise ErasureRefused(
            [_("Type the person's e-mail address exactly to confirm the erasure.")]
        )
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        reasons = refusal_reasons(person, by=by)
        if reasons:
            raise ErasureRefused(reasons)
        erasure = Erasure(person=person, by=by)
        for contributor in contributors():
            contributor.collect_values(erasure)
        for contributor in contributors():
            contributor.erase(erasure)
        audit.record(
            "accounts.person.erased",
            actor=by,
            subject=person,
            obj=person,
            data=erasure.counts,  # records changed per kind; no personal data
            request=request,
        )
    return ErasureResult(person_id=person.pk, counts=erasure.counts)


def refusal_reasons(person: User, *, by: User) -> list[str]:
    """Why ``by`` cannot erase ``person`` now (empty: nothing stands in the way)."""
    if is_erased(person):
        return [_("This person has already been erased.")]
    if person.pk == by.pk:
        return [_("You cannot erase your own account.")]
    return erasure_blockers(person)
