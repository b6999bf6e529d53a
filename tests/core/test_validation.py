"""Token validation rules (DESIGN §5), flows driven by hand with an injected clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from scalekit_core import (
    ScalekitConfig,
    ScalekitConnectionError,
    ScalekitError,
    TokenValidationError,
    TokenValidationOptions,
)
from scalekit_core.context import ClientContext
from scalekit_core.flows import HTTPRequest, HTTPResponse, run_flow_with
from scalekit_core.tokens import access_token_claims_flow, id_token_claims_flow

from .jwt_factory import CLIENT_ID, ISSUER, access_claims, id_claims, jwks, signing_key

NOW = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class KeysEndpoint:
    """Answers JWKS requests; counts them; can be switched off."""

    def __init__(self, *keys: Any) -> None:
        self.document = jwks(*(keys or (signing_key(),)))
        self.fetches = 0
        self.down = False

    def __call__(self, request: HTTPRequest) -> HTTPResponse:
        assert request.method == "GET" and request.url == f"{ISSUER}/keys"
        self.fetches += 1
        if self.down:
            raise AssertionError("use run_with_outage")
        return HTTPResponse(
            200, {"content-type": "application/json"}, json.dumps(self.document).encode()
        )


def make_ctx(clock: Clock | None = None, **config: Any) -> ClientContext:
    return ClientContext(
        ScalekitConfig(ISSUER + "/", CLIENT_ID, "secret", **config), clock or Clock()
    )


def validate(
    ctx: ClientContext,
    token: object,
    keys: KeysEndpoint,
    options: TokenValidationOptions | None = None,
) -> dict[str, Any]:
    return run_flow_with(access_token_claims_flow(ctx, token, options), keys)


def validate_id(
    ctx: ClientContext, token: str, keys: KeysEndpoint, nonce: str | None = "n-1"
) -> dict[str, Any]:
    return run_flow_with(id_token_claims_flow(ctx, token, nonce), keys)


def reason_of(call: Any) -> str:
    with pytest.raises(TokenValidationError) as info:
        call()
    return info.value.reason


def test_valid_access_token_and_trailing_slash_stripped_from_issuer() -> None:
    ctx, keys = make_ctx(), KeysEndpoint()
    claims = validate(ctx, signing_key().sign(access_claims(NOW)), keys)
    assert claims["sub"] == "usr_123"
    assert ctx.config.env_url == ISSUER


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iss": ISSUER + "/"}, "invalid_issuer"),
        ({"iss": "https://evil.test"}, "invalid_issuer"),
        ({"iss": None}, "missing_claim"),
        ({"sub": None}, "missing_claim"),
        ({"exp": None}, "missing_claim"),
        ({"iat": None}, "missing_claim"),
        ({"exp": int(NOW) - 61}, "expired"),
        ({"nbf": int(NOW) + 61}, "not_yet_valid"),
        ({"iat": int(NOW) + 61}, "issued_in_future"),
        ({"exp": "tomorrow"}, "malformed"),
    ],
)
def test_access_token_claim_rules(overrides: dict[str, Any], reason: str) -> None:
    token = signing_key().sign(access_claims(NOW, **overrides))
    assert reason_of(lambda: validate(make_ctx(), token, KeysEndpoint())) == reason


def test_leeway_is_explicit_and_configurable() -> None:
    token = signing_key().sign(access_claims(NOW, exp=int(NOW) - 59))
    assert validate(make_ctx(), token, KeysEndpoint())["sub"] == "usr_123"
    assert reason_of(lambda: validate(make_ctx(leeway=0), token, KeysEndpoint())) == "expired"


def test_signature_by_another_key_is_rejected() -> None:
    forged = signing_key("other").sign(access_claims(NOW), headers={"kid": "key-1"})
    assert reason_of(lambda: validate(make_ctx(), forged, KeysEndpoint())) == "bad_signature"


def test_alg_none_and_hs256_with_the_public_key_are_refused_before_any_key_is_used() -> None:
    keys = KeysEndpoint()
    unsigned = jwt.encode(access_claims(NOW), None, algorithm="none")
    hs = _hs256_signed_with_public_key(access_claims(NOW))
    assert reason_of(lambda: validate(make_ctx(), unsigned, keys)) == "invalid_algorithm"
    assert reason_of(lambda: validate(make_ctx(), hs, keys)) == "invalid_algorithm"
    assert keys.fetches == 0


def _hs256_signed_with_public_key(claims: dict[str, Any]) -> str:
    # PyJWT refuses to build this attack token, so it is assembled by hand.
    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    pem = (
        signing_key()
        .private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = (
        b64(json.dumps({"alg": "HS256", "kid": "key-1"}).encode())
        + b"."
        + b64(json.dumps(claims).encode())
    )
    signature = b64(hmac.new(pem, signing_input, hashlib.sha256).digest())
    return (signing_input + b"." + signature).decode()


def test_audience_checked_by_default_client_id_plus_configured_audiences() -> None:
    token = signing_key().sign(access_claims(NOW, aud=["other-api"]))
    assert reason_of(lambda: validate(make_ctx(), token, KeysEndpoint())) == "invalid_audience"
    assert (
        reason_of(lambda: validate(make_ctx(audience="my-api"), token, KeysEndpoint()))
        == "invalid_audience"
    )
    assert validate(make_ctx(audiences=("other-api",)), token, KeysEndpoint())["sub"] == "usr_123"
    assert validate(make_ctx(audience="other-api"), token, KeysEndpoint())["sub"] == "usr_123"
    options = TokenValidationOptions(audience="other-api")
    assert validate(make_ctx(audience="my-api"), token, KeysEndpoint(), options)["sub"] == "usr_123"
    own = signing_key().sign(access_claims(NOW))
    assert validate(make_ctx(audiences=("my-api",)), own, KeysEndpoint())["sub"] == "usr_123"


def test_scopes_from_string_and_list_whole_words_only() -> None:
    keys = KeysEndpoint()
    token = signing_key().sign(access_claims(NOW, scopes=["read:all"], scope="openid email"))
    ctx = make_ctx()
    assert validate(ctx, token, keys, TokenValidationOptions(required_scopes=["read:all", "email"]))
    for scope in ("read", "mail", "openid email"):
        options = TokenValidationOptions(required_scopes=[scope])
        assert reason_of(lambda o=options: validate(ctx, token, keys, o)) == "insufficient_scope"


def test_permission_role_and_organization_requirements() -> None:
    ctx, keys = make_ctx(), KeysEndpoint()
    token = signing_key().sign(access_claims(NOW))
    assert validate(
        ctx,
        token,
        keys,
        TokenValidationOptions(
            required_permissions=["users:read"], required_roles=["admin"], organization_id="org_1"
        ),
    )
    assert (
        reason_of(
            lambda: validate(
                ctx, token, keys, TokenValidationOptions(required_permissions=["users"])
            )
        )
        == "missing_permission"
    )
    assert (
        reason_of(
            lambda: validate(ctx, token, keys, TokenValidationOptions(required_roles=["owner"]))
        )
        == "missing_role"
    )
    assert (
        reason_of(
            lambda: validate(ctx, token, keys, TokenValidationOptions(organization_id="org_2"))
        )
        == "wrong_organization"
    )


def test_verified_cache_serves_repeats_but_honours_exp() -> None:
    clock = Clock()
    ctx, keys = make_ctx(clock), KeysEndpoint()
    token = signing_key().sign(access_claims(NOW, exp=int(NOW) + 100))
    first = validate(ctx, token, keys)
    assert token in ctx.verified.entries
    first["sub"] = "mutated"  # callers get a copy: the cache is not poisoned
    assert validate(ctx, token, keys)["sub"] == "usr_123"
    clock.now = NOW + 100 + 61
    assert reason_of(lambda: validate(ctx, token, keys)) == "expired"


def test_verified_cache_is_bounded() -> None:
    ctx, keys = make_ctx(verified_cache_size=3), KeysEndpoint()
    for n in range(5):
        validate(ctx, signing_key().sign(access_claims(NOW, jti=f"t{n}")), keys)
    assert len(ctx.verified.entries) == 3


def test_jwks_fetched_once_then_cached_until_ttl() -> None:
    clock = Clock()
    ctx, keys = make_ctx(clock, jwks_ttl=600), KeysEndpoint()
    for n in range(3):
        validate(ctx, signing_key().sign(access_claims(NOW, jti=f"t{n}")), keys)
    assert keys.fetches == 1
    clock.now = NOW + 601
    validate(ctx, signing_key().sign(access_claims(clock.now, jti="late")), keys)
    assert keys.fetches == 2


def test_unknown_kid_refetches_once_and_is_rate_limited() -> None:
    clock = Clock()
    ctx, keys = make_ctx(clock), KeysEndpoint()
    validate(ctx, signing_key().sign(access_claims(NOW)), keys)
    rotated = signing_key("key-2")
    keys.document = jwks(signing_key(), rotated)
    clock.now = NOW + 31
    assert validate(ctx, rotated.sign(access_claims(clock.now)), keys)["sub"] == "usr_123"
    assert keys.fetches == 2
    stranger = signing_key("key-3").sign(access_claims(clock.now))
    for _ in range(5):
        assert reason_of(lambda: validate(ctx, stranger, keys)) == "unknown_kid"
    assert keys.fetches == 2  # within 30 s of the last fetch: no new request
    clock.now += 31
    assert reason_of(lambda: validate(ctx, stranger, keys)) == "unknown_kid"
    assert keys.fetches == 3


def test_rotation_right_after_the_first_fetch_is_picked_up() -> None:
    ctx, keys = make_ctx(), KeysEndpoint()
    validate(ctx, signing_key().sign(access_claims(NOW)), keys)
    keys.document = jwks(signing_key(), signing_key("key-2"))
    assert validate(ctx, signing_key("key-2").sign(access_claims(NOW)), keys)["sub"] == "usr_123"
    assert keys.fetches == 2


def test_key_without_kid_verifies_tokens_without_kid() -> None:
    anonymous = signing_key(None)
    ctx, keys = make_ctx(), KeysEndpoint(anonymous)
    assert validate(ctx, anonymous.sign(access_claims(NOW)), keys)["sub"] == "usr_123"


def test_jwks_outage_keeps_cached_keys_in_use() -> None:
    clock = Clock()
    ctx, keys = make_ctx(clock, jwks_ttl=60), KeysEndpoint()
    validate(ctx, signing_key().sign(access_claims(NOW)), keys)
    clock.now = NOW + 120  # the cache is stale: the next validation tries to refetch

    def outage(request: HTTPRequest) -> HTTPResponse:
        raise AssertionError("unreachable")

    flow = access_token_claims_flow(ctx, signing_key().sign(access_claims(clock.now, jti="x")))
    assert next(flow).url == f"{ISSUER}/keys"
    with pytest.raises(StopIteration) as done:
        flow.throw(ScalekitConnectionError("GET /keys timed out"))
    assert done.value.value["sub"] == "usr_123"
    flow = access_token_claims_flow(ctx, signing_key().sign(access_claims(clock.now, jti="y")))
    # a refetch was attempted less than 30 s ago: no new request, cached keys used
    with pytest.raises(StopIteration):
        next(flow)


def test_jwks_outage_without_cached_keys_is_a_provider_error_not_a_token_error() -> None:
    flow = access_token_claims_flow(make_ctx(), signing_key().sign(access_claims(NOW)))
    next(flow)
    with pytest.raises(ScalekitConnectionError):
        flow.throw(ScalekitConnectionError("GET /keys timed out"))
    flow = access_token_claims_flow(make_ctx(), signing_key().sign(access_claims(NOW)))
    next(flow)
    with pytest.raises(ScalekitError) as info:
        flow.send(HTTPResponse(502, {}, b"<html>bad gateway</html>"))
    assert not isinstance(info.value, TokenValidationError)


@pytest.mark.parametrize(
    ("overrides", "nonce", "reason"),
    [
        ({"aud": "someone-else"}, "n-1", "invalid_audience"),
        ({"azp": "someone-else"}, "n-1", "invalid_audience"),
        ({"aud": [CLIENT_ID, "x"], "azp": None}, "n-1", "invalid_audience"),
        ({"nonce": "n-2"}, "n-1", "invalid_nonce"),
        ({"nonce": None}, "n-1", "invalid_nonce"),
        ({"iss": "https://evil.test"}, "n-1", "invalid_issuer"),
        ({"sub": None}, "n-1", "missing_claim"),
        ({"exp": int(NOW) - 3600}, "n-1", "expired"),
    ],
)
def test_id_token_rules(overrides: dict[str, Any], nonce: str, reason: str) -> None:
    token = signing_key().sign(id_claims(NOW, **overrides))
    assert reason_of(lambda: validate_id(make_ctx(), token, KeysEndpoint(), nonce)) == reason


def test_valid_id_token() -> None:
    token = signing_key().sign(id_claims(NOW, aud=[CLIENT_ID, "x"]))
    assert validate_id(make_ctx(), token, KeysEndpoint())["email"] == "ada@example.com"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=100), st.none(), st.integers()))
def test_garbage_tokens_only_ever_raise_token_validation_error(token: object) -> None:
    keys = KeysEndpoint()
    with pytest.raises(TokenValidationError):
        validate(make_ctx(), token, keys)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.sampled_from("AQZ-_.=a0/"))
def test_mutated_tokens_only_ever_raise_token_validation_error(position: int, char: str) -> None:
    token = signing_key().sign(access_claims(NOW))
    position %= len(token)
    mutated = token[:position] + char + token[position + 1 :]
    if mutated == token:
        return
    with pytest.raises(TokenValidationError):
        validate(make_ctx(), mutated, KeysEndpoint())


def test_oversized_token_is_refused_without_parsing() -> None:
    assert reason_of(lambda: validate(make_ctx(), "a" * 20_000, KeysEndpoint())) == "malformed"


def test_real_clock_default() -> None:
    ctx = ClientContext(ScalekitConfig(ISSUER, CLIENT_ID, "secret"))
    token = signing_key().sign(access_claims(time.time()))
    assert validate(ctx, token, KeysEndpoint())["sub"] == "usr_123"
