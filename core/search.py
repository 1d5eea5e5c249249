"""Finding people and records by what a coordinator types: one rule for every search box."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.http import QueryDict

# More words than this are ignored: no one types a sentence into a search box, and each
# word adds a condition per field.
MAX_WORDS = 6


def words_match(text: str, *fields: str) -> Q:
    """Every word of ``text`` found, case-insensitively, in at least one of ``fields``.

    "Ana Ng" finds Ana Ng (and "ng ana" does too); an e-mail or part of one is one word.
    Blank text matches everything.
    """
    query = Q()
    for word in text.split()[:MAX_WORDS]:
        alternatives = Q()
        for field in fields:
            alternatives |= Q(**{f"{field}__icontains": word})
        query &= alternatives
    return query


def kept_query(query: str, keys: Iterable[str]) -> str:
    """What a saved filter keeps of a list's address query: the non-empty values of ``keys``
    (the filters and the order, never the page), in the order of ``keys``.

    One rule for every list a coordinator can save a filter of (the volunteer directory's
    saved filters, the donor list's segments).
    """
    params = QueryDict(query)
    kept = QueryDict(mutable=True)
    for key in keys:
        if params.get(key):
            kept[key] = params[key]
    return kept.urlencode()
