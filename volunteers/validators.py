"""Checks on uploaded documents (training evidence, clearance documents).

A document is judged by its first bytes, never by its name, and is stored under an
extension taken from what it really is, so it is always served as that type.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, gettext_lazy


@dataclass(frozen=True)
class DocumentKind:
    name: str
    extension: str
    content_type: str


PDF = DocumentKind("PDF", "pdf", "application/pdf")
PNG = DocumentKind("PNG", "png", "image/png")
JPEG = DocumentKind("JPEG", "jpg", "image/jpeg")
WEBP = DocumentKind("WebP", "webp", "image/webp")
HEIC = DocumentKind("HEIC", "heic", "image/heic")
# ISO base media "brands" of HEIF/HEIC photos, as phones write them.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
ALLOWED_DESCRIPTION = gettext_lazy("a PDF or a photo (JPEG, PNG, WebP or HEIC)")


def document_kind(head: bytes) -> DocumentKind | None:
    """What the first bytes of a file say it is, among the kinds we accept."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[0:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    return None


def detect_document(upload: File[bytes]) -> DocumentKind:
    """The kind of an acceptable document; ValidationError saying what to fix otherwise."""
    limit: int = settings.DOCUMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            gettext(
                "The file is %(size)s; the limit is %(limit)s. "
                "Scan at a lower resolution or send a smaller photo."
            )
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(gettext("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = document_kind(head)
    if kind is None:
        raise ValidationError(
            gettext("This file is not %(kinds)s. Upload the certificate as one of those.")
            % {"kinds": ALLOWED_DESCRIPTION},
            code="bad_type",
        )
    return kind


def validate_document(upload: File[bytes]) -> None:
    """Field validator form of detect_document (forms, the admin) for new uploads.

    A file already stored was checked when it came in; re-reading it on every save would
    fail on a lost file or a lowered size limit while editing unrelated fields.
    """
    if getattr(upload, "_committed", False):
        return
    detect_document(upload)


def store_document(field: FieldFile, upload: File[bytes], kind: DocumentKind | None) -> None:
    """Save ``upload`` into ``field`` under the extension of what it really is."""
    extension = kind.extension if kind is not None else detect_document(upload).extension
    field.save(f"document.{extension}", upload, save=False)
