from __future__ import annotations

import zoneinfo
from collections import Counter
from functools import cache, cached_property
from importlib import resources
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.roles import ROLE_HOME_URLS, STAFF_ROLES, Role
from core.locales import zone_name


def normalize_email(email: str) -> str:
    """E-mail addresses are compared and stored in lower case, without surrounding spaces."""
    return email.strip().lower()


@cache
def all_time_zones() -> frozenset[str]:
    """IANA zone names known to this machine (read from disk once)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in all_time_zones():
        raise ValidationError(
            _("%(value)s is not a time zone. Choose one such as Europe/London."),
            params={"value": value},
        )


def time_zone_choices() -> list[tuple[str, str]]:
    """Every zone, named as the reader's language names it ("United States (New York)",
    "hora de Estados Unidos (Nueva York)"), in the order of those names; the value stays the
    IANA name. Evaluated when a form is shown, so in the language of that request."""
    return list(_time_zone_choices(translation.get_language() or settings.LANGUAGE_CODE))


@cache
def _main_zones() -> frozenset[str]:
    """The zone of each place as the time zone database lists it (zone.tab, shipped with
    the tzdata package), aliases left out."""
    try:
        table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return frozenset({"UTC"})
    rows = (line.split("\t") for line in table.splitlines() if line and not line.startswith("#"))
    return frozenset({"UTC", *(row[2] for row in rows if len(row) > 2)})


@cache
def _time_zone_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = {zone: zone_name(zone, language) for zone in all_time_zones()}
    taken = Counter(names.values())
    # Aliases share their place's name (US/Eastern and America/New_York): the main zone
    # keeps it plain, an alias says which it is.
    shared = {name for name, count in taken.items() if count > 1}
    labelled = [
        (zone, f"{name} · {zone}" if name in shared and zone not in _main_zones() else name)
        for zone, name in names.items()
    ]
    return tuple(sorted(labelled, key=lambda choice: (choice[1].casefold(), choice[0])))


def default_time_zone() -> str:
    return str(settings.ORG_TIME_ZONE)


def default_language() -> str:
    return str(settings.LANGUAGE_CODE)


def validate_language(value: str) -> None:
    """One of settings.LANGUAGES (kept out of the field's choices, so a new language needs
    no migration)."""
    if value not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("%(value)s is not a language this site offers."), params={"value": value}
        )


class UserManager(DjangoBaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their e-mail address: coordinator, volunteer, donor or all."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        default=default_language,
        validators=[validate_language],
        help_text=_("E-mails and text messages are sent in this language."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("Times are shown in this zone unless a shift has its own."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("May log in to the admin site.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    email_confirmed_at = models.DateTimeField(
        _("e-mail confirmed at"),
        null=True,
        blank=True,
        help_text=_("Self-registered accounts stay inactive until the link sent is opened."),
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("last_name", "first_name", "email")
        indexes = [
            # People listed by name (the volunteer directory, pickers, the admin): a page of
            # 50 walks the index instead of sorting every user.
            models.Index(fields=["last_name", "first_name", "email"], name="user_name_order_idx"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_preferred_language_display(self) -> str:
        return str(dict(settings.LANGUAGES).get(self.preferred_language, self.preferred_language))

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @cached_property
    def roles(self) -> frozenset[Role]:
        """The roles this person holds (one query, then cached on the instance).

        A superuser is always an administrator.
        """
        values = {
            Role(name)
            for name in self.groups.filter(name__in=Role.values).values_list("name", flat=True)
        }
        if self.is_superuser:
            values.add(Role.ADMINISTRATOR)
        return frozenset(values)

    def has_role(self, role: Role) -> bool:
        return self.is_active and role in self.roles

    @property
    def is_staff_member(self) -> bool:
        """Holds a staff role (needs the second factor; sees staff pages by permission)."""
        return self.is_active and any(role in STAFF_ROLES for role in self.roles)

    def ordered_roles(self) -> list[Role]:
        """The roles held, most privileged first (the order of the navigation)."""
        return [role for role in ROLE_HOME_URLS if role in self.roles]

    def forget_roles(self) -> None:
        """Drop the cached roles and permissions (after a role is granted or revoked)."""
        self.__dict__.pop("roles", None)
        self.__dict__.pop("_granted_permissions", None)


class MagicLinkToken(models.Model):
    """A single-use, short-lived login link sent by e-mail.

    Only the SHA-256 of the token is stored: a database leak does not hand out logins.
    ``used_at`` is set by a conditional UPDATE, so of two clicks racing, one logs in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="magic_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="magic_link_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"login link for user {self.user_id} ({'used' if self.used_at else 'unused'})"


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    """The audit trail is append-only: no bulk change or deletion through the ORM."""

    def update(self, **kwargs: Any) -> int:
        raise AuditTrailIsAppendOnly("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("audit entries cannot be deleted")


class AuditTrailIsAppendOnly(Exception):
    """Someone tried to change or delete an audit entry."""


class AuditEntry(models.Model):
    """Who did what to which record, when and from where (modelled on pretix's LogEntry
    and zulip's RealmAuditLog). Written by the services, in the transaction of the change
    (accounts.services.audit.record); reads of sensitive records and exports too.

    Append-only: ``save`` refuses to change a stored entry, ``delete`` refuses, and so do
    the queryset's ``update`` and ``delete``; the admin shows entries read-only.
    """

    class Kind(models.TextChoices):
        WRITE = "write", _("change")
        READ = "read", _("read")
        EXPORT = "export", _("export")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_actions",
        help_text=_("Empty when the system did it (a scheduled job)."),
    )
    action = models.CharField(_("action"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WRITE)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        help_text=_("The person the record belongs to."),
    )
    object_type = models.CharField(_("record type"), max_length=80, blank=True)
    object_id = models.CharField(_("record id"), max_length=40, blank=True)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("Field: [old value, new value].")
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=["subject", "-created_at"], name="audit_subject_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id or 'system'} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditTrailIsAppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("audit entries cannot be deleted")
