"""The token endpoint's protocol, flows driven by hand."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from scalekit_core import (
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    ConfigurationError,
    OAuthError,
    ScalekitClient,
    ScalekitConfig,
    ScalekitError,
)
from scalekit_core.context import ClientContext
from scalekit_core.flows import HTTPResponse
from scalekit_core.pkce import s256_challenge
from scalekit_core.tokens import authenticate_with_code_flow, parse_token_response, refresh_flow

from .jwt_factory import CLIENT_ID, ISSUER

JSON = {"content-type": "application/json"}


def ctx() -> ClientContext:
    return ClientContext(ScalekitConfig(ISSUER, CLIENT_ID, "s3cret"))


def form_of(body: bytes | None) -> dict[str, str]:
    assert body is not None
    return {key: values[0] for key, values in parse_qs(body.decode()).items()}


def test_code_exchange_request_is_client_secret_post_only() -> None:
    flow = authenticate_with_code_flow(
        ctx(), "the-code", "https://app.test/cb", CodeAuthenticationOptions(code_verifier="v" * 43)
    )
    request = next(flow)
    assert (request.method, request.url) == ("POST", f"{ISSUER}/oauth/token")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in {name.lower() for name in request.headers}
    assert form_of(request.body) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "https://app.test/cb",
        "code_verifier": "v" * 43,
        "client_id": CLIENT_ID,
        "client_secret": "s3cret",
    }


def test_refresh_request_and_provider_without_rotation_keeps_the_refresh_token() -> None:
    flow = refresh_flow(ctx(), "rt-1")
    request = next(flow)
    assert form_of(request.body)["grant_type"] == "refresh_token"
    assert form_of(request.body)["refresh_token"] == "rt-1"
    with pytest.raises(StopIteration) as done:
        flow.send(
            HTTPResponse(
                200,
                JSON,
                json.dumps({"access_token": "a", "expires_in": 60, "id_token": "i"}).encode(),
            )
        )
    result = done.value.value
    assert (result.access_token, result.refresh_token, result.id_token, result.expires_in) == (
        "a",
        "rt-1",
        "i",
        60,
    )


@pytest.mark.parametrize(
    ("status", "body", "error", "expected_status"),
    [
        (
            400,
            {"error": "invalid_grant", "error_description": "code expired"},
            "invalid_grant",
            400,
        ),
        (401, {"error": "invalid_client"}, "invalid_client", 401),
        (429, {"error": "slow_down"}, "slow_down", 429),
        (404, b"<html>not found</html>", "invalid_request", 404),
        (502, b"<html>bad gateway</html>", "server_error", 502),
    ],
)
def test_token_errors_keep_the_oauth_code_and_the_real_status(
    status: int, body: object, error: str, expected_status: int
) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(OAuthError) as info:
        parse_token_response(HTTPResponse(status, JSON, content))
    assert info.value.error == error
    assert info.value.status_code == expected_status
    assert error in str(info.value)  # the official docs' `'invalid_grant' in str(e)` idiom


@pytest.mark.parametrize(
    "content",
    [b"<html>ok</html>", b"{", b"[]", b'{"token_type": "Bearer"}', b'{"access_token": 5}'],
)
def test_malformed_success_bodies_raise_scalekit_error_not_keyerror(content: bytes) -> None:
    with pytest.raises(ScalekitError):
        parse_token_response(HTTPResponse(200, JSON, content))


def test_expires_in_derived_from_the_token_when_missing() -> None:
    import jwt

    token = jwt.encode({"exp": 1000, "iat": 400}, "k" * 32, algorithm="HS256")
    assert (
        parse_token_response(
            HTTPResponse(200, JSON, json.dumps({"access_token": token}).encode())
        ).expires_in
        == 600
    )


def test_missing_code_is_refused_before_any_request() -> None:
    with pytest.raises(OAuthError, match="invalid_request"):
        next(authenticate_with_code_flow(ctx(), "", "https://app.test/cb", None))


def test_authorization_url_leaves_empty_values_out_and_joins_scopes() -> None:
    client = ScalekitClient(ISSUER + "/", CLIENT_ID, "s")
    url = client.get_authorization_url(
        "https://app.test/cb",
        AuthorizationUrlOptions(
            scopes=["openid", "offline_access"], state="st", organization_id="org_1", login_hint=""
        ),
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{ISSUER}/oauth/authorize"
    query = parse_qs(parts.query)
    assert query == {
        "response_type": ["code"],
        "client_id": [CLIENT_ID],
        "redirect_uri": ["https://app.test/cb"],
        "scope": ["openid offline_access"],
        "state": ["st"],
        "organization_id": ["org_1"],
    }


def test_authorization_request_always_has_pkce_s256_state_and_nonce() -> None:
    client = ScalekitClient(ISSUER, CLIENT_ID, "s", redirect_uri="https://app.test/cb")
    first, second = client.create_authorization_request(), client.create_authorization_request()
    query = parse_qs(urlsplit(first.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"] == [s256_challenge(first.code_verifier)]
    assert query["state"] == [first.state] and query["nonce"] == [first.nonce]
    assert query["scope"] == ["openid profile email"]
    assert len(first.code_verifier) >= 43
    assert first.state != second.state and first.code_verifier != second.code_verifier


def test_plain_pkce_is_refused() -> None:
    client = ScalekitClient(ISSUER, CLIENT_ID, "s")
    with pytest.raises(ConfigurationError):
        client.get_authorization_url(
            "https://app.test/cb",
            AuthorizationUrlOptions(code_challenge="x", code_challenge_method="plain"),
        )


def test_client_secret_basic_is_tried_once_when_post_is_refused_and_then_kept() -> None:
    context = ctx()
    flow = refresh_flow(context, "rt-1")
    first = next(flow)
    assert "authorization" not in first.headers and b"client_secret=s3cret" in (first.body or b"")
    refused = HTTPResponse(401, JSON, b'{"error": "invalid_client"}')
    second = flow.send(refused)
    assert second.headers["authorization"] == "Basic c2tjX3Rlc3RfY2xpZW50OnMzY3JldA=="
    assert b"client_secret" not in (second.body or b"") and b"client_id" not in (second.body or b"")
    with pytest.raises(StopIteration):
        flow.send(HTTPResponse(200, JSON, b'{"access_token": "a", "expires_in": 60}'))
    assert context.token_auth_method == "client_secret_basic"
    assert "authorization" in next(refresh_flow(context, "rt-2")).headers


def test_a_wrong_secret_still_reports_invalid_client() -> None:
    flow = refresh_flow(ctx(), "rt-1")
    next(flow)
    flow.send(HTTPResponse(401, JSON, b'{"error": "invalid_client"}'))
    with pytest.raises(OAuthError) as info:
        flow.send(HTTPResponse(401, JSON, b'{"error": "invalid_client"}'))
    assert info.value.error == "invalid_client"
