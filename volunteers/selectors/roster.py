"""Who a coordinator may place on a shift: the roster's volunteer picker, each candidate
labelled with their eligibility, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from accounts.selectors import person_matches
from volunteers.models import ProfileStatus, Shift
from volunteers.selectors.eligibility import EligibilityChecker, eligibility_note

# Up to this many active volunteers, the picker lists everyone; above it, a name search
# finds at most SEARCH_LIMIT people (a list of thousands helps nobody, and checking each
# one's eligibility would make the roster slow for a large organisation).
PICKER_LIMIT = 150
SEARCH_LIMIT = 25


@dataclass(frozen=True)
class Candidates:
    choices: list[tuple[int, str]]
    needs_search: bool  # too many to list: the coordinator searches by name
    find: str


def assign_choices(
    shift: Shift, taken: set[int], *, find: str = "", only: int | None = None
) -> Candidates:
    """Active volunteers without a place, each labelled with their eligibility (fixed queries).

    ``only``: just that person (to check a submitted choice); ``find``: people whose name or
    e-mail contains it.
    """
    people_query = (
        User.objects.filter(volunteer_profile__status=ProfileStatus.ACTIVE)
        .exclude(pk__in=taken)
        .only("pk", "first_name", "last_name", "email")
        .order_by("last_name", "first_name", "email")
    )
    find = find.strip()[:100]
    if only is not None:
        people = list(people_query.filter(pk=only))
    elif find:
        people = list(people_query.filter(person_matches(find))[:SEARCH_LIMIT])
    else:
        people = list(people_query[: PICKER_LIMIT + 1])
        if len(people) > PICKER_LIMIT:
            return Candidates(choices=[], needs_search=True, find="")
    checker = EligibilityChecker(volunteer_ids=[p.pk for p in people], roles=[shift.role])
    choices = []
    for person in people:
        eligibility = checker.check(
            volunteer_id=person.pk,
            role=shift.role,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            time_zone=shift.time_zone,
        )
        label = f"{person} \u2014 {eligibility_note(eligibility)}"
        choices.append((person.pk, label))
    return Candidates(choices=choices, needs_search=False, find=find)
