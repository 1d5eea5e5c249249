"""Everything held about one person, as one ZIP (a data-subject access request).

Each registered app gives its categories (accounts.services.personal_data); the ZIP has
one JSON file per category, the original files under ``files/<category>/``, a
``manifest.json`` with the counts and a ``README.txt`` saying what each file is. The ZIP
is built in memory: one person's records and documents are small, and the download needs
its length. The export itself is audited (who exported whom, how much).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEntry, User
from accounts.services import audit
from accounts.services.personal_data import Category, contributors


@dataclass(frozen=True)
class PersonExport:
    filename: str
    content: bytes
    counts: dict[str, int]  # rows per category
    files: int


def collect_categories(person: User) -> list[Category]:
    categories: list[Category] = []
    for contributor in contributors():
        categories.extend(contributor.export(person))
    names = [category.name for category in categories]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"two apps export the same categories: {sorted(duplicates)}")
    return categories


def _readme(heading: str, categories: list[Category]) -> str:
    lines = [
        heading,
        "",
        "Each <category>.json holds the records of one kind as a list; files/<category>/",
        "holds the original documents (clearance documents, training evidence, a photo) and the",
        "receipts and statements as PDF. manifest.json repeats these counts.",
        "",
    ]
    for category in categories:
        files = f", {len(category.files)} files" if category.files else ""
        lines.append(
            f"{category.name}.json: {category.title} ({len(category.rows)} records{files})"
        )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Archive:
    content: bytes
    counts: dict[str, int]  # rows per category
    files: int
    exported_at: str


def write_archive(categories: list[Category], *, heading: str, manifest: dict[str, Any]) -> Archive:
    """The ZIP of ``categories``: README (``heading`` first, with ``{exported_at}`` filled
    in), manifest (``manifest`` plus the time and the counts), one JSON per category and
    its files. Used for a person and for a donor without an account alike."""
    exported_at = timezone.now().isoformat(timespec="seconds")
    full_manifest = {
        **manifest,
        "exported_at": exported_at,
        "categories": {
            category.name: {
                "title": category.title,
                "records": len(category.rows),
                "files": [name for name, _ in category.files],
            }
            for category in categories
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(heading.format(exported_at=exported_at), categories))
        archive.writestr("manifest.json", json.dumps(full_manifest, indent=2, ensure_ascii=False))
        for category in categories:
            archive.writestr(
                f"{category.name}.json",
                json.dumps(category.rows, indent=2, ensure_ascii=False, default=str),
            )
            for name, content in category.files:
                archive.writestr(f"files/{category.name}/{name}", content)
    return Archive(
        content=buffer.getvalue(),
        counts={category.name: len(category.rows) for category in categories},
        files=sum(len(category.files) for category in categories),
        exported_at=exported_at,
    )


def export_person(*, person: User, by: User, request: HttpRequest | None = None) -> PersonExport:
    """The ZIP of everything held about ``person``; audited as an export by ``by``."""
    with transaction.atomic():
        archive = write_archive(
            collect_categories(person),
            heading=f"Data held about person #{person.pk}, exported {{exported_at}}.",
            manifest={"person": person.pk, "exported_by": by.pk},
        )
        audit.record(
            "accounts.personal_data.exported",
            actor=by,
            subject=person,
            obj=person,
            kind=AuditEntry.Kind.EXPORT,
            data={"records": sum(archive.counts.values()), "files": archive.files},
            request=request,
        )
    return PersonExport(
        filename=f"person-{person.pk}-data-{archive.exported_at[:10]}.zip",
        content=archive.content,
        counts=archive.counts,
        files=archive.files,
    )
