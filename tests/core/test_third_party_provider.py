"""The core's clients against a third-party OpenID provider laid out at Scalekit's paths."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from scalekit_core import (
    AsyncScalekitClient,
    CodeAuthenticationOptions,
    LogoutUrlOptions,
    OAuthError,
    ScalekitClient,
    TokenValidationError,
)

from .third_party_provider import sign_in, third_party_provider

# The provider's dependencies warn about their own deprecated internals (in its server thread).
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:oidc_provider_mock.*"),
]

REDIRECT = "http://127.0.0.1:5999/auth/callback"
SCOPES = ("openid", "profile", "email", "offline_access")


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with third_party_provider() as url:
        yield url


def code_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_full_flow_sync(provider: str) -> None:
    with ScalekitClient(provider, "any-client", "any-secret", scopes=SCOPES) as client:
        request = client.create_authorization_request(REDIRECT)
        query = code_of(sign_in(request.url, "ada@example.com"))
        assert query["state"] == request.state
        options = CodeAuthenticationOptions(
            code_verifier=request.code_verifier, nonce=request.nonce
        )
        result = client.authenticate_with_code(query["code"], REDIRECT, options)
        assert result.user["id"] == "ada@example.com"
        assert result.id_token_claims["iss"] == provider
        assert result.refresh_token and result.expires_in > 0
        # This provider's access tokens are opaque (as OAuth allows): not locally valid JWTs.
        assert client.validate_access_token(result.access_token) is False
        refreshed = client.refresh_access_token(result.refresh_token)
        assert refreshed.access_token != result.access_token
        logout = client.get_logout_url(
            LogoutUrlOptions(
                id_token_hint=result.id_token, post_logout_redirect_uri="http://127.0.0.1:5999/"
            )
        )
        assert logout.startswith(f"{provider}/oidc/logout?id_token_hint=")
        with pytest.raises(OAuthError, match="invalid_grant"):
            client.authenticate_with_code(query["code"], REDIRECT, options)


def test_nonce_mismatch_is_caught(provider: str) -> None:
    with ScalekitClient(provider, "any-client", "any-secret") as client:
        request = client.create_authorization_request(REDIRECT)
        query = code_of(sign_in(request.url, "eve@example.com"))
        with pytest.raises(TokenValidationError) as info:
            client.authenticate_with_code(
                query["code"],
                REDIRECT,
                CodeAuthenticationOptions(code_verifier=request.code_verifier, nonce="another"),
            )
        assert info.value.reason == "invalid_nonce"


@pytest.mark.anyio
async def test_full_flow_async(provider: str) -> None:
    async with AsyncScalekitClient(provider, "any-client", "any-secret", scopes=SCOPES) as client:
        request = client.create_authorization_request(REDIRECT)
        query = code_of(sign_in(request.url, "grace@example.com"))
        options = CodeAuthenticationOptions(
            code_verifier=request.code_verifier, nonce=request.nonce
        )
        result = await client.authenticate_with_code(query["code"], REDIRECT, options)
        assert result.user["id"] == "grace@example.com"
        assert result.refresh_token
        refreshed = await client.refresh_access_token(result.refresh_token)
        assert refreshed.access_token != result.access_token
