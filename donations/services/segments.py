"""Writes about fundraisers' own words for donors: tags (one donor, or many at once from
the donor list), saved segments, and the impact text of a suggested amount."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import audit
from core.search import kept_query
from donations.models import Campaign, Donor, DonorSegment, DonorTag, ImpactLine
from donations.models.segments import IMPACT_TEXT_MAX, TAG_MAX
from donations.money import Money
from donations.selectors.segments import SEGMENT_KEYS


def _tag_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"tag": gettext("Give the tag a name.")})
    if len(name) > TAG_MAX:
        raise ValidationError(
            {"tag": gettext("A tag has at most %(limit)d characters.") % {"limit": TAG_MAX}}
        )
    return name


def tag_for_name(name: str) -> DonorTag:
    """The tag called ``name`` whatever its case, made if there is none (race-safe)."""
    name = _tag_name(name)
    found = DonorTag.objects.filter(name__iexact=name).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return DonorTag.objects.create(name=name)
    except IntegrityError:
        return DonorTag.objects.get(name__iexact=name)


def tag_donors(*, donor_ids: Iterable[int], name: str, actor: User) -> int:
    """Puts the tag ``name`` on each donor of ``donor_ids``; returns how many gained it (a
    donor who had it already is left as is)."""
    ids = sorted(set(donor_ids))
    if not ids:
        raise ValidationError({"donors": gettext("Choose at least one donor.")})
    with transaction.atomic():
        tag = tag_for_name(name)
        existing = Donor.objects.filter(pk__in=ids).values_list("pk", flat=True)
        had = set(tag.donors.filter(pk__in=ids).values_list("pk", flat=True))
        added = [pk for pk in existing if pk not in had]
        Donor.tags.through.objects.bulk_create(
            [Donor.tags.through(donor_id=pk, donortag_id=tag.pk) for pk in added],
            ignore_conflicts=True,
        )
        audit.record(
            "donor.tagged", actor=actor, obj=tag, data={"tag": tag.name, "donors": sorted(added)}
        )
    return len(added)


def untag_donors(*, donor_ids: Iterable[int], tag: DonorTag, actor: User) -> int:
    """Takes ``tag`` off each donor of ``donor_ids``; returns how many lost it."""
    ids = sorted(set(donor_ids))
    if not ids:
        raise ValidationError({"donors": gettext("Choose at least one donor.")})
    with transaction.atomic():
        removed = sorted(tag.donors.filter(pk__in=ids).values_list("pk", flat=True))
        Donor.tags.through.objects.filter(donor_id__in=removed, donortag_id=tag.pk).delete()
        audit.record(
            "donor.untagged", actor=actor, obj=tag, data={"tag": tag.name, "donors": removed}
        )
    return len(removed)


def save_segment(*, name: str, query: str, actor: User) -> DonorSegment:
    """Saves the donor list's filter (its address query) as the segment ``name``; a name in
    use is a ValidationError on ``name``, and so is a query that filters nothing."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": gettext("Give the segment a name.")})
    kept = kept_query(query, SEGMENT_KEYS)
    if not kept:
        raise ValidationError(
            {"name": gettext("Filter the list first: a segment of every donor is the whole list.")}
        )
    try:
        with transaction.atomic():
            segment = DonorSegment.objects.create(name=name, query=kept, created_by=actor)
            audit.record("donor_segment.saved", actor=actor, obj=segment, data={"query": kept})
            return segment
    except IntegrityError:
        raise ValidationError(
            {"name": gettext("There is already a segment called %(name)s.") % {"name": name}}
        ) from None


def delete_segment(*, pk: int, actor: User) -> bool:
    """Deletes segment ``pk``; False when it is already gone."""
    with transaction.atomic():
        segment = DonorSegment.objects.filter(pk=pk).first()
        if segment is None:
            return False
        audit.record("donor_segment.deleted", actor=actor, obj=segment, data={"name": segment.name})
        segment.delete()
    return True


def save_impact_line(
    *,
    campaign: Campaign | None,
    amount: Money,
    text: str,
    translations: dict[str, dict[str, str]],
    actor: User,
) -> ImpactLine:
    """Sets what ``amount`` does on the donate page of ``campaign`` (None: the general page);
    an amount that already has a line gets the new text."""
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": gettext("Say what this amount does.")})
    if len(text) > IMPACT_TEXT_MAX:
        raise ValidationError(
            {"text": gettext("At most %(limit)d characters, please.") % {"limit": IMPACT_TEXT_MAX}}
        )
    with transaction.atomic():
        line, created = ImpactLine.objects.select_for_update().update_or_create(
            campaign=campaign,
            currency=amount.currency,
            amount_minor=amount.minor,
            defaults={"text": text, "translations": translations},
        )
        audit.record(
            "impact_line.saved",
            actor=actor,
            obj=line,
            data={
                "campaign": campaign.pk if campaign else None,
                "currency": amount.currency,
                "amount_minor": amount.minor,
                "text": text,
                "created": created,
            },
        )
    return line


def delete_impact_line(*, pk: int, actor: User) -> ImpactLine | None:
    """Deletes impact line ``pk``; returns it as it was (its ``campaign_id`` says which page
    it was on), or None when it is already gone."""
    with transaction.atomic():
        line = ImpactLine.objects.filter(pk=pk).first()
        if line is None:
            return None
        audit.record("impact_line.deleted", actor=actor, obj=line, data={"text": line.text})
        line.delete()
        return line
