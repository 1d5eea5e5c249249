"""Real Celery worker processes for the outbox tests, and the data they work on.

The workers share the test's database (committed data: transactional tests), so counts
cross processes; e-mail goes to a folder (tests/notifications/mailbox.py) or to an SMTP
server of the test's (tests/notifications/smtp_server.py).
"""

from __future__ import annotations

import gc
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from notifications.models import Message, Status
from notifications.services import enqueue_message
from tests.notifications.mailbox import read_mailbox
from tests.utils import ROOT, clean_env


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user = quote(db.get("USER") or "", safe="")
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    """A port nothing listens on (for a server to start on, or a client to fail on)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Workers:
    """Starts Celery worker processes of the project (each in a process group of its own,
    consuming the urgent queue and the default one) and stops them at the end."""

    def __init__(self, tmp_path: Path, mailbox: Path) -> None:
        self.tmp_path = tmp_path
        self.mailbox = mailbox
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(
        self,
        name: str,
        *,
        concurrency: int = 1,
        settings_module: str = "tests.notifications.worker_settings",
        **extra_env: str,
    ) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"{name}.log"
        env = clean_env(
            **{
                "DJANGO_SETTINGS_MODULE": settings_module,
                "DATABASE_URL": database_url(),
                "REDIS_URL": settings.REDIS_URL,
                "VAR_DIR": str(self.tmp_path / "var"),
                "TEST_MAILBOX_DIR": str(self.mailbox),
                **extra_env,
            }
        )
        pool = ["--pool=solo"] if concurrency == 1 else [f"--concurrency={concurrency}"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    *pool,
                    "-Q",
                    "urgent,celery",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--hostname",
                    f"{name}-{uuid.uuid4().hex[:6]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append((process, log))
        wait_for(
            lambda: " ready." in log.read_text(errors="replace"),
            timeout=90,
            what=f"worker {name} to start:\n{log.read_text(errors='replace')}",
        )
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool processes at once, as when its host dies."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def logs(self) -> list[str]:
        return [log.read_text(errors="replace") for _process, log in self.processes]

    def tasks_finished(self) -> int:
        return sum(text.count("Task notifications.send_messages[") for text in self.logs()) // 2

    def outcomes(self, outcome: str) -> list[int]:
        """How many messages each worker's tasks reported as ``outcome``, per worker."""
        pattern = re.compile(rf"succeeded in [0-9.]+s: {{[^}}]*'{outcome}': (\d+)")
        return [sum(int(n) for n in pattern.findall(text)) for text in self.logs()]

    def stop(self) -> None:
        for process, _log in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _log in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


class PrivateRedis:
    """A redis-server of the test's own (it is stopped and started again), with an
    append-only file, as a production Redis keeps its queues across a restart."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(answers, timeout=20, what="redis-server to start")
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis writes its file and exits
            self.process.wait(timeout=20)


def clear_broker(url: str) -> None:
    """Empty the broker's queues. Also collect the garbage now: a broker connection the
    test's publishing dropped (kombu lets a failed or discarded pooled connection go to the
    garbage collector) would otherwise be reported as an unclosed socket (a ResourceWarning,
    an error in this suite) in whichever later test it happens to be collected."""
    client = redis.Redis.from_url(url)
    try:
        client.delete("celery", "urgent", "unacked", "unacked_index")
    finally:
        client.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def make_recipients(count: int, prefix: str) -> list[User]:
    User.objects.bulk_create(
        User(email=f"{prefix}{i:05d}@example.org", first_name=f"R{i}") for i in range(count)
    )
    return list(User.objects.filter(email__startswith=prefix).order_by("email"))


def enqueue_for(users: list[User], *, key: str) -> None:
    """Messages due tomorrow (so none is handed over as it is written), a millisecond apart:
    the sweep's order (oldest due first) is the list's."""
    tomorrow = timezone.now() + timedelta(days=1)
    with transaction.atomic():
        for index, user in enumerate(users):
            enqueue_message(
                recipient=user,
                kind="test.message",
                dedupe_key=f"{key}:{user.pk}",
                context={"title": "Reminder", "body": f"Message {index}"},
                scheduled_for=tomorrow + timedelta(milliseconds=index),
            )


def fall_due(key: str) -> None:
    """A day passes for these messages: they are all due now."""
    Message.objects.filter(dedupe_key__startswith=f"{key}:").update(
        scheduled_for=F("scheduled_for") - timedelta(days=1, seconds=10)
    )


def sent_count() -> int:
    return Message.objects.filter(status=Status.SENT).count()


def recipients_in(mailbox: Path) -> list[str]:
    return sorted(str(email["To"]) for email in read_mailbox(mailbox))
