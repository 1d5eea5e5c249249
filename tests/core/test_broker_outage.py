"""The web app through a broker outage: publishing fails while Redis is down and works again
once it is back, with no "The Celery application must be restarted" in its log. That line
comes from the result store's subscriber, whose reconnect gives up while Redis is down; a
process that publishes tasks keeping no result (CELERY_TASK_IGNORE_RESULT) never starts one."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.notifications.processes import PrivateRedis, database_url
from tests.utils import ROOT, clean_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

# A web process's publishing, one step per line read from the test.
WEB = """
import sys
import django

django.setup()
from volunteers.tasks import schedule_due_reminders_task

def publish(step):
    sys.stdin.readline()
    try:
        schedule_due_reminders_task.apply_async(retry=False)
        print(step, "published", flush=True)
    except Exception as exc:
        print(step, "refused", type(exc).__name__, flush=True)

publish("before")
publish("during")
publish("after")
"""


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def test_publishing_recovers_from_a_redis_outage_without_a_restart(
    private_redis: PrivateRedis,
) -> None:
    web = subprocess.Popen(
        [sys.executable, "-c", WEB],
        cwd=ROOT,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=database_url(),
            REDIS_URL=private_redis.url,
        ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert web.stdin is not None and web.stdout is not None
    steps = []
    try:
        for action in (None, private_redis.stop, private_redis.start):
            if action is not None:
                action()
            web.stdin.write("\n")
            web.stdin.flush()
            steps.append(web.stdout.readline().split()[:2])
    finally:
        _out, log = web.communicate(timeout=30)
    assert steps == [["before", "published"], ["during", "refused"], ["after", "published"]]
    assert "must be restarted" not in log
    assert "CRITICAL" not in log
