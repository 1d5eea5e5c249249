"""A volunteer's profile photo: checked by Pillow (never by its name), shrunk, re-encoded as
JPEG without its EXIF data (no GPS position, no camera serial), and shown only to the people
who share a shift with its owner and to those who read volunteering."""

from __future__ import annotations

import io
import warnings
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from accounts.permissions import user_can
from accounts.services.audit import record
from volunteers.models import PLACE_STATUSES, ShiftSignup, ShiftStatus, VolunteerProfile
from volunteers.services.errors import VolunteeringError

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MIN_SIDE = 64
PHOTO_MAX_SIDE = 8000  # a larger picture is refused before it is decoded
PHOTO_STORED_SIDE = 512  # what is kept: enough for a face on a roster
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def _error(message: str, code: str) -> ValidationError:
    return ValidationError({"photo": ValidationError(message, code=code)})


def prepare_photo(upload: File[bytes]) -> ContentFile[bytes]:
    """The upload as a small JPEG with no metadata, or a ValidationError saying what to fix."""
    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise _error(
            gettext("The photo is %(size)s; the limit is %(limit)s. Send a smaller photo.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(PHOTO_MAX_BYTES)},
            "too_large",
        )
    if upload.size == 0:
        raise _error(gettext("The file is empty."), "empty")
    not_a_photo = gettext("This file is not a photo we can read. Send a JPEG, PNG or WebP photo.")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise _error(not_a_photo, "bad_type")
                width, height = image.size
                if max(width, height) > PHOTO_MAX_SIDE:
                    raise _error(
                        gettext(
                            "The photo is %(width)d × %(height)d pixels; the most is "  # noqa: RUF001
                            "%(limit)d pixels a side."
                        )
                        % {"width": width, "height": height, "limit": PHOTO_MAX_SIDE},
                        "too_big",
                    )
                if min(width, height) < PHOTO_MIN_SIDE:
                    raise _error(
                        gettext(
                            "The photo is %(width)d × %(height)d pixels; it needs at least "  # noqa: RUF001
                            "%(limit)d pixels a side."
                        )
                        % {"width": width, "height": height, "limit": PHOTO_MIN_SIDE},
                        "too_small",
                    )
                image.load()
                upright = ImageOps.exif_transpose(image)
                upright = upright.convert("RGB")
                upright.thumbnail((PHOTO_STORED_SIDE, PHOTO_STORED_SIDE))
                out = io.BytesIO()
                # A new image with pixels only: no EXIF, no ICC profile, no comments.
                clean = Image.new("RGB", upright.size)
                clean.paste(upright)
                clean.save(out, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,
    ) as exc:
        raise _error(not_a_photo, "bad_type") from exc
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name="photo.jpg")


def _profile(volunteer: User) -> VolunteerProfile:
    profile = VolunteerProfile.objects.select_for_update().filter(user=volunteer).first()
    if profile is None:
        raise VolunteeringError(gettext("Complete your volunteer application first."))
    return profile


def _delete_later(name: str) -> None:
    if name:
        storage = VolunteerProfile._meta.get_field("photo").storage
        transaction.on_commit(lambda: storage.delete(name))


def delete_photo_of_deleted_profile(
    sender: object, instance: VolunteerProfile, **kwargs: Any
) -> None:
    """``post_delete`` of a profile (the account deleted, a declined application past its
    retention): its photo file goes too, once the deletion is committed."""
    _delete_later(instance.photo.name or "")


def set_profile_photo(*, volunteer: User, upload: File[bytes]) -> VolunteerProfile:
    """Put (or replace) the volunteer's photo; the old file is deleted once saved."""
    photo = prepare_photo(upload)
    with transaction.atomic():
        profile = _profile(volunteer)
        old = profile.photo.name or ""
        profile.photo.save(photo.name or "photo.jpg", photo, save=False)
        profile.save(update_fields=["photo", "updated_at"])
        record(
            "volunteer.photo_replaced" if old else "volunteer.photo_added",
            actor=volunteer,
            subject=volunteer,
            obj=profile,
        )
        _delete_later(old)
    return profile


def remove_profile_photo(*, volunteer: User) -> bool:
    """Remove the volunteer's photo (its file too); False when there was none."""
    with transaction.atomic():
        profile = _profile(volunteer)
        old = profile.photo.name or ""
        if not old:
            return False
        profile.photo = ""
        profile.save(update_fields=["photo", "updated_at"])
        record("volunteer.photo_removed", actor=volunteer, subject=volunteer, obj=profile)
        _delete_later(old)
    return True


def may_see_photo(viewer: User, owner_id: int) -> bool:
    """The owner, whoever reads volunteering, and the people who hold a place on a shift
    (not cancelled) that the owner also holds a place on."""
    if viewer.pk == owner_id or user_can(viewer, "volunteering.view"):
        return True
    shared = ShiftSignup.objects.filter(
        volunteer_id=viewer.pk,
        status__in=PLACE_STATUSES,
        shift__signups__volunteer_id=owner_id,
        shift__signups__status__in=PLACE_STATUSES,
    ).exclude(shift__status=ShiftStatus.CANCELLED)
    return shared.exists()
