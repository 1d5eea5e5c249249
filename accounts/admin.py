from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import AuditEntry, User, normalize_email
from accounts.services import two_factor
from accounts.services.accounts_admin import account_state, record_account_saved
from accounts.services.admin_audit import AuditedAdmin


class UniqueEmailMixin(forms.ModelForm[User]):
    """E-mail addresses are unique whatever their case; the admin says so before saving."""

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        others = User.objects.filter(email=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("A user with this e-mail address exists already."))
        return email


class UserCreationAdminForm(UniqueEmailMixin, AdminUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserChangeAdminForm(UniqueEmailMixin, UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown
        widgets = {"preferred_language": forms.Select(choices=settings.LANGUAGES)}


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):  # type: ignore[type-arg]
    audit_saves = False  # record_account_saved writes the entry (deletions: AuditedAdmin)
    actions = ("reset_two_factor",)
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal details"),
            {"fields": ("first_name", "last_name", "phone", "preferred_language", "time_zone")},
        ),
        (
            _("Roles and permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # The state before the form's values are saved (read from the database), for the
        # audit entry written once the roles and permissions are saved too.
        form.audit_before = (
            account_state(User.objects.get(pk=obj.pk)) if change and obj.pk else None
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        record_account_saved(
            user=form.instance,
            before=getattr(form, "audit_before", None),
            by=request.user,  # type: ignore[arg-type]
            request=request,
        )

    @admin.action(description=_("Reset two-factor login (lost phone): they set it up again"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            two_factor.reset_two_factor(user=user, by=request.user, request=request)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext(
                "Two-factor login reset for %(count)d person; they set it up at their next login.",
                "Two-factor login reset for %(count)d people; they set it up at their next login.",
                queryset.count(),
            )
            % {"count": queryset.count()},
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """The audit trail, read-only: nobody adds, changes or deletes an entry here."""

    list_display = ("created_at", "actor", "action", "kind", "subject", "object_type", "object_id")
    list_filter = ("kind", "action")
    search_fields = ("action", "object_type", "object_id")
    list_select_related = ("actor", "subject")
    raw_id_fields = ("actor", "subject")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _audit_third_party_admins() -> None:
    """The pages other packages register (roles, beat's schedules, second-factor devices),
    registered again with the same behaviour and the audit trail: every editable admin
    page is audited."""
    from django.contrib.auth.admin import GroupAdmin
    from django.contrib.auth.models import Group
    from django_celery_beat import admin as beat_admin
    from django_celery_beat import models as beat
    from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    pages: list[tuple[type[Any], type[Any]]] = [
        (Group, GroupAdmin),
        (beat.PeriodicTask, beat_admin.PeriodicTaskAdmin),
        (beat.ClockedSchedule, beat_admin.ClockedScheduleAdmin),
        (beat.CrontabSchedule, beat_admin.CrontabScheduleAdmin),
        (beat.SolarSchedule, beat_admin.SolarScheduleAdmin),
        (beat.IntervalSchedule, beat_admin.IntervalScheduleAdmin),
        (TOTPDevice, TOTPDeviceAdmin),
        (StaticDevice, StaticDeviceAdmin),
    ]
    for model, page in pages:
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        audited = type(page.__name__, (AuditedAdmin, page), {"__module__": __name__})
        admin.site.register(model, audited)


_audit_third_party_admins()
