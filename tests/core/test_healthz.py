from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.mark.django_db
def test_healthz_is_200_when_every_part_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_names_the_broker_when_its_port_is_closed(client: Client, settings) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["failing"] == ["broker"]
    assert body["broker"].startswith("error: ")
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_healthz_names_the_database_when_it_does_not_answer(client: Client) -> None:
    broken = mock.Mock(side_effect=OperationalError("connection refused"))
    with mock.patch.dict("core.http.health.CHECKS", {"database": broken}):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["database"] == "error: OperationalError"


def test_healthz_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_the_worker_check_is_not_open_to_visitors(client: Client) -> None:
    response = client.get("/healthz?worker=1")
    assert response.status_code == 403
    assert "staff login" in response.json()["error"]


@pytest.mark.django_db
def test_the_worker_check_reports_a_silent_worker(client: Client, settings) -> None:
    settings.HEALTHZ_TOKEN = "monitor-token-123"
    with mock.patch("core.http.health.check_worker", side_effect=TimeoutError("no reply")):
        response = client.get("/healthz?worker=1", headers={"X-Healthz-Token": "monitor-token-123"})
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["worker"] == "error: TimeoutError"


@pytest.mark.django_db
def test_a_wrong_token_is_refused(client: Client, settings) -> None:
    settings.HEALTHZ_TOKEN = "monitor-token-123"
    response = client.get("/healthz?worker=1", headers={"X-Healthz-Token": "guess"})
    assert response.status_code == 403
