"""Settings: development needs nothing; production refuses to start without its variables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.utils import ROOT, clean_env

STRONG_KEY = "k3Y-" + "x7Qz!9pLm#2Rv$8Tn&4Wb^6Yc*0Hd(5Jf)1Ks_3Ug+7Ea=9Io" * 2

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "ngo.example.org",
    "SITE_URL": "https://ngo.example.org",
    "DATABASE_URL": "postgres://ngo:secret@db.example.org:5432/ngo",
    "REDIS_URL": "redis://cache.example.org:6379/0",
}


def run_manage(*args: str, env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh interpreter, with only the given variables set."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env(**env, VAR_DIR=str(var_dir)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "REDIS_URL"]
)
def test_production_refuses_to_start_without(missing: str, tmp_path: Path) -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = run_manage("check", env=env, var_dir=tmp_path)
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr
    # Nothing was written in its place: no generated key, no SQLite file.
    assert not (tmp_path / "secret_key").exists()
    assert not (tmp_path / "db.sqlite3").exists()


def test_production_passes_check_deploy_without_warnings(tmp_path: Path) -> None:
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, var_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_secret_may_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "key.txt"
    key_file.write_text(STRONG_KEY + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    env["SECRET_KEY_FILE"] = str(key_file)
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=env, var_dir=tmp_path / "var"
    )
    assert result.returncode == 0, result.stderr


def test_unreadable_secret_file_names_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    env["SECRET_KEY_FILE"] = str(tmp_path / "missing.txt")
    result = run_manage("check", env=env, var_dir=tmp_path)
    assert result.returncode == 1
    assert "SECRET_KEY_FILE=" in result.stderr
    assert "cannot be read" in result.stderr


def test_unknown_django_env_is_refused(tmp_path: Path) -> None:
    result = run_manage("check", env={"DJANGO_ENV": "prod"}, var_dir=tmp_path)
    assert result.returncode == 1
    assert "DJANGO_ENV must be 'development' or 'production', not 'prod'" in result.stderr


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = run_manage("check", env={**PRODUCTION_ENV, "DEBUG": "true"}, var_dir=tmp_path)
    assert result.returncode == 1
    assert "DEBUG must be off when DJANGO_ENV=production" in result.stderr


def _settings_values(env: dict[str, str], var_dir: Path, *names: str) -> list[str]:
    script = "import django; django.setup(); from django.conf import settings as s; " + "; ".join(
        f"print(s.{name})" for name in names
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean_env(**env, VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="config.settings"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.splitlines()


def test_production_trusts_one_proxy_and_gives_the_cache_its_own_redis_database(
    tmp_path: Path,
) -> None:
    values = _settings_values(
        PRODUCTION_ENV,
        tmp_path,
        "NUM_PROXIES",
        "CACHES['default']['LOCATION']",
        "CELERY_BROKER_URL",
    )
    assert values == [
        "1",
        "redis://cache.example.org:6379/1",
        "redis://cache.example.org:6379/0",
    ]


def test_development_needs_no_variables_and_keeps_its_secret_key(tmp_path: Path) -> None:
    names = (
        "SECRET_KEY",
        "DATABASES['default']['ENGINE']",
        "CELERY_BROKER_URL",
        "DEBUG",
        "EMAIL_BACKEND",
        "NUM_PROXIES",
    )
    first = _settings_values({}, tmp_path, *names)
    second = _settings_values({}, tmp_path, *names)
    assert first == second  # the generated key is reused, not regenerated
    assert first[0] == (tmp_path / "secret_key").read_text().strip()
    assert len(first[0]) >= 50
    assert first[1:] == [
        "django.db.backends.sqlite3",
        "filesystem://localhost//",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "0",
    ]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8101"}, "http://127.0.0.1:8101"),
        ({"HOST": "localhost", "PORT": "8111"}, "http://localhost:8111"),
        ({"HOST": "0.0.0.0", "PORT": "8101"}, "http://127.0.0.1:8101"),  # noqa: S104
        ({"HOST": "::1", "PORT": "8101"}, "http://[::1]:8101"),
        ({"PORT": "8101", "SITE_URL": "https://dev.example.org/"}, "https://dev.example.org"),
    ],
)
def test_in_development_links_follow_the_address_the_app_is_served_on(
    env: dict[str, str], site_url: str, tmp_path: Path
) -> None:
    """`make run PORT=8101` exports HOST and PORT to the web process, the worker, beat and
    the demo data: every link in an e-mail points where the app answers."""
    assert _settings_values(env, tmp_path, "SITE_URL") == [site_url]


def _make_value(variable: str, *args: str) -> str:
    """What ``variable`` is in the environment of the processes ``make run`` starts."""
    result = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "--eval",
            f"show: ; @echo $${variable}",
            "show",
            *args,
        ],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("args", "site_url"),
    [
        ((), "http://127.0.0.1:8000"),
        (("PORT=8101",), "http://127.0.0.1:8101"),
        (("HOST=0.0.0.0", "PORT=8101"), "http://127.0.0.1:8101"),
        (("PORT=8101", "SITE_URL=https://dev.example.org"), "https://dev.example.org"),
    ],
)
def test_make_run_gives_every_process_the_web_address(args: tuple[str, ...], site_url: str) -> None:
    """honcho gives the worker and beat PORTs of their own (8211, 8311): the address the
    web process listens on reaches them as SITE_URL, so their e-mails link to it too."""
    assert _make_value("SITE_URL", *args) == site_url
    procfile = (ROOT / "Procfile.dev").read_text()
    assert "runserver ${HOST:-127.0.0.1}:${PORT:-8000}" in procfile
