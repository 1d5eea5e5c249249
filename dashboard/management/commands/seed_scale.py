"""``manage.py seed_scale``: a large NGO's data in a fresh PostgreSQL database (bench/).

It lives here rather than in a ``bench`` app so that it is always available (tests, CI,
``make bench``) without adding an app to INSTALLED_APPS; the work is in ``bench.seed``,
which, like this app, may use both the volunteering and the giving models.
"""

from __future__ import annotations

import time
from dataclasses import asdict, fields, replace
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.seed import SCALES, analyze, seed_scale


class Command(BaseCommand):
    help = "Fill a fresh PostgreSQL database with benchmark data (COPY), with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="default",
            help="default: the issue's sizes; small: about 1/100 of them.",
        )
        for field in fields(SCALES["default"]):
            parser.add_argument(
                f"--{field.name.replace('_', '-')}",
                type=int,
                dest=field.name,
                default=None,
                help=f"How many {field.name.replace('_', ' ')} (overrides the scale).",
            )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = SCALES[options["scale"]]
        overrides = {name: options[name] for name in asdict(sizes) if options.get(name) is not None}
        sizes = replace(sizes, **overrides)
        started = time.monotonic()
        try:
            seeded = seed_scale(sizes, progress=not options["no_progress"])
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        analyze()
        elapsed = time.monotonic() - started
        rows = sum(seeded.counts.values())
        summary = ", ".join(f"{count:,} {name}" for name, count in seeded.counts.items())
        self.stdout.write(f"seed_scale: {rows:,} rows in {elapsed:.1f} s ({summary})")
