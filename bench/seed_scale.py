"""``python -m bench.seed_scale``: a large NGO's data in a fresh PostgreSQL database.

The bench owns its seeding and this command, so no installed app imports ``bench``. It runs
with the project's settings (``DATABASE_URL`` names the database); the work is in
``bench.seed``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, fields, replace
from typing import TextIO


class SeedError(Exception):
    """The database cannot be seeded (not PostgreSQL, or not fresh)."""


def parser() -> argparse.ArgumentParser:
    from bench.seed import SCALES

    result = argparse.ArgumentParser(
        prog="python -m bench.seed_scale",
        description="Fill a fresh PostgreSQL database with benchmark data (COPY).",
    )
    result.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default="default",
        help="default: the issue's sizes; small: about 1/100 of them.",
    )
    for field in fields(SCALES["default"]):
        result.add_argument(
            f"--{field.name.replace('_', '-')}",
            type=int,
            dest=field.name,
            default=None,
            help=f"How many {field.name.replace('_', ' ')} (overrides the scale).",
        )
    result.add_argument("--no-progress", action="store_true", help="No progress bar.")
    return result


def run(argv: Sequence[str], *, stdout: TextIO = sys.stdout) -> str:
    """Seed as the arguments say; returns (and writes) the one-line summary."""
    from bench.seed import SCALES, analyze, seed_scale

    options = vars(parser().parse_args(list(argv)))
    sizes = SCALES[options["scale"]]
    overrides = {name: options[name] for name in asdict(sizes) if options.get(name) is not None}
    sizes = replace(sizes, **overrides)
    started = time.monotonic()
    try:
        seeded = seed_scale(sizes, progress=not options["no_progress"])
    except (RuntimeError, ValueError) as exc:
        raise SeedError(str(exc)) from exc
    analyze()
    elapsed = time.monotonic() - started
    rows = sum(seeded.counts.values())
    summary = ", ".join(f"{count:,} {name}" for name, count in seeded.counts.items())
    line = f"seed_scale: {rows:,} rows in {elapsed:.1f} s ({summary})"
    stdout.write(line + "\n")
    return line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    try:
        run(sys.argv[1:])
    except SeedError as exc:
        raise SystemExit(f"seed_scale: {exc}") from exc


if __name__ == "__main__":
    main()
