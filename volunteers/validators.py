"""Checks on uploaded documents (training evidence, clearance documents)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat

# What a file starts with, per type a phone or scanner produces.
_SIGNATURES: tuple[tuple[str, int, bytes], ...] = (
    ("PDF", 0, b"%PDF-"),
    ("PNG", 0, b"\x89PNG\r\n\x1a\n"),
    ("JPEG", 0, b"\xff\xd8\xff"),
    ("WebP", 8, b"WEBP"),
    ("HEIC", 4, b"ftypheic"),
    ("HEIC", 4, b"ftypheix"),
    ("HEIC", 4, b"ftypmif1"),
)
ALLOWED_DESCRIPTION = "a PDF or a photo (JPEG, PNG, WebP or HEIC)"


def document_kind(head: bytes) -> str | None:
    for kind, offset, signature in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return kind
    return None


def validate_document(upload: File[bytes]) -> None:
    """A PDF or image no larger than DOCUMENT_MAX_BYTES, judged by its content, not its name."""
    limit: int = settings.DOCUMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}. "
            "Scan at a lower resolution or send a smaller photo.",
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError("The file is empty.", code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if document_kind(head) is None:
        raise ValidationError(
            f"This file is not {ALLOWED_DESCRIPTION}. Upload the certificate as one of those.",
            code="bad_type",
        )
