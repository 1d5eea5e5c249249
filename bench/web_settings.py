"""Settings of the bench's gunicorn: the project's, plus two empty pages (bench.urls)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
