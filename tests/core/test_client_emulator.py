"""Both clients against the emulator over real HTTP: the whole flow a user goes through."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from scalekit_core import (
    AsyncScalekitClient,
    CodeAuthenticationOptions,
    LogoutUrlOptions,
    OAuthError,
    ScalekitClient,
    ScalekitConnectionError,
    TokenValidationError,
)
from scalekit_emulator import EmulatorHandle

REDIRECT = "http://127.0.0.1:5999/auth/callback"
SCOPES = ("openid", "profile", "email", "offline_access")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def client(scalekit_emulator: EmulatorHandle) -> Iterator[ScalekitClient]:
    with ScalekitClient(
        scalekit_emulator.url,
        scalekit_emulator.client_id,
        scalekit_emulator.client_secret,
        read_timeout=0.5,
    ) as client:
        yield client


def callback_query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_full_flow_sync(scalekit_emulator: EmulatorHandle) -> None:
    with ScalekitClient(
        scalekit_emulator.url,
        scalekit_emulator.client_id,
        scalekit_emulator.client_secret,
        scopes=SCOPES,
    ) as client:
        request = client.create_authorization_request(REDIRECT)
        query = callback_query(scalekit_emulator.sign_in(request.url, email="bob@acme.test"))
        assert query["state"] == request.state
        assert query["iss"] == scalekit_emulator.url
        result = client.authenticate_with_code(
            query["code"],
            REDIRECT,
            CodeAuthenticationOptions(code_verifier=request.code_verifier, nonce=request.nonce),
        )
        assert result.user["email"] == "bob@acme.test"
        assert result.organization_id == "org_acme"
        claims = client.validate_access_token_and_get_claims(result.access_token)
        assert claims["roles"] == ["member"]
        assert result.refresh_token is not None
        refreshed = client.refresh_access_token(result.refresh_token)
        assert refreshed.refresh_token not in (None, result.refresh_token)
        assert refreshed.id_token and refreshed.expires_in > 0
        assert client.validate_access_token(refreshed.access_token)
        logout = client.get_logout_url(
            LogoutUrlOptions(
                id_token_hint=result.id_token,
                post_logout_redirect_uri="http://127.0.0.1:5999/",
                state="bye",
            )
        )
        answer = httpx.get(logout)
        assert answer.status_code in (302, 303, 307)
        assert answer.headers["location"] == "http://127.0.0.1:5999/?state=bye"
        assert scalekit_emulator.session(claims["sid"])["status"] == "logout"  # type: ignore[index]
        with pytest.raises(OAuthError) as info:
            client.refresh_access_token(refreshed.refresh_token or "")
        assert info.value.error == "invalid_grant"


@pytest.mark.anyio
async def test_full_flow_async(scalekit_emulator: EmulatorHandle) -> None:
    async with AsyncScalekitClient(
        scalekit_emulator.url,
        scalekit_emulator.client_id,
        scalekit_emulator.client_secret,
        scopes=SCOPES,
    ) as client:
        request = client.create_authorization_request(REDIRECT)
        query = callback_query(scalekit_emulator.sign_in(request.url))
        result = await client.authenticate_with_code(
            query["code"],
            REDIRECT,
            CodeAuthenticationOptions(code_verifier=request.code_verifier, nonce=request.nonce),
        )
        assert result.user["email"] == "alice@acme.test"
        assert await client.validate_access_token(result.access_token)
        assert result.refresh_token is not None
        refreshed = await client.refresh_access_token(result.refresh_token)
        assert await client.validate_access_token(refreshed.access_token)
        with pytest.raises(OAuthError, match="invalid_grant"):  # codes are single-use
            await client.authenticate_with_code(
                query["code"],
                REDIRECT,
                CodeAuthenticationOptions(code_verifier=request.code_verifier),
            )


def test_wrong_verifier_and_wrong_redirect_are_refused(
    scalekit_emulator: EmulatorHandle, client: ScalekitClient
) -> None:
    request = client.create_authorization_request(REDIRECT)
    code = callback_query(scalekit_emulator.sign_in(request.url))["code"]
    with pytest.raises(OAuthError, match="invalid_grant"):
        client.authenticate_with_code(
            code, REDIRECT, CodeAuthenticationOptions(code_verifier="x" * 43)
        )
    request = client.create_authorization_request(REDIRECT)
    code = callback_query(scalekit_emulator.sign_in(request.url))["code"]
    with pytest.raises(OAuthError, match="invalid_grant"):
        client.authenticate_with_code(
            code, REDIRECT + "x", CodeAuthenticationOptions(code_verifier=request.code_verifier)
        )


def test_key_rotation_and_jwks_outage(
    scalekit_emulator: EmulatorHandle, client: ScalekitClient
) -> None:
    assert client.validate_access_token(scalekit_emulator.mint_access_token())
    scalekit_emulator.rotate_keys()
    # a token signed by the new key: unknown kid, one refetch, then valid
    assert client.validate_access_token(
        scalekit_emulator.mint_access_token(email="carol@globex.test")
    )
    assert scalekit_emulator.calls("/keys") == 2
    scalekit_emulator.inject_fault("/keys", status=503, count=10)
    client._ctx.jwks.fetched_at = 0.0  # the cache is stale: the next validation refetches
    assert client.validate_access_token(scalekit_emulator.mint_access_token(email="bob@acme.test"))


def test_malformed_and_forged_tokens_only_raise_token_validation_error(
    scalekit_emulator: EmulatorHandle, client: ScalekitClient
) -> None:
    good = scalekit_emulator.mint_access_token()
    header, payload, signature = good.split(".")
    for token in (
        "",
        "abc",
        "a.b.c",
        f"{header}.{payload}.",
        f"{header}.{payload[:-4]}.{signature}",
        good + "x",
        f"{header}.e30.{signature}",
    ):
        with pytest.raises(TokenValidationError):
            client.validate_access_token_and_get_claims(token)
    expired = scalekit_emulator.mint_access_token(exp=1)
    with pytest.raises(TokenValidationError) as info:
        client.validate_access_token_and_get_claims(expired)
    assert info.value.reason == "expired"


def test_provider_faults_are_typed_errors(
    scalekit_emulator: EmulatorHandle, client: ScalekitClient
) -> None:
    scalekit_emulator.inject_fault("/oauth/token", status=502, body="<html>bad gateway</html>")
    with pytest.raises(OAuthError) as info:
        client.refresh_access_token("rt")
    assert (info.value.error, info.value.status_code) == ("server_error", 502)
    scalekit_emulator.inject_fault("/oauth/token", delay=1.0)
    with pytest.raises(ScalekitConnectionError, match="timed out"):
        client.refresh_access_token("rt")
