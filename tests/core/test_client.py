"""The twin clients over HTTP against an in-process provider at Scalekit's paths."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx
import pytest

from scalekit_core import (
    AsyncScalekitClient,
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    ConfigurationError,
    LogoutUrlOptions,
    OAuthError,
    ScalekitClient,
    ScalekitConfig,
    ScalekitConnectionError,
    TokenValidationError,
)

from .fake_provider import FakeProvider
from .jwt_factory import CLIENT_ID, CLIENT_SECRET, ISSUER, access_claims, signing_key

REDIRECT = "https://app.test/auth/callback"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def sync_client(provider: FakeProvider) -> ScalekitClient:
    return ScalekitClient(
        ISSUER, CLIENT_ID, CLIENT_SECRET, http_client=httpx.Client(transport=provider.transport())
    )


def async_client(provider: FakeProvider) -> AsyncScalekitClient:
    return AsyncScalekitClient(
        ISSUER,
        CLIENT_ID,
        CLIENT_SECRET,
        http_client=httpx.AsyncClient(transport=provider.transport()),
    )


def test_full_flow_sync() -> None:
    provider = FakeProvider()
    client = sync_client(provider)
    assert provider.calls == {}  # no I/O in the constructor
    result = client.authenticate_with_code(
        "good-code", REDIRECT, CodeAuthenticationOptions(code_verifier="v" * 43, nonce="n-1")
    )
    assert result.user == {
        "id": "usr_123",
        "name": "Ada Lovelace",
        "username": "ada",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "email": "ada@example.com",
        "emailVerified": True,
    }
    json.dumps(result.user)  # stored straight into framework sessions by the official docs
    assert (result.organization_id, result.connection_id, result.expires_in) == (
        "org_1",
        "conn_1",
        300,
    )
    assert client.validate_access_token(result.access_token) is True
    assert client.validate_access_token_and_get_claims(result.access_token)["sid"] == "ses_1"
    assert result.refresh_token is not None
    refreshed = client.refresh_access_token(result.refresh_token)
    assert refreshed.refresh_token == "rt-1" and refreshed.id_token and refreshed.expires_in == 300
    with pytest.raises(OAuthError) as info:
        client.refresh_access_token(result.refresh_token)  # rotated: the old one is refused
    assert info.value.error == "invalid_grant"
    assert provider.calls["/keys"] == 1
    url = client.get_logout_url(
        LogoutUrlOptions(
            id_token_hint=result.id_token, post_logout_redirect_uri="https://app.test/", state="s"
        )
    )
    assert url.startswith(f"{ISSUER}/oidc/logout?id_token_hint=")
    assert client.get_client_credentials_token().expires_in == 86400


@pytest.mark.anyio
async def test_full_flow_async() -> None:
    provider = FakeProvider()
    async with async_client(provider) as client:
        result = await client.authenticate_with_code(
            "good-code", REDIRECT, CodeAuthenticationOptions(nonce="n-1")
        )
        assert result.user["email"] == "ada@example.com"
        assert await client.validate_access_token(result.access_token) is True
        assert await client.validate_access_token("x.y.z") is False
        assert result.refresh_token is not None
        refreshed = await client.refresh_access_token(result.refresh_token)
        assert refreshed.refresh_token == "rt-1"
        with pytest.raises(OAuthError, match="invalid_grant"):
            await client.authenticate_with_code("bad-code", REDIRECT)


def test_wrong_nonce_and_wrong_secret() -> None:
    provider = FakeProvider(nonce="n-other")
    with pytest.raises(TokenValidationError) as info:
        sync_client(provider).authenticate_with_code(
            "good-code", REDIRECT, CodeAuthenticationOptions(nonce="n-1")
        )
    assert info.value.reason == "invalid_nonce"
    bad = ScalekitClient(
        ISSUER, CLIENT_ID, "wrong", http_client=httpx.Client(transport=provider.transport())
    )
    with pytest.raises(OAuthError) as oauth:
        bad.authenticate_with_code("good-code", REDIRECT)
    assert oauth.value.error == "invalid_client" and oauth.value.status_code == 401
    assert "wrong" not in str(oauth.value)


def test_forged_tokens_are_rejected_with_token_validation_error() -> None:
    client = sync_client(FakeProvider())
    forged = signing_key("evil").sign(access_claims())
    assert client.validate_access_token(forged) is False
    with pytest.raises(TokenValidationError):
        client.validate_access_token_and_get_claims("not-a-jwt")


def failing_transport(exc: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


def test_network_failures_become_scalekit_connection_error_without_secrets() -> None:
    for exc in (
        httpx.ConnectTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ):
        client = ScalekitClient(
            ISSUER,
            CLIENT_ID,
            CLIENT_SECRET,
            http_client=httpx.Client(transport=failing_transport(exc)),
        )
        with pytest.raises(ScalekitConnectionError) as info:
            client.authenticate_with_code("good-code", REDIRECT)
        assert "good-code" not in str(info.value) and CLIENT_SECRET not in str(info.value)


@pytest.mark.anyio
async def test_network_failures_async() -> None:
    transport = failing_transport(httpx.ReadTimeout("slow"))
    client = AsyncScalekitClient(
        ISSUER, CLIENT_ID, CLIENT_SECRET, http_client=httpx.AsyncClient(transport=transport)
    )
    with pytest.raises(ScalekitConnectionError, match="timed out"):
        await client.refresh_access_token("rt-0")


def test_default_timeouts_and_owned_http_client() -> None:
    client = ScalekitClient(ISSUER, CLIENT_ID, CLIENT_SECRET)
    assert client._http.timeout == httpx.Timeout(10.0, connect=5.0)
    client.close()
    assert client._http.is_closed
    shared = httpx.Client()
    ScalekitClient(ISSUER, CLIENT_ID, CLIENT_SECRET, http_client=shared).close()
    assert not shared.is_closed  # a user-supplied client is the user's to close
    shared.close()


def _public(cls: type) -> dict[str, Any]:
    return {name: member for name, member in inspect.getmembers(cls) if not name.startswith("_")}


def test_twins_have_the_same_surface_and_signatures() -> None:
    sync_members, async_members = _public(ScalekitClient), _public(AsyncScalekitClient)
    assert set(sync_members) - {"__enter__", "__exit__"} == set(async_members) - {"aclose"}
    for name, member in sync_members.items():
        twin = async_members[name]
        if not callable(member) or isinstance(member, type):
            continue
        assert (
            inspect.signature(member).parameters.keys() == inspect.signature(twin).parameters.keys()
        ), name
        does_io = inspect.iscoroutinefunction(twin)
        assert not inspect.iscoroutinefunction(member), name
        if name in (
            "get_authorization_url",
            "create_authorization_request",
            "get_logout_url",
            "verify_webhook_payload",
            "from_config",
            "from_env",
        ):
            assert not does_io, name


def test_configuration_errors_name_what_is_missing() -> None:
    with pytest.raises(ConfigurationError, match="SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET"):
        ScalekitConfig.from_env({"SCALEKIT_ENVIRONMENT_URL": "https://x.test"})
    with pytest.raises(ConfigurationError, match="SCALEKIT_ENVIRONMENT_URL must be an absolute"):
        ScalekitConfig.from_env(
            {
                "SCALEKIT_ENVIRONMENT_URL": "acme.scalekit.dev",
                "SCALEKIT_CLIENT_ID": "a",
                "SCALEKIT_CLIENT_SECRET": "b",
            }
        )
    with pytest.raises(ConfigurationError, match="LEEWAY"):
        ScalekitConfig.from_env(
            {
                "SCALEKIT_ENVIRONMENT_URL": "https://x.test",
                "SCALEKIT_CLIENT_ID": "a",
                "SCALEKIT_CLIENT_SECRET": "b",
                "SCALEKIT_LEEWAY": "soon",
            }
        )
    config = ScalekitConfig.from_env(
        {
            "SCALEKIT_ENVIRONMENT_URL": "https://x.test//",
            "SCALEKIT_CLIENT_ID": "a",
            "SCALEKIT_CLIENT_SECRET": "b",
            "SCALEKIT_SCOPES": "openid email",
        }
    )
    assert (config.env_url, config.scopes) == ("https://x.test", ("openid", "email"))
    assert "b" not in repr(config).replace("client_id='a'", "")
    with pytest.raises(ConfigurationError, match="client_secret"):
        ScalekitClient("https://x.test", "a", None)


def test_authorization_url_with_the_official_docs_options() -> None:
    client = ScalekitClient(ISSUER, CLIENT_ID, CLIENT_SECRET)
    options = AuthorizationUrlOptions(
        scopes=["openid", "profile", "email", "offline_access"],
        organization_id="org_123",
        connection_id="conn_456",
        login_hint="user@example.com",
        prompt="login",
        state="abc",
    )
    url = client.get_authorization_url("https://yourapp.com/auth/callback", options)
    for part in (
        "organization_id=org_123",
        "connection_id=conn_456",
        "login_hint=user%40example.com",
        "prompt=login",
        "state=abc",
    ):
        assert part in url
