"""The Django admin's writes in the audit trail: ``AuditedAdmin`` records every row added,
changed or deleted on an editable admin page (its inlines too), with the old and new
values, by the person signed in and from their address, in the admin's own transaction.
Django's LogEntry stays as it is; this is the trail that the audit pages show and export.

Every editable admin page of the project uses it (tests/core/test_admin_audit.py checks
every registered page, so a new one cannot slip in unaudited). Secrets (passwords,
tokens, keys) are never written: an entry says only that they changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest

from accounts.models import User
from accounts.services import audit

HIDDEN = "(hidden)"
# A field whose name holds one of these is a secret: its values are never recorded.
# Matched against the name's words ("api_key", "auth_token"), not any substring: "keyword"
# and "author" are not secrets; an outbox row's dedupe key is an identifier, not a secret.
SECRET_PARTS = frozenset({"password", "token", "secret", "key", "p256dh", "auth", "endpoint"})
NOT_SECRET = frozenset({"dedupe_key"})
# The fields that name the person a row belongs to (its entries are then about them).
PERSON_FIELDS = ("user", "recipient", "volunteer", "owner")


def _is_secret(name: str) -> bool:
    return name not in NOT_SECRET and any(word in SECRET_PARTS for word in name.split("_"))


def _value(instance: models.Model, field: Any) -> object:
    if field.many_to_many:
        if instance.pk is None:
            return []
        return sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return getattr(instance, field.attname)


def row_state(instance: models.Model) -> dict[str, object]:
    """The row's own fields and many-to-many links (by id), as the audit compares them."""
    meta = instance._meta
    return {
        field.name: _value(instance, field)
        for field in (*meta.concrete_fields, *meta.many_to_many)
        if not field.primary_key
    }


def hide_secrets(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {
        name: [HIDDEN if value not in (None, "") else value for value in values]
        if _is_secret(name)
        else values
        for name, values in changes.items()
    }


def _subject(instance: models.Model) -> int | None:
    if isinstance(instance, User):
        return instance.pk
    for name in PERSON_FIELDS:
        try:
            field = instance._meta.get_field(name)
        except Exception:  # noqa: S112 - the model has no such field: try the next name
            continue
        if isinstance(field, models.ForeignKey) and field.related_model is User:
            value = getattr(instance, field.attname, None)
            return int(value) if value is not None else None
    return None


def record_admin_write(
    verb: str,
    instance: models.Model,
    *,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
    request: HttpRequest,
    data: dict[str, object] | None = None,
) -> None:
    """One entry: ``<app>.<model>.<verb>_in_admin`` (added, changed, deleted) with what
    changed; nothing when a save changed nothing."""
    changes = hide_secrets(audit.changed_fields(before or {}, after or {}))
    if verb == "changed" and not changes:
        return
    audit.record(
        f"{instance._meta.label_lower}.{verb}_in_admin",
        actor=request.user,  # type: ignore[arg-type]
        # A deleted account cannot be the subject of an entry (entries protect their
        # people): the entry names it as its object only.
        subject=None if verb == "deleted" and isinstance(instance, User) else _subject(instance),
        obj=instance,
        changes=changes,
        data={"admin": True, **(data or {})},
        request=request,
    )


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose adds, changes and deletes (inline rows too) are audited."""

    audit_saves = True  # False: the page's save already writes its own entry (accounts.User)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        form._audit_before = (
            row_state(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else None
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if self.audit_saves:
            record_admin_write(
                "changed" if change else "added",
                form.instance,
                before=getattr(form, "_audit_before", None),
                after=row_state(form.instance),
                request=request,
            )

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: Any, change: bool
    ) -> None:
        before = {
            inline.instance.pk: row_state(type(inline.instance)._default_manager.get(pk=pk))
            for inline in _changed_forms(formset)
            if (pk := inline.instance.pk) is not None
        }
        # Django clears a deleted row's pk: keep each one (and its state) from before.
        doomed = {
            id(inline.instance): (inline.instance.pk, row_state(inline.instance))
            for inline in getattr(formset, "deleted_forms", [])
            if inline.instance.pk is not None
        }
        super().save_formset(request, form, formset, change)
        parent = {"parent": form.instance.pk}
        for deleted in formset.deleted_objects:
            pk, state = doomed.get(id(deleted), (deleted.pk, row_state(deleted)))
            deleted.pk = pk
            record_admin_write(
                "deleted",
                deleted,
                before=before.get(pk) or state,
                after=None,
                request=request,
                data=parent,
            )
        for added in formset.new_objects:
            record_admin_write(
                "added", added, before=None, after=row_state(added), request=request, data=parent
            )
        for changed, _fields in formset.changed_objects:
            record_admin_write(
                "changed",
                changed,
                before=before.get(changed.pk),
                after=row_state(changed),
                request=request,
                data=parent,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_admin_write("deleted", obj, before=row_state(obj), after=None, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # Admin actions run outside the page's transaction: the entries and the deletion
        # stand or fall together.
        with transaction.atomic():
            for obj in queryset:
                record_admin_write(
                    "deleted", obj, before=row_state(obj), after=None, request=request
                )
            super().delete_queryset(request, queryset)


def _changed_forms(formset: BaseFormSet[Any]) -> list[Any]:
    return [
        inline
        for inline in formset.forms
        if inline.instance.pk is not None
        and (inline.has_changed() or formset._should_delete_form(inline))  # type: ignore[attr-defined]
    ]
