"""Serving a stored private document (certificates, clearance documents) to one person."""

from __future__ import annotations

from pathlib import Path

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def private_download(document: FieldFile, *, filename_stem: str) -> FileResponse:
    """The file as an attachment named ``<stem><extension>``, never cached or sniffed.

    The caller has already decided who may have it. A missing file is a 404.
    """
    if not document:
        raise Http404("There is no document here.")
    try:
        handle = document.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    suffix = Path(document.name or "").suffix.lower()
    response = FileResponse(handle, as_attachment=True, filename=f"{filename_stem}{suffix}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
