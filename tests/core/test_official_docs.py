"""Snippets of Scalekit's official Python docs, run with only the import line changed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from scalekit_emulator import EmulatorHandle


def test_quick_start_login_callback_validate_refresh(
    scalekit_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in scalekit_emulator.env().items():
        monkeypatch.setenv(name, value)
    import os

    from scalekit_core import AuthorizationUrlOptions, CodeAuthenticationOptions, ScalekitClient

    def generate_secure_state() -> str:
        return "state-123"

    scalekit_client = ScalekitClient(
        os.environ.get("SCALEKIT_ENVIRONMENT_URL"),
        os.environ.get("SCALEKIT_CLIENT_ID"),
        os.environ.get("SCALEKIT_CLIENT_SECRET"),
    )
    redirect_uri = "http://localhost:5000/auth/callback"
    options = AuthorizationUrlOptions(
        scopes=["openid", "profile", "email", "offline_access"], state=generate_secure_state()
    )
    url = scalekit_client.get_authorization_url(redirect_uri, options)

    code = parse_qs(urlsplit(scalekit_emulator.sign_in(url)).query)["code"][0]
    options = CodeAuthenticationOptions()
    auth_result = scalekit_client.authenticate_with_code(
        code, "http://localhost:5000/auth/callback", options
    )
    user = auth_result.user
    access_token = auth_result.access_token
    refresh_token = auth_result.refresh_token
    assert user["email"] == "alice@acme.test"

    is_valid = scalekit_client.validate_access_token(access_token)
    assert is_valid

    auth_result = scalekit_client.refresh_access_token(refresh_token)
    assert auth_result.expires_in - 60 > 0

    try:
        scalekit_client.authenticate_with_code(code, redirect_uri, options)
    except Exception as error:
        assert "invalid_grant" in str(error)
    else:
        raise AssertionError("a reused code must fail")
    scalekit_client.close()


def test_invalid_client_is_findable_in_the_message(scalekit_emulator: EmulatorHandle) -> None:
    from scalekit_core import CodeAuthenticationOptions, ScalekitClient

    scalekit_client = ScalekitClient(
        scalekit_emulator.url, scalekit_emulator.client_id, "wrong-secret"
    )
    try:
        scalekit_client.authenticate_with_code(
            "code", "http://localhost:5000/auth/callback", CodeAuthenticationOptions()
        )
    except Exception as error:
        assert "invalid_client" in str(error)
    else:
        raise AssertionError("a wrong secret must fail")
    scalekit_client.close()


def test_type_hints_snippet(scalekit_emulator: EmulatorHandle) -> None:
    from scalekit_core import (
        AuthenticationResponse,
        AuthorizationUrlOptions,
        CodeAuthenticationOptions,
        ScalekitClient,
    )

    scalekit_client: ScalekitClient = ScalekitClient(
        scalekit_emulator.url, scalekit_emulator.client_id, scalekit_emulator.client_secret
    )
    options: AuthorizationUrlOptions = AuthorizationUrlOptions(
        scopes=["openid", "profile", "email"]
    )
    redirect_uri = "http://127.0.0.1:8000/auth/callback"
    code = parse_qs(
        urlsplit(
            scalekit_emulator.sign_in(scalekit_client.get_authorization_url(redirect_uri, options))
        ).query
    )["code"][0]
    auth_result: AuthenticationResponse = scalekit_client.authenticate_with_code(
        code, redirect_uri, CodeAuthenticationOptions()
    )
    assert auth_result.refresh_token is None  # no offline_access, no refresh token
    scalekit_client.close()
