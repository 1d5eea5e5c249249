"""Content-Security-Policy and Permissions-Policy (issue 16, hardening)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.core.test_settings import PRODUCTION_ENV
from tests.utils import ROOT, clean_env

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'sha256-KL7unZ6JPcWFIzE/Z//z5F3Sgo+EY4RHcN1phNrMQFI='; "
    "img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
EXPECTED_PERMISSIONS = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "xr-spatial-tracking=()"
)

# The login page, rendered under production settings in a fresh interpreter (no database is
# reached: an anonymous GET of the login page reads none).
_PRODUCTION_REQUEST = """
import json, django
django.setup()
from django.test import Client
from django.test import override_settings
# Static files are not collected here: the plain storage names them (the headers do not
# depend on it).
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={"default": plain, "staticfiles": plain}):
    response = Client().get("/accounts/login/", secure=True, HTTP_HOST="ngo.example.org")
print(json.dumps({
    "status": response.status_code,
    "csp": response.headers.get("Content-Security-Policy"),
    "permissions": response.headers.get("Permissions-Policy"),
    "body": response.content.decode(),
}))
"""


def test_production_response_carries_csp_and_permissions_policy(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PRODUCTION_REQUEST],
        cwd=ROOT,
        env=clean_env(
            **PRODUCTION_ENV, VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings"
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["status"] == 200
    assert answer["csp"] == EXPECTED_CSP
    assert answer["permissions"] == EXPECTED_PERMISSIONS
    # The page itself needs nothing the policy refuses: no inline script, style or handler.
    body = answer["body"]
    assert re.findall(r"<script(?![^>]*\bsrc=)", body) == []
    assert "<style" not in body
    assert re.findall(r"\sstyle=|\son[a-z]+=", body) == []


@pytest.mark.django_db
def test_every_page_gets_the_policy_and_the_embed_form_keeps_its_own_frame_ancestors(
    client: Client,
) -> None:
    home = client.get("/accounts/login/")
    assert home["Content-Security-Policy"] == EXPECTED_CSP
    assert home["Permissions-Policy"] == EXPECTED_PERMISSIONS
    with override_settings(DONATION_EMBED_ORIGINS=["https://www.hope.example"]):
        embed = client.get("/donate/embed/")
    assert embed.status_code == 200
    assert embed["Content-Security-Policy"] == EXPECTED_CSP.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self' https://www.hope.example"
    )


def test_a_logo_from_another_site_is_allowed_as_an_image(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.CONTENT_SECURITY_POLICY['img-src'])",
        ],
        cwd=ROOT,
        env=clean_env(
            VAR_DIR=str(tmp_path),
            DJANGO_SETTINGS_MODULE="config.settings",
            ORG_LOGO="https://cdn.hope.example/logo.svg",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "'self' data: https://cdn.hope.example"


# Templates of pages (e-mails are not pages: mail clients need their inline styles).
PAGE_TEMPLATES = sorted(
    str(path.relative_to(ROOT))
    for path in (ROOT / "templates").rglob("*.html")
    if "notifications" not in path.relative_to(ROOT / "templates").parts[:1]
)
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=")


def test_the_page_templates_are_found() -> None:
    assert "templates/base.html" in PAGE_TEMPLATES
    assert "templates/volunteers/coordinator/shifts/roster_print.html" in PAGE_TEMPLATES


def test_the_server_error_page_style_is_the_one_the_policy_allows() -> None:
    text = (ROOT / "templates/500.html").read_text()
    styles = re.findall(r"<style>(.*?)</style>", text, flags=re.S)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}';" in EXPECTED_CSP


@pytest.mark.parametrize("name", [name for name in PAGE_TEMPLATES if name != "templates/500.html"])
def test_pages_have_no_inline_script_style_or_handler(name: str) -> None:
    text = (ROOT / name).read_text()
    # Markup shown as text (a snippet to copy) is not markup of the page.
    text = re.sub(r"<code[^>]*>.*?</code>", "", text, flags=re.S)
    assert INLINE.findall(text) == []
