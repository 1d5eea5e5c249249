"""The time zone choices of every form name each zone in the reader's language (issue 14:
no raw IANA names on pages); the value stays the IANA name."""

from __future__ import annotations

from django.utils import translation

from accounts.forms import ProfileForm
from accounts.models import time_zone_choices


def test_zones_are_named_in_the_readers_language_and_aliases_say_which_they_are() -> None:
    with translation.override("en"):
        english = dict(time_zone_choices())
    with translation.override("es"):
        spanish = dict(time_zone_choices())
    assert english["America/New_York"] == "United States (New York) Time"
    assert english["US/Eastern"] == "United States (New York) Time · US/Eastern"
    assert english["Asia/Bangkok"] == "Thailand Time"
    assert english["UTC"] == "Coordinated Universal Time"
    assert spanish["America/New_York"] == "hora de Estados Unidos (Nueva York)"
    assert spanish["Asia/Bangkok"] == "hora de Tailandia"
    # Every zone is there, each under a name of its own, sorted by that name.
    for choices in (english, spanish):
        assert len(choices) > 400  # the machine's zones, aliases too
        assert len(set(choices.values())) == len(choices)
    with translation.override("en"):
        labels = [label for _zone, label in time_zone_choices()]
    assert labels == sorted(labels, key=str.casefold)


def test_the_profile_form_offers_the_named_zones() -> None:
    with translation.override("es"):
        html = str(ProfileForm()["time_zone"])
    assert '<option value="Asia/Bangkok">hora de Tailandia</option>' in html
    assert "hora de Estados Unidos (Nueva York)</option>" in html
    assert "America/New_York</option>" not in html
