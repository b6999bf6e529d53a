"""Every refusal of ``scalekit_core.validation`` with its ``reason`` and message, the time and
size boundaries, and the verified-token cache (per issuer and audience, its size, ``exp``)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from typing import Any

import jwt
import pytest

from scalekit_core import (
    ScalekitConfig,
    TokenValidationError,
    TokenValidationOptions,
)
from scalekit_core.context import ClientContext
from scalekit_core.flows import HTTPRequest, HTTPResponse, run_flow_with
from scalekit_core.jwks import JWKSCache
from scalekit_core.tokens import access_token_claims_flow
from scalekit_core.validation import (
    ALGORITHMS,
    ID_TOKEN_CLAIMS,
    MAX_TIME,
    MAX_TOKEN_LENGTH,
    VerifiedTokenCache,
    _reason,
    check_access_token_type,
    check_at_hash,
    check_audience,
    check_id_token_claims,
    check_time_claims,
    parse_claims,
    verify_jwt_flow,
)

from .jwt_factory import CLIENT_ID, ISSUER, access_claims, jwks, signing_key

NOW = 1_800_000_000.0


def message(call: Any) -> str:
    """``str()`` of the ``TokenValidationError`` raised: ``"<reason>: <message>"``."""
    with pytest.raises(TokenValidationError) as info:
        call()
    error = info.value
    assert str(error).split(":")[0] == error.reason
    return str(error)


class Keys:
    """A JWKS endpoint that counts its fetches."""

    def __init__(self) -> None:
        self.fetches = 0

    def __call__(self, request: HTTPRequest) -> HTTPResponse:
        assert request.url == f"{ISSUER}/keys"
        self.fetches += 1
        return HTTPResponse(200, {}, json.dumps(jwks(signing_key())).encode())


def verify(
    token: object,
    *,
    cache: JWKSCache | None = None,
    audience: Any = CLIENT_ID,
    keys: Keys | None = None,
    now: float = NOW,
    header_out: dict[str, Any] | None = None,
) -> dict[str, Any]:
    flow = verify_jwt_flow(
        cache if cache is not None else JWKSCache(),
        ISSUER,
        token,
        issuer=ISSUER,
        audience=audience,
        leeway=60,
        now=now,
        header_out=header_out,
    )
    return run_flow_with(flow, keys or Keys())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def with_header(header: bytes, claims: dict[str, Any] | None = None) -> str:
    """A token with this raw header, signed by the test key (``RS256``)."""
    signing_input = b64(header) + "." + b64(json.dumps(claims or access_claims(NOW)).encode())
    signature = jwt.get_algorithm_by_name("RS256").sign(
        signing_input.encode(), signing_key().private
    )
    return signing_input + "." + b64(signature)


def test_the_limits() -> None:
    assert ALGORITHMS == ["RS256"]
    assert MAX_TOKEN_LENGTH == 16 * 1024
    end = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()
    assert MAX_TIME == 253_402_300_799 == end


# --- parse_claims -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b'{"a": 1, "a": 2}', "malformed: the token repeats a claim name"),
        (b'{"x": {"a": 1, "a": 1}}', "malformed: the token repeats a claim name"),
        (b"not json", "malformed: the token's payload is not JSON"),
        (b'{"exp": NaN}', "malformed: the token's payload is not JSON"),
        (b'{"exp": Infinity}', "malformed: the token's payload is not JSON"),
        (b"\xff\xfe", "malformed: the token's payload is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed: the token's payload is not JSON"),
        (b"[1]", "malformed: the token's payload is not a JSON object"),
        (b'"claims"', "malformed: the token's payload is not a JSON object"),
    ],
)
def test_parse_claims_refusals(payload: bytes, expected: str) -> None:
    assert message(lambda: parse_claims(payload)) == expected


def test_parse_claims_accepts_an_object() -> None:
    assert parse_claims(b'{"a": {"b": [1, 2.5]}, "c": "d"}') == {"a": {"b": [1, 2.5]}, "c": "d"}


# --- time claims ------------------------------------------------------------------------


def test_time_claims_are_inclusive_at_the_leeway() -> None:
    claims = {"exp": 1000, "iat": 1000, "nbf": 1000}
    for now in (940, 1000, 1060):  # nbf - leeway, exactly, exp + leeway
        check_time_claims(claims, now, 60)
    assert message(lambda: check_time_claims(claims, 1060.5, 60)) == (
        "expired: the token has expired"
    )
    assert message(lambda: check_time_claims(claims, 939.5, 60)) == (
        "not_yet_valid: the token is not valid yet"
    )
    future = {"exp": 2000, "iat": 1061}
    check_time_claims({"exp": 2000, "iat": 1060}, 1000, 60)
    assert message(lambda: check_time_claims(future, 1000, 60)) == (
        "issued_in_future: the token was issued in the future"
    )


def test_time_claims_range() -> None:
    # 0 and MAX_TIME are plausible times; floats are numbers too.
    check_time_claims({"exp": MAX_TIME, "iat": 0, "nbf": 0}, 100, 0)
    check_time_claims({"exp": 2000.5, "iat": 999.5, "nbf": 1000.25}, 1000.5, 0)
    assert message(lambda: check_time_claims({"exp": 0, "iat": 0}, 100, 0)).startswith("expired")
    for bad in (MAX_TIME + 1, -1, 10**400, float("inf"), float("nan"), -0.5):
        assert message(lambda bad=bad: check_time_claims({"exp": bad, "iat": 0}, 1, 0)) == (
            "malformed: claim 'exp' is not a plausible time"
        )
    for bad in (True, "1000", [1000], None if False else {"t": 1}):
        assert message(lambda bad=bad: check_time_claims({"exp": 2000, "iat": bad}, 1, 0)) == (
            "malformed: claim 'iat' is not a number"
        )


@pytest.mark.parametrize("claims", [{"iat": 1}, {"exp": 1}, {"nbf": 1}, {}])
def test_exp_and_iat_are_required(claims: dict[str, Any]) -> None:
    assert message(lambda: check_time_claims(claims, 0, 0)) == (
        "missing_claim: exp and iat are required"
    )


# --- audience ---------------------------------------------------------------------------


def test_audience_rules() -> None:
    check_audience({"aud": "api"}, ["api"])
    check_audience({"aud": ["x", "api"]}, frozenset({"api"}))
    assert message(lambda: check_audience({}, ["api"])) == (
        "invalid_audience: the token names no audience"
    )
    for aud in ([], 5, {"api": 1}, ["api", 5], [None]):
        assert message(lambda aud=aud: check_audience({"aud": aud}, ["api"])) == (
            "invalid_audience: the token's audience is malformed"
        )
    assert message(lambda: check_audience({"aud": ["other"]}, ["api"])) == (
        "invalid_audience: the token is meant for another audience"
    )


# --- token type -------------------------------------------------------------------------


def test_access_token_type_rules() -> None:
    id_like = {"nonce": "n", "amr": ["c"]}
    for typ in ("at+jwt", "AT+JWT", "application/at+jwt", "Application/AT+JWT"):
        check_access_token_type({"typ": typ}, id_like)
    for typ in ("JWT", "jwt", "application/jwt"):
        check_access_token_type({"typ": typ}, {})
    check_access_token_type({}, {"typ": "Bearer", **id_like})
    not_access = "not_access_token: the JWT is not an access token"
    for typ in ("id+jwt", "application/id+jwt", "at+jwt/application", 5, ""):
        assert message(lambda typ=typ: check_access_token_type({"typ": typ}, {})) == not_access
    id_token = "not_access_token: an ID token is not an access token"
    assert ID_TOKEN_CLAIMS == ("nonce", "at_hash", "c_hash", "s_hash", "amr")
    for claims in [{"typ": "ID"}, {"typ": "bearer", "nonce": "n"}] + [
        {name: "x"} for name in ("nonce", "at_hash", "c_hash", "s_hash", "amr")
    ]:
        assert message(lambda claims=claims: check_access_token_type({}, claims)) == id_token


def test_at_hash() -> None:
    token = "access.token.value"
    digest = hashlib.sha256(token.encode()).digest()
    good = b64(digest[:16])
    check_at_hash({"at_hash": good}, token)
    check_at_hash({}, token)
    refused = "invalid_at_hash: at_hash does not match the access token"
    for at_hash in (good[:-1], b64(digest), b64(digest[16:]), 5, "tök" + good[3:]):
        assert message(lambda h=at_hash: check_at_hash({"at_hash": h}, token)) == refused
    # Characters outside ASCII compare as "?" without raising.
    assert message(lambda: check_at_hash({"at_hash": good}, "tök")) == refused
    question = b64(hashlib.sha256(b"t?k").digest()[:16])
    check_at_hash({"at_hash": question}, "tök")


def test_id_token_claims() -> None:
    check_id_token_claims({"aud": [CLIENT_ID]}, CLIENT_ID, None)
    check_id_token_claims({"aud": [CLIENT_ID, "x"], "azp": CLIENT_ID}, CLIENT_ID, None)
    assert message(lambda: check_id_token_claims({"aud": [CLIENT_ID, "x"]}, CLIENT_ID, None)) == (
        "invalid_audience: several audiences and no azp"
    )
    assert message(lambda: check_id_token_claims({"azp": "other"}, CLIENT_ID, None)) == (
        "invalid_audience: azp is not this client"
    )
    check_id_token_claims({"nonce": "n-1"}, CLIENT_ID, "n-1")
    for claims in ({}, {"nonce": "n-2"}, {"nonce": 5}):
        assert message(lambda c=claims: check_id_token_claims(c, CLIENT_ID, "n-1")) == (
            "invalid_nonce: the nonce does not match the login"
        )


def test_reasons_of_pyjwt_errors() -> None:
    assert _reason(jwt.InvalidSignatureError()) == "bad_signature"
    assert _reason(jwt.InvalidAlgorithmError()) == "invalid_algorithm"
    assert _reason(jwt.DecodeError()) == "malformed"
    assert _reason(ValueError()) == "invalid_token"
    assert _reason(jwt.InvalidKeyError()) == "invalid_token"


# --- verify_jwt_flow: the token's shape and header --------------------------------------


@pytest.mark.parametrize("token", [None, "", 5, b"a.b.c"])
def test_not_a_token(token: object) -> None:
    assert message(lambda: verify(token)) == "malformed: the token is empty or not a string"


def test_the_size_limit_is_inclusive() -> None:
    def token_of_length(length: int) -> str:
        # A base64 segment is never 1 more than a multiple of 4 long: an extra header
        # field moves the total by one.
        for extra in ("", "x", "xx"):
            base = len(signing_key().sign(access_claims(NOW, pad=""), {"x": extra}))
            start = (length - base) * 3 // 4 - 4
            for pad in range(start, start + 8):
                token = signing_key().sign(access_claims(NOW, pad="p" * pad), {"x": extra})
                if len(token) == length:
                    return token
        raise AssertionError(length)

    longest = token_of_length(MAX_TOKEN_LENGTH)
    assert len(longest) == MAX_TOKEN_LENGTH
    assert verify(longest)["sub"] == "usr_123"
    too_long = longest + "A"
    assert message(lambda: verify(too_long)) == "malformed: the token is too large"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"not json", "malformed: the token is not a JWT"),
        (b'{"alg": "RS256", "x": NaN}', "malformed: the token is not a JWT"),
        (b'{"alg": "RS256", "alg": "RS256"}', "malformed: the token is not a JWT"),
        (b'{"alg": "RS256", "kid": "key-1", "kid": "key-2"}', "malformed: the token is not a JWT"),
        (b'["alg", "RS256"]', "malformed: the token is not a JWT"),
        (b'{"alg": "none"}', "invalid_algorithm: algorithm 'none' is not allowed"),
        (b'{"alg": "HS256"}', "invalid_algorithm: algorithm 'HS256' is not allowed"),
        (b'{"typ": "JWT"}', "invalid_algorithm: algorithm None is not allowed"),
        (b'{"alg": "RS256", "crit": ["exp"]}', "malformed: unsupported critical header"),
        (b'{"alg": "RS256", "b64": false}', "malformed: unsupported critical header"),
        (b'{"alg": "RS256", "kid": 5}', "malformed: kid is not a string"),
        (b'{"alg": "RS256", "kid": ["key-1"]}', "malformed: kid is not a string"),
    ],
)
def test_header_refusals(header: bytes, expected: str) -> None:
    keys = Keys()
    assert message(lambda: verify(with_header(header), keys=keys)) == expected
    assert keys.fetches == 0


def test_header_segments_of_every_padding_length() -> None:
    # Header segments whose length is 2 or 3 mod 4 (a 1 mod 4 length is never base64).
    for header in (b'{"alg":"RS256"}', b'{"alg":"RS256" }', b'{"alg":"RS256"  }'):
        token = with_header(header)
        assert verify(token)["sub"] == "usr_123"
    assert message(lambda: verify("eyJhb." + token.partition(".")[2])) == (
        "malformed: the token is not a JWT"
    )


def test_a_pyjwt_refusal_keeps_its_message() -> None:
    token = signing_key().sign(access_claims(NOW))
    header, payload, _ = token.split(".")
    broken = f"{header}.{payload}.!!!"
    with pytest.raises(TokenValidationError) as info:
        verify(broken)
    assert info.value.reason == "malformed"
    assert info.value.__cause__ is not None and str(info.value.__cause__)
    assert str(info.value) == f"malformed: {info.value.__cause__}"


def test_a_bad_signature_keeps_pyjwts_message() -> None:
    forged = signing_key("forger").sign(access_claims(NOW), headers={"kid": "key-1"})
    assert message(lambda: verify(forged)) == "bad_signature: Signature verification failed"


# --- verify_jwt_flow: claims ------------------------------------------------------------


def test_claim_refusals() -> None:
    sign = signing_key().sign
    both = sign({k: v for k, v in access_claims(NOW).items() if k not in ("iss", "sub")})
    assert message(lambda: verify(both)) == "missing_claim: missing iss sub"
    other = sign(access_claims(NOW, iss=ISSUER + "/other"))
    assert message(lambda: verify(other)) == ("invalid_issuer: the token comes from another issuer")
    numeric = with_header(b'{"alg":"RS256","kid":"key-1"}', access_claims(NOW, iss=5))
    assert message(lambda: verify(numeric)).startswith("invalid_issuer")
    for sub in (5, "", ["usr_1"]):
        token = sign(access_claims(NOW, sub=sub))
        assert message(lambda t=token: verify(t)) == "malformed: sub is not a string"
    assert message(lambda: verify(sign(access_claims(NOW, aud=["x"])))).startswith(
        "invalid_audience"
    )


def test_without_an_audience_none_is_checked() -> None:
    token = signing_key().sign(access_claims(NOW, aud=None))
    header: dict[str, Any] = {}
    assert verify(token, audience=None, header_out=header)["sub"] == "usr_123"
    assert header == {"alg": "RS256", "kid": "key-1", "typ": "JWT"}
    assert message(lambda: verify(token)) == "invalid_audience: the token names no audience"
    listed = signing_key().sign(access_claims(NOW, aud=["a", "b"]))
    assert verify(listed, audience=["b", "c"])["sub"] == "usr_123"
    assert verify(listed, audience="a")["sub"] == "usr_123"


def test_a_verified_header_is_remembered_while_the_keys_are_fresh() -> None:
    cache, keys = JWKSCache(), Keys()
    first = signing_key().sign(access_claims(NOW, jti="a"))
    second = signing_key().sign(access_claims(NOW, jti="b"))
    verify(first, cache=cache, keys=keys)
    verify(second, cache=cache, keys=keys)
    segment = first.partition(".")[0]
    assert second.partition(".")[0] == segment
    assert list(cache.by_header) == [segment]
    assert cache.by_header[segment] is cache.keys["key-1"]
    assert keys.fetches == 1

    # A header that is remembered is not looked up again: a kid the JWKS lacks is no matter.
    unknown = signing_key().sign(access_claims(NOW), headers={"kid": "gone"})
    cache.by_header[unknown.partition(".")[0]] = cache.keys["key-1"]
    assert verify(unknown, cache=cache, keys=keys, now=NOW + 10)["sub"] == "usr_123"
    assert keys.fetches == 1
    # Once the keys are stale (ttl elapsed, to the second), the header is parsed again.
    stale = cache.fetched_at + cache.ttl  # type: ignore[operator]
    assert message(lambda: verify(unknown, cache=cache, keys=keys, now=stale)) == (
        "unknown_kid: no JWKS key matches the token's kid"
    )
    assert keys.fetches == 2


# --- the verified-token cache -----------------------------------------------------------


def test_the_cache_honours_an_entry_until_exp_plus_leeway() -> None:
    cache = VerifiedTokenCache()
    aud = frozenset({CLIENT_ID})
    cache.put("t", {"exp": 1000}, ISSUER, aud)
    assert cache.get("t", ISSUER, aud, 1000, 60) == {"exp": 1000}
    assert cache.get("t", ISSUER, aud, 1060, 60) == {"exp": 1000}
    assert cache.get("t", ISSUER, aud, 1060.5, 60) is None
    assert cache.get("t", ISSUER, aud, 1000.5, 0) is None
    assert cache.get("other", ISSUER, aud, 1000, 60) is None
    assert cache.get("t", ISSUER + "/x", aud, 1000, 60) is None
    assert cache.get("t", ISSUER, frozenset({"x"}), 1000, 60) is None
    assert cache.get("t", ISSUER, None, 1000, 60) is None
    cache.put("n", {"exp": 1000}, ISSUER, None)
    assert cache.get("n", ISSUER, None, 1000, 60) == {"exp": 1000}
    assert cache.get("n", ISSUER, aud, 1000, 60) is None


@pytest.mark.parametrize("size", [0, 1, 2, 3])
def test_the_cache_size(size: int) -> None:
    cache = VerifiedTokenCache(max_size=size)
    for index in range(5):
        cache.put(f"t{index}", {"exp": 1000}, ISSUER, None)
    assert list(cache.entries) == [f"t{index}" for index in range(5 - size, 5)]


def make_ctx(**config: Any) -> ClientContext:
    return ClientContext(ScalekitConfig(ISSUER, CLIENT_ID, "secret", **config), lambda: NOW)


@pytest.mark.parametrize("size", [0, 1])
def test_verified_cache_size_from_the_config(size: int) -> None:
    ctx, keys = make_ctx(verified_cache_size=size), Keys()
    token = signing_key().sign(access_claims(NOW))
    for _ in range(3):
        assert run_flow_with(access_token_claims_flow(ctx, token), keys)["sub"] == "usr_123"
    assert len(ctx.verified.entries) == size


def test_a_token_cached_for_one_issuer_or_audience_is_checked_again_for_another() -> None:
    ctx, keys = make_ctx(audiences=("api",)), Keys()
    token = signing_key().sign(access_claims(NOW))
    assert run_flow_with(access_token_claims_flow(ctx, token), keys)["sub"] == "usr_123"
    assert token in ctx.verified.entries
    other_issuer = TokenValidationOptions(issuer="https://other-tenant.example")
    assert message(
        lambda: run_flow_with(access_token_claims_flow(ctx, token, other_issuer), keys)
    ) == ("invalid_issuer: the token comes from another issuer")
    other_audience = TokenValidationOptions(audience="api")
    assert message(
        lambda: run_flow_with(access_token_claims_flow(ctx, token, other_audience), keys)
    ) == ("invalid_audience: the token is meant for another audience")
    # And the cached entry still serves the configured issuer and audience.
    assert run_flow_with(access_token_claims_flow(ctx, token), keys)["sub"] == "usr_123"
