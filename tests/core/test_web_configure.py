"""SCALEKIT_* settings read the same way for every adapter."""

from __future__ import annotations

import pytest

from scalekit_core import ConfigurationError
from scalekit_core.web import MemorySessionStore, settings_from_mapping

BASE = {
    "SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev/",
    "SCALEKIT_CLIENT_ID": "skc_1",
    "SCALEKIT_CLIENT_SECRET": "secret",
    "SCALEKIT_APP_BASE_URL": "http://127.0.0.1:5000",
    "SCALEKIT_COOKIE_SECRET": "c" * 32,
}


def test_minimal_settings() -> None:
    settings = settings_from_mapping(BASE)
    assert settings.client.env_url == "https://acme.scalekit.dev"
    assert settings.session.redirect_uri == "http://127.0.0.1:5000/auth/callback"
    assert settings.session.cookie_secure is False


def test_every_missing_key_is_named_once() -> None:
    with pytest.raises(ConfigurationError) as info:
        settings_from_mapping({"SCALEKIT_CLIENT_ID": "x"})
    assert str(info.value) == (
        "missing Scalekit settings: SCALEKIT_ENVIRONMENT_URL, SCALEKIT_CLIENT_SECRET, "
        "SCALEKIT_APP_BASE_URL, SCALEKIT_COOKIE_SECRET"
    )


def test_framework_secret_as_fallback_and_rotation_lists() -> None:
    values = {key: value for key, value in BASE.items() if key != "SCALEKIT_COOKIE_SECRET"}
    assert settings_from_mapping(values, fallback_secret="f" * 40).session.secret_list == (
        "f" * 40,
    )
    rotated = settings_from_mapping({**values, "SCALEKIT_COOKIE_SECRET": ["n" * 32, "o" * 32]})
    assert rotated.session.secret_list == ("n" * 32, "o" * 32)
    with pytest.raises(ConfigurationError, match="at least 32"):
        settings_from_mapping(values, fallback_secret="short")


def test_optional_keys_are_parsed_and_malformed_ones_named() -> None:
    settings = settings_from_mapping(
        {
            **BASE,
            "SCALEKIT_SCOPES": "openid email",
            "SCALEKIT_LOGIN_PATH": "/login",
            "SCALEKIT_IDLE_TIMEOUT": "600",
            "SCALEKIT_COOKIE_SECURE": "true",
            "SCALEKIT_LEEWAY": 30,
        },
        store=MemorySessionStore(),
    )
    assert settings.session.scopes == ("openid", "email") == settings.client.scopes
    assert (settings.session.login_path, settings.session.idle_timeout) == ("/login", 600.0)
    assert settings.session.cookie_secure is True and settings.client.leeway == 30.0
    assert isinstance(settings.session.store, MemorySessionStore)
    with pytest.raises(ConfigurationError, match="SCALEKIT_COOKIE_SECURE, SCALEKIT_IDLE_TIMEOUT"):
        settings_from_mapping(
            {**BASE, "SCALEKIT_IDLE_TIMEOUT": "soon", "SCALEKIT_COOKIE_SECURE": "maybe"}
        )
    with pytest.raises(ConfigurationError, match="SCALEKIT_ENVIRONMENT_URL"):
        settings_from_mapping({**BASE, "SCALEKIT_ENVIRONMENT_URL": "acme.scalekit.dev"})
    with pytest.raises(ConfigurationError, match="base_url"):
        settings_from_mapping({**BASE, "SCALEKIT_APP_BASE_URL": "localhost:5000"})
