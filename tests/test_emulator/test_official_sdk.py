"""The official scalekit-sdk-python, unmodified, against the emulator."""

from __future__ import annotations

import secrets
import warnings

import pytest

from scalekit_emulator import EmulatorHandle, pkce_s256

from .conftest import REDIRECT_URI, query_of


@pytest.mark.official_sdk
def test_official_sdk_code_flow_validate_and_refresh(scalekit_emulator: EmulatorHandle) -> None:
    with warnings.catch_warnings():
        # Its import pulls in gRPC/protobuf, which may warn on newer Pythons; not ours.
        warnings.simplefilter("ignore")
        import scalekit

        emu = scalekit_emulator
        client = scalekit.ScalekitClient(emu.url, emu.client_id, emu.client_secret)
        verifier = secrets.token_urlsafe(48)
        options = scalekit.AuthorizationUrlOptions()
        options.scopes = ["openid", "profile", "email", "offline_access"]
        options.state = "sdk-state"
        url = client.get_authorization_url(REDIRECT_URI, options)
        # The SDK never sends PKCE; add it ourselves to also prove code_verifier is forwarded.
        url += f"&code_challenge={pkce_s256(verifier)}&code_challenge_method=S256"
        code = query_of(emu.sign_in(url))["code"]
        code_options = scalekit.CodeAuthenticationOptions()
        code_options.code_verifier = verifier
        result = client.authenticate_with_code(code, REDIRECT_URI, code_options)
        assert result["user"]["email"] == "alice@acme.test"
        assert result["organization_id"] == "org_acme"
        assert result["connection_id"] == "conn_acme_okta"
        assert client.validate_access_token(result["access_token"]) is True
        assert client.validate_access_token(result["access_token"] + "x") is False
        refreshed = client.refresh_access_token(result["refresh_token"])
        assert refreshed["refresh_token"] != result["refresh_token"]
        assert client.validate_access_token(refreshed["access_token"]) is True
    assert emu.token_calls("refresh_token") == 1
