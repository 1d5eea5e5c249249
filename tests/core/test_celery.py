"""Celery end to end: the ``ping`` task goes through a real broker to a real worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerOperationalError

from accounts.models import User
from config.broker import FILESYSTEM_BROKER_URL, broker_settings
from core.tasks import enqueue_on_commit, ping
from tests.factories import make_user
from tests.utils import ROOT, clean_env


def start_worker(*, env: dict[str, str], queue: str, log: Path) -> subprocess.Popen[bytes]:
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
            env=clean_env(**env),
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


def _wait_ready(log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if " ready." in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise AssertionError(f"the worker did not start:\n{log.read_text()}")


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=10)


def _ping_through_worker(
    conf: dict[str, object], worker_env: dict[str, str], queue: str, log: Path
) -> str:
    """Send core.ping through a fresh worker; returns the task id."""
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
        _stop(worker)
    assert reply["pong"] == "ok", log.read_text()
    assert result.status == "SUCCESS"
    assert f"Task core.ping[{result.id}] succeeded" in log.read_text()
    return str(result.id)


@pytest.mark.slow
def test_ping_through_a_worker_on_the_filesystem_broker(tmp_path: Path, worker_queue: str) -> None:
    conf = broker_settings(broker_url=FILESYSTEM_BROKER_URL, var_dir=tmp_path)
    worker_env = {"VAR_DIR": str(tmp_path)}
    task_id = _ping_through_worker(conf, worker_env, worker_queue, tmp_path / "worker.log")
    # The reply came back as a file in the var folder's result store.
    assert (tmp_path / "celery" / "results" / f"celery-task-meta-{task_id}").is_file()


@pytest.mark.slow
@pytest.mark.redis
def test_ping_through_a_worker_on_redis(tmp_path: Path, worker_queue: str) -> None:
    conf = broker_settings(broker_url=settings.REDIS_URL, var_dir=tmp_path)
    worker_env = {"VAR_DIR": str(tmp_path), "REDIS_URL": settings.REDIS_URL}
    _ping_through_worker(conf, worker_env, worker_queue, tmp_path / "worker.log")


@pytest.mark.slow
@pytest.mark.django_db
def test_healthz_worker_check_gets_a_reply_from_a_real_worker(client, tmp_path: Path) -> None:
    """The project's own app and ping task, through this process's configured broker."""
    env = {"VAR_DIR": str(settings.VAR_DIR)}
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    worker = start_worker(env=env, queue="celery", log=tmp_path / "worker.log")
    try:
        _wait_ready(tmp_path / "worker.log")
        client.force_login(make_user(is_staff=True))
        response = client.get("/healthz?worker=1")
    finally:
        _stop(worker)
    assert response.status_code == 200, (tmp_path / "worker.log").read_text()
    assert response.json()["worker"] == "ok"


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

    @pytest.mark.django_db(transaction=True)
    def test_a_broker_that_is_down_is_logged_and_what_was_committed_stays(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        def down(*args: object, **kwargs: object) -> None:
            raise BrokerOperationalError("Error 111 connecting to 127.0.0.1:6379.")

        monkeypatch.setattr(ping, "apply_async", down)
        with transaction.atomic():
            user = make_user(email="kept@example.org")
            enqueue_on_commit(ping)
            enqueue_on_commit("core.ping")
        assert User.objects.filter(pk=user.pk).exists()
        warnings = [r for r in caplog.records if r.name == "core.tasks"]
        assert [r.levelname for r in warnings] == ["WARNING", "WARNING"]
        assert [r.getMessage() for r in warnings] == [
            "Could not enqueue the task core.ping after the commit; it is found again later."
        ] * 2
