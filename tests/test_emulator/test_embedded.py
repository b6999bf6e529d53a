"""The emulator started inside an app's process when Scalekit is not configured."""

from __future__ import annotations

import httpx
import pytest

from scalekit_emulator import start_unless_configured


def test_nothing_started_when_configured() -> None:
    env = {"SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev"}
    assert start_unless_configured(env) is None
    assert env == {"SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev"}


def test_started_and_environment_filled_when_unconfigured(caplog: pytest.LogCaptureFixture) -> None:
    env: dict[str, str] = {}
    server = start_unless_configured(env, port=0)
    assert server is not None
    try:
        assert env["SCALEKIT_ENVIRONMENT_URL"] == server.url
        assert set(env) == {
            "SCALEKIT_ENVIRONMENT_URL",
            "SCALEKIT_CLIENT_ID",
            "SCALEKIT_CLIENT_SECRET",
        }
        assert httpx.get(server.url + "/keys").status_code == 200
        assert "bundled Scalekit emulator" in caplog.text
    finally:
        server.stop()
