"""Settings of the Celery workers that the outbox tests start: the project's, plus a mailbox
in a folder shared with the test process."""

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.notifications.mailbox.FileMailbox"
