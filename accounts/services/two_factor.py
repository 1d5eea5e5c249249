"""Two-factor login: an authenticator app (TOTP) and single-use recovery codes
(django-otp). Required for staff before any staff page opens; optional for everyone else.

Enrolment: ``start_enrolment`` makes an unconfirmed TOTP device (its secret shown as a QR
code); ``confirm_enrolment`` checks one code from the app, confirms the device and hands
out recovery codes (only their holder sees them, once). A lost device: a recovery code, or
an administrator's ``reset_two_factor``. Each of these is audited.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services.audit import record

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


class TwoFactorError(Exception):
    """The code was wrong, used already, or the account is locked for a while."""


def has_two_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def start_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (a new secret unless one is pending)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def confirm_enrolment(
    *, user: User, device: TOTPDevice, token: str, request: HttpRequest | None = None
) -> list[str]:
    """Confirm ``device`` with a code from the app; returns the new recovery codes.

    Any earlier authenticator and recovery codes are replaced.
    """
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if locked.confirmed or not locked.verify_token(token.strip()):
            raise TwoFactorError(_("That code is not right. Enter the 6 digits the app shows now."))
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record("accounts.two_factor.enrolled", actor=user, subject=user, request=request)
    device.refresh_from_db()
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def new_recovery_codes(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Replace the recovery codes (the old ones stop working)."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record(
            "accounts.two_factor.recovery_codes_renewed", actor=user, subject=user, request=request
        )
    return codes


def verify(*, user: User, token: str, request: HttpRequest | None = None) -> Device:
    """The device that accepts ``token`` (the authenticator's code, or a recovery code,
    which is then used up); TwoFactorError otherwise. A code works once: django-otp keeps
    the last time step used, and deletes a recovery code as it is used."""
    token = "".join(token.split()).lower()
    with transaction.atomic():
        candidates: list[Device] = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        )
        if not token.isdigit():
            candidates = list(
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            )
        for device in candidates:
            allowed, _details = device.verify_is_allowed()
            if not allowed:
                raise TwoFactorError(_("Too many wrong codes. Wait a minute, then try again."))
            if device.verify_token(token):
                if isinstance(device, StaticDevice):
                    record(
                        "accounts.two_factor.recovery_code_used",
                        actor=user,
                        subject=user,
                        data={"left": device.token_set.count()},
                        request=request,
                    )
                return device
    raise TwoFactorError(_("That code is not right, or it has been used already."))


def reset_two_factor(*, user: User, by: User, request: HttpRequest | None = None) -> int:
    """An administrator's reset for a lost device: every authenticator and recovery code
    of ``user`` is removed (they enrol again at their next login). Audited."""
    with transaction.atomic():
        removed = int(TOTPDevice.objects.filter(user=user).count())
        removed += int(StaticDevice.objects.filter(user=user).count())
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record(
            "accounts.two_factor.reset",
            actor=by,
            subject=user,
            data={"devices_removed": removed},
            request=request,
        )
    return removed
