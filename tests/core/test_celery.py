"""Celery end to end: the ``ping`` task goes through a real broker to a real worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import transaction

from core.celery_config import FILESYSTEM_BROKER_URL, broker_settings
from core.tasks import enqueue_on_commit, ping

ROOT = Path(__file__).resolve().parents[2]


def start_worker(*, env: dict[str, str], queue: str, log: Path) -> subprocess.Popen[bytes]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_"))
    }
    base.update(env)
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--queues",
                queue,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"{queue}@%h",
            ],
            cwd=ROOT,
            env=base,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def client_for(conf: dict[str, object]) -> Celery:
    app = Celery("ping-test-client", set_as_current=False)
    app.conf.update(conf, task_serializer="json", accept_content=["json"], result_serializer="json")
    return app


@pytest.fixture
def worker_queue() -> str:
    return f"test-ping-{uuid.uuid4().hex[:12]}"


def _ping_through_worker(
    conf: dict[str, object], worker_env: dict[str, str], queue: str, log: Path
) -> None:
    worker = start_worker(env=worker_env, queue=queue, log=log)
    client = client_for(conf)
    try:
        result = client.send_task("core.ping", queue=queue)
        reply = result.get(timeout=90)
    finally:
        client.close()
        backend_client = getattr(client.backend, "client", None)
        if backend_client is not None:
            backend_client.close()
            backend_client.connection_pool.disconnect()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert reply["pong"] == "ok", log.read_text()
    assert result.status == "SUCCESS"
    assert f"Task core.ping[{result.id}] succeeded" in log.read_text()


@pytest.mark.slow
def test_ping_through_a_worker_on_the_filesystem_broker(tmp_path: Path, worker_queue: str) -> None:
    conf = broker_settings(broker_url=FILESYSTEM_BROKER_URL, var_dir=tmp_path)
    worker_env = {"VAR_DIR": str(tmp_path)}
    _ping_through_worker(conf, worker_env, worker_queue, tmp_path / "worker.log")
    # The message went through files in the project's var folder, not anywhere else.
    assert (tmp_path / "celery" / "results").is_dir()


@pytest.mark.slow
@pytest.mark.redis
def test_ping_through_a_worker_on_redis(tmp_path: Path, worker_queue: str) -> None:
    conf = broker_settings(broker_url=settings.REDIS_URL, var_dir=tmp_path)
    worker_env = {"VAR_DIR": str(tmp_path), "REDIS_URL": settings.REDIS_URL}
    _ping_through_worker(conf, worker_env, worker_queue, tmp_path / "worker.log")


class TestEnqueueOnCommit:
    @pytest.fixture(autouse=True)
    def _capture(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[object, ...]]]:
        self.sent: list[tuple[object, ...]] = []
        monkeypatch.setattr(
            ping,
            "apply_async",
            lambda args=(), kwargs=None, **options: self.sent.append((args, kwargs)),
        )
        yield self.sent

    @pytest.mark.django_db(transaction=True)
    def test_sends_only_after_the_transaction_commits(self) -> None:
        with transaction.atomic():
            enqueue_on_commit(ping)
            assert self.sent == []
        assert self.sent == [((), {})]

    @pytest.mark.django_db(transaction=True)
    def test_never_sends_when_the_transaction_rolls_back(self) -> None:
        class Boom(Exception):
            pass

        with pytest.raises(Boom), transaction.atomic():
            enqueue_on_commit(ping)
            raise Boom
        assert self.sent == []

    @pytest.mark.django_db(transaction=True)
    def test_sends_at_once_outside_a_transaction(self) -> None:
        enqueue_on_commit(ping)
        assert self.sent == [((), {})]
