"""The embeddable donate form: framed only by the configured origins; it prefills our page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_embed_names_the_allowed_origins_and_drops_x_frame_options(client: Client, settings):
    settings.DONATION_EMBED_ORIGINS = ["https://www.hope.example", "http://127.0.0.1:9000"]
    response = client.get("/donate/embed/")
    assert response.status_code == 200
    # The site's policy (tests/core/test_security_headers.py), with the embed's own directive.
    assert response["Content-Security-Policy"].endswith(
        "; frame-ancestors 'self' https://www.hope.example http://127.0.0.1:9000"
    )
    assert response["Content-Security-Policy"].count("frame-ancestors") == 1
    assert "X-Frame-Options" not in response
    page = response.content.decode()
    assert 'target="_top"' in page and 'method="get"' in page
    assert 'value="USD:25.00"' in page


def test_without_origins_no_site_may_frame_it(client: Client, settings):
    settings.DONATION_EMBED_ORIGINS = []
    response = client.get("/donate/embed/")
    assert response["Content-Security-Policy"].endswith("; frame-ancestors 'none'")


def test_every_other_page_still_refuses_frames(client: Client, settings):
    settings.DONATION_EMBED_ORIGINS = ["https://www.hope.example"]
    response = client.get("/donate/")
    assert response["X-Frame-Options"] == "DENY"


def test_the_embed_of_a_missing_campaign_is_404(client: Client):
    assert client.get("/donate/no-such-campaign/embed/").status_code == 404
    assert client.post("/donate/embed/").status_code == 405


def test_the_donate_page_takes_the_amount_chosen_in_the_embed(client: Client):
    page = client.get(
        "/donate/", {"currency": "USD", "amount": "USD:50.00", "frequency": "monthly"}
    ).content.decode()
    assert "checked" in page.split('value="USD:50.00"')[1].split(">")[0]
    assert "checked" in page.split('value="monthly"')[1].split(">")[0]


def test_the_campaigns_page_offers_the_snippet(client: Client, coordinator, settings):
    settings.DONATION_EMBED_ORIGINS = ["https://www.hope.example"]
    client.force_login(coordinator)
    page = client.get("/coordinator/giving/campaigns/").content.decode()
    assert "&lt;iframe src=&quot;" not in page  # escaped once, shown as code
    assert '&lt;iframe src="http://127.0.0.1:8000/donate/embed/"' in page
    assert "https://www.hope.example" in page
