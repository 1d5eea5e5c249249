"""The production password hasher (the suite itself runs with a fast one, see conftest)."""

from __future__ import annotations

import importlib

from django.conf import global_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher


def test_production_settings_keep_djangos_pbkdf2_hasher_first() -> None:
    config = importlib.import_module("config.settings")
    hashers = getattr(config, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def test_the_production_hasher_hashes_and_checks_a_password() -> None:
    hasher = PBKDF2PasswordHasher()
    encoded = hasher.encode("correct horse battery staple", hasher.salt())
    assert encoded.startswith(f"pbkdf2_sha256${hasher.iterations}$")
    assert hasher.iterations >= 1_000_000
    assert hasher.verify("correct horse battery staple", encoded)
    assert not hasher.verify("wrong", encoded)
