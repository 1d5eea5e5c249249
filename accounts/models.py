from __future__ import annotations

import zoneinfo
from functools import cache, cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.roles import ROLE_HOME_URLS, STAFF_ROLES, Role


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
    return [(name, name.replace("_", " ")) for name in sorted(all_time_zones())]


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

    @property
    def is_volunteer(self) -> bool:
        return self.has_role(Role.VOLUNTEER)

    @property
    def is_donor(self) -> bool:
        return self.has_role(Role.DONOR)

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
