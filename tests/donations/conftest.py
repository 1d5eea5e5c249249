"""Stripe against a local stub: settings pointing the SDK at pytest-httpserver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe
from pytest_httpserver import HTTPServer

from donations.stripe_integration import client as stripe_client


@pytest.fixture
def stripe_stub(settings, httpserver: HTTPServer, monkeypatch) -> Iterator[HTTPServer]:
    """The SDK talks to ``httpserver`` with a test key; retries do not sleep."""
    settings.STRIPE_SECRET_KEY = "sk_test_stub"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_stub"
    settings.STRIPE_API_BASE = httpserver.url_for("").rstrip("/")
    monkeypatch.setattr(stripe.HTTPClient, "_sleep_time_seconds", lambda self, num_retries: 0)
    stripe_client._client.cache_clear()
    yield httpserver
    stripe_client._client.cache_clear()
