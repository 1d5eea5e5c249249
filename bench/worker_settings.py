"""Settings of the bench's Celery workers: the project's, with e-mail kept in memory."""

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
