"""Coordinators' writes about donor records: merging a duplicate donor into another."""

from __future__ import annotations

from typing import Any, Final

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import audit
from donations.models import Donor
from donations.models.records import DonorMerge

ADDRESS_FIELDS: Final = (
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
)


class MergeError(Exception):
    """The merge cannot be done; ``str()`` says why, for the coordinator."""


def merge_donors(*, kept: Donor, duplicate: Donor, merged_by: User | None) -> DonorMerge:
    """Move everything of ``duplicate`` to ``kept``, delete ``duplicate``, record the merge.

    In one transaction, both donors locked in primary-key order:

    * every row that points at the duplicate (gifts, monthly gifts, earlier merges, and any
      later model with a foreign key to ``Donor``: found through the model's relations, so
      nothing is left behind) is re-pointed at the kept donor; receipts follow their gifts;
    * portal access: the duplicate's login moves to the kept donor when it has none; if
      both have one, the kept donor's stays and the other login loses its donor record
      (it is recorded under ``user_unlinked``);
    * the kept donor's empty e-mail and empty address are filled from the duplicate, and
      the more recent communication-consent decision wins;
    * a ``DonorMerge`` row says who merged, when and which ids moved.
    """
    if kept.pk == duplicate.pk:
        raise MergeError(gettext("A donor cannot be merged into itself."))
    try:
        with transaction.atomic():
            locked = {
                donor.pk: donor
                for donor in Donor.objects.select_for_update(of=("self",))
                .filter(pk__in=[kept.pk, duplicate.pk])
                .order_by("pk")
            }
            if len(locked) != 2:
                raise MergeError(
                    gettext("One of the two donors no longer exists (merged already?).")
                )
            keep, dup = locked[kept.pk], locked[duplicate.pk]
            audited = (
                "user",
                "email",
                *ADDRESS_FIELDS,
                "communication_consent",
                "give_anonymously",
            )
            before = audit.snapshot(keep, audited)
            moved = _move_relations(keep, dup)
            moved.update(_merge_details(keep, dup))
            record = DonorMerge.objects.create(
                kept=keep,
                merged_donor_id=dup.pk,
                merged_name=dup.name,
                merged_email=dup.email,
                merged_by=merged_by,
                merged_at=timezone.now(),
                moved=moved,
            )
            dup.delete()
            audit.record(
                "donations.donor.merged",
                actor=merged_by,
                subject=keep.user if keep.user_id else None,
                obj=keep,
                changes=audit.changed_fields(before, audit.snapshot(keep, audited)),
                data={
                    "merge": record.pk,
                    "merged_donor": record.merged_donor_id,
                    "merged_name": record.merged_name,
                    "moved": ", ".join(f"{name}: {value}" for name, value in sorted(moved.items())),
                },
            )
    except IntegrityError as exc:
        raise MergeError(
            gettext(
                "These donors cannot be merged automatically: a record of one clashes with the "
                "other's. Ask an administrator."
            )
        ) from exc
    return record


def _move_relations(keep: Donor, dup: Donor) -> dict[str, Any]:
    moved: dict[str, Any] = {}
    for relation in Donor._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model: type[models.Model] = relation.related_model
        field_name = relation.field.name
        rows = model._default_manager.filter(**{field_name: dup})
        pks = sorted(rows.values_list("pk", flat=True))
        if not pks:
            continue
        if relation.one_to_one and model._default_manager.filter(**{field_name: keep}).exists():
            raise MergeError(
                gettext("Both donors have a %(verbose_name)s; merge by hand.")
                % {"verbose_name": model._meta.verbose_name}
            )
        rows.update(**{field_name: keep})
        moved[relation.get_accessor_name() or str(model._meta.model_name)] = pks
    return moved


def _merge_details(keep: Donor, dup: Donor) -> dict[str, Any]:
    moved: dict[str, Any] = {}
    fields: list[str] = []
    dup_user, dup_email = dup.user_id, dup.email
    # Free the unique login and e-mail on the duplicate before the kept donor takes them.
    if dup_user is not None or dup_email:
        Donor.objects.filter(pk=dup.pk).update(user=None, email="")
    if dup_user is not None:
        if keep.user_id is None:
            keep.user_id = dup_user
            moved["user"] = dup_user
        else:
            moved["user_unlinked"] = dup_user
    if not keep.email and dup_email:
        keep.email = dup_email
        fields.append("email")
    if not any(getattr(keep, name) for name in ADDRESS_FIELDS) and any(
        getattr(dup, name) for name in ADDRESS_FIELDS
    ):
        for name in ADDRESS_FIELDS:
            setattr(keep, name, getattr(dup, name))
        fields.append("address")
    if dup.communication_consent_at is not None and (
        keep.communication_consent_at is None
        or dup.communication_consent_at > keep.communication_consent_at
    ):
        keep.communication_consent = dup.communication_consent
        keep.communication_consent_at = dup.communication_consent_at
        fields.append("communication_consent")
    if dup.give_anonymously and not keep.give_anonymously:
        keep.give_anonymously = True
        fields.append("give_anonymously")
    keep.save()
    if fields:
        moved["fields"] = fields
    return moved
