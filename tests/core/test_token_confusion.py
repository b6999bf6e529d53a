"""Token confusion: audience, ID tokens as access tokens, machine tokens as users, refreshed
tokens, absurd claims, duplicate claims, short keys and ``at_hash``."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import time
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from scalekit_core import (
    ScalekitClient,
    ScalekitConfig,
    ScalekitError,
    TokenValidationError,
)
from scalekit_core.flows import HTTPResponse, run_flow_with
from scalekit_core.jwks import parse_jwks
from scalekit_core.options import CodeAuthenticationOptions
from scalekit_core.tokens import authenticate_with_code_flow
from scalekit_core.validation import VerifiedTokenCache, check_at_hash
from scalekit_core.web import (
    AuthenticationRequired,
    Machine,
    PermissionDenied,
    SessionData,
    SessionManager,
    SessionSettings,
    User,
    WebRequest,
)
from scalekit_core.web.persistence import seal_session_cookies
from scalekit_core.web.session_data import trim_profile
from scalekit_emulator import EmulatorHandle

from .fake_provider import FakeProvider
from .jwt_factory import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    SigningKey,
    access_claims,
    id_claims,
    signing_key,
)
from .test_validation import NOW, KeysEndpoint, make_ctx, reason_of, validate

if TYPE_CHECKING:
    from tests.core.conftest import Browser, FakeClock

SECRET = "token-confusion-secret-" + "x" * 32


def sign_raw(payload: bytes, key: SigningKey | None = None, **header: Any) -> str:
    """A token whose payload bytes are exactly ``payload`` (for JSON PyJWT would not write)."""
    key = key or signing_key()
    return jwt.PyJWS().encode(payload, key.private, "RS256", headers={"kid": key.kid, **header})


def at_hash_of(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


# --- audience ----------------------------------------------------------------------------


@pytest.mark.parametrize("aud", [["skc_other_app"], "skc_other_app", 123, [1], [], {"a": 1}, None])
def test_access_token_for_another_audience_or_malformed_aud_refused(aud: object) -> None:
    token = signing_key().sign({**access_claims(NOW), "aud": aud})
    assert reason_of(lambda: validate(make_ctx(), token, KeysEndpoint())) == "invalid_audience"


def test_configured_api_audiences_accepted_beside_the_client_id() -> None:
    ctx = make_ctx(audiences=("https://api.acme.test",))
    api = signing_key().sign(access_claims(NOW, aud=["https://api.acme.test"]))
    own = signing_key().sign(access_claims(NOW, aud=CLIENT_ID))
    assert validate(ctx, api, KeysEndpoint())["sub"] == "usr_123"
    assert validate(ctx, own, KeysEndpoint())["sub"] == "usr_123"
    config = ScalekitConfig.from_env(
        {
            "SCALEKIT_ENVIRONMENT_URL": ISSUER,
            "SCALEKIT_CLIENT_ID": CLIENT_ID,
            "SCALEKIT_CLIENT_SECRET": CLIENT_SECRET,
            "SCALEKIT_AUDIENCES": "https://api.acme.test, urn:reports",
            "SCALEKIT_AUDIENCE": "legacy-api",
        }
    )
    assert config.accepted_audiences == {
        CLIENT_ID,
        "https://api.acme.test",
        "urn:reports",
        "legacy-api",
    }


def test_verified_cache_is_keyed_by_issuer_and_audience_set() -> None:
    cache = VerifiedTokenCache()
    claims = access_claims(NOW)
    cache.put("t", claims, ISSUER, frozenset({CLIENT_ID, "api"}))
    assert cache.get("t", ISSUER, frozenset({CLIENT_ID, "api"}), NOW, 60) == claims
    assert cache.get("t", ISSUER, frozenset({CLIENT_ID}), NOW, 60) is None
    assert cache.get("t", ISSUER + "/x", frozenset({CLIENT_ID, "api"}), NOW, 60) is None
    ctx, keys = make_ctx(), KeysEndpoint()
    token = signing_key().sign(access_claims(NOW, aud=["api"]))
    ctx.verified.put(token, access_claims(NOW, aud=["api"]), ISSUER, frozenset({"api"}))
    assert reason_of(lambda: validate(ctx, token, keys)) == "invalid_audience"


# --- ID tokens are not access tokens -----------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"nonce": "n-1"},
        {"at_hash": "x"},
        {"amr": ["conn_1"]},
        {"c_hash": "x"},
        {"typ": "ID"},
    ],
)
def test_id_token_refused_as_access_token(extra: dict[str, Any]) -> None:
    token = signing_key().sign({**access_claims(NOW), **extra})
    assert reason_of(lambda: validate(make_ctx(), token, KeysEndpoint())) == "not_access_token"
    real_id_token = signing_key().sign(id_claims(NOW))
    assert (
        reason_of(lambda: validate(make_ctx(), real_id_token, KeysEndpoint())) == "not_access_token"
    )


def test_jwt_type_header_decides_first() -> None:
    rfc9068 = signing_key().sign(access_claims(NOW), headers={"typ": "at+jwt"})
    assert validate(make_ctx(), rfc9068, KeysEndpoint())["sub"] == "usr_123"
    keycloak = signing_key().sign(access_claims(NOW, typ="Bearer", auth_time=int(NOW)))
    assert validate(make_ctx(), keycloak, KeysEndpoint())["sub"] == "usr_123"
    for typ in ("id_token+jwt", "logout+jwt", 5):
        other = signing_key().sign(access_claims(NOW), headers={"typ": typ})
        assert reason_of(lambda t=other: validate(make_ctx(), t, KeysEndpoint())) == (
            "not_access_token"
        )


def test_emulator_tokens_are_told_apart(scalekit_emulator: EmulatorHandle) -> None:
    emu = scalekit_emulator
    tokens = emu.issue_tokens()
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret) as client:
        assert client.validate_access_token(tokens["access_token"])
        assert not client.validate_access_token(tokens["id_token"])
        claims = client.validate_id_token(tokens["id_token"])
        assert claims["at_hash"] == at_hash_of(tokens["access_token"])
        assert not client.validate_access_token(emu.mint_access_token(aud=["skc_other_app"]))
        assert not client.validate_access_token(emu.mint_access_token(aud=7))


# --- absurd and duplicate claims, short keys, at_hash ------------------------------------


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize(
    "value", ["NaN", "Infinity", "-Infinity", "1e309", "1" + "0" * 100, "true"]
)
def test_non_finite_or_absurd_time_claims_refused(claim: str, value: str) -> None:
    claims = access_claims(NOW)
    text = json.dumps({k: v for k, v in claims.items() if k != claim})
    payload = text[:-1] + f', "{claim}": {value}}}'
    token = sign_raw(payload.encode())
    assert reason_of(lambda: validate(make_ctx(), token, KeysEndpoint())) == "malformed"


def test_duplicate_claim_names_refused() -> None:
    claims = access_claims(NOW)
    text = json.dumps(claims)
    for extra in ('"sub": "usr_admin"', '"aud": ["skc_other_app"]', '"exp": 99999999999'):
        token = sign_raw((text[:-1] + ", " + extra + "}").encode())
        assert reason_of(lambda t=token: validate(make_ctx(), t, KeysEndpoint())) == "malformed"
    nested = text[:-1] + ', "x": {"a": 1, "a": 2}}'
    token = sign_raw(nested.encode())
    assert reason_of(lambda: validate(make_ctx(), token, KeysEndpoint())) == "malformed"


def test_rsa_keys_under_2048_bits_are_not_loaded() -> None:
    weak = SigningKey("weak", rsa.generate_private_key(public_exponent=65537, key_size=1024))
    with pytest.raises(ScalekitError):
        parse_jwks({"keys": [weak.jwk()]})
    keys = KeysEndpoint(signing_key(), weak)
    assert set(parse_jwks(keys.document)) == {"key-1"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # recent PyJWT warns when signing with a short key
        token = weak.sign(access_claims(NOW))
    assert reason_of(lambda: validate(make_ctx(), token, keys)) == "unknown_kid"


def test_at_hash_mismatch_refused_at_login() -> None:
    access = signing_key().sign(access_claims(NOW))
    check_at_hash({"at_hash": at_hash_of(access)}, access)
    check_at_hash({}, access)
    for wrong in (at_hash_of(access + "x"), 5, ""):
        with pytest.raises(TokenValidationError) as info:
            check_at_hash({"at_hash": wrong}, access)
        assert info.value.reason == "invalid_at_hash"
    other = signing_key().sign(access_claims(NOW, jti="other"))
    body = {
        "access_token": access,
        "id_token": signing_key().sign(id_claims(NOW, at_hash=at_hash_of(other))),
        "expires_in": 300,
    }
    keys = KeysEndpoint()

    def respond(request: Any) -> HTTPResponse:
        if request.url.endswith("/keys"):
            return keys(request)
        return HTTPResponse(200, {"content-type": "application/json"}, json.dumps(body).encode())

    flow = authenticate_with_code_flow(
        make_ctx(), "code", "https://app/cb", CodeAuthenticationOptions(nonce="n-1")
    )
    assert reason_of(lambda: run_flow_with(flow, respond)) == "invalid_at_hash"


def test_to_dict_never_raises_on_odd_claims() -> None:
    user = User.from_claims(
        {"sub": "usr_1", "exp": float("inf"), "roles": ["a", 3]},
        {"sub": "usr_1", "email": "a@b", "weird": [float("nan"), {"x": 10**400}]},
    )
    assert user is not None
    text = json.dumps(user.to_dict(), allow_nan=False)
    assert '"expires_at": null' in text
    machine = Machine.from_claims({"sub": "m2m_1", "client_id": "m2m_1", "exp": float("nan")})
    assert machine is not None
    json.dumps(machine.to_dict(), allow_nan=False)


# --- machines are not users ---------------------------------------------------------------


@pytest.fixture
def emulator_manager(scalekit_emulator: EmulatorHandle) -> Iterator[SessionManager]:
    emu = scalekit_emulator
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret) as client:
        yield SessionManager(client, SessionSettings(secrets=SECRET, base_url="http://localhost"))


def bearer(token: str) -> WebRequest:
    return WebRequest("GET", "/api", "", {"authorization": f"Bearer {token}"}, {})


def test_machine_token_is_never_a_user(
    emulator_manager: SessionManager, scalekit_emulator: EmulatorHandle
) -> None:
    manager = emulator_manager
    client = manager.client
    assert isinstance(client, ScalekitClient)
    machine_token = client.get_client_access_token()
    result = manager.load(bearer(machine_token))
    assert result.user is None and result.machine is not None
    assert result.machine.client_id == client.config.client_id
    with pytest.raises(AuthenticationRequired):
        manager.require(result.user)
    with pytest.raises(AuthenticationRequired):
        manager.require(result.machine)  # type: ignore[arg-type]
    assert manager.require_machine(result.machine) is result.machine
    with pytest.raises(PermissionDenied) as denied:
        manager.require_machine(result.machine, scopes=["events:write"])
    assert denied.value.api
    refused = manager.guard_machine(bearer(machine_token), result.machine, scopes=["x"])
    assert refused is not None and refused.status == 403
    user_result = manager.load(bearer(scalekit_emulator.issue_tokens()["access_token"]))
    assert user_result.user is not None and user_result.machine is None
    with pytest.raises(AuthenticationRequired):
        manager.require_machine(user_result.machine)
    answer = manager.guard_machine(bearer("x"), None)
    assert answer is not None and answer.status == 401


def test_id_token_as_bearer_is_anonymous(
    emulator_manager: SessionManager, scalekit_emulator: EmulatorHandle
) -> None:
    tokens = scalekit_emulator.issue_tokens()
    assert emulator_manager.load(bearer(tokens["access_token"])).user is not None
    result = emulator_manager.load(bearer(tokens["id_token"]))
    assert result.user is None and result.machine is None
    other = scalekit_emulator.mint_access_token(aud=["skc_other_app"])
    assert emulator_manager.load(bearer(other)).user is None


# --- refreshed tokens ------------------------------------------------------------------------


class RefreshingProvider(FakeProvider):
    """The fake provider whose refreshes can go wrong in chosen ways."""

    refresh_sub: str = "usr_123"
    id_key: SigningKey | None = None
    keys_down: bool = False
    clock: Any = time.time

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/keys" and self.keys_down:
            raise httpx.ConnectError("JWKS down", request=request)
        return super().handle(request)

    def token(self, request: httpx.Request) -> httpx.Response:
        form = dict(part.split("=", 1) for part in request.content.decode().split("&"))
        if form.get("grant_type") != "refresh_token":
            return super().token(request)
        self.calls["refresh"] += 1
        self.refresh_counter += 1
        key, now = self.keys[-1], self.clock()
        access = key.sign(access_claims(now, sub=self.refresh_sub, jti=f"r{self.refresh_counter}"))
        id_key = self.id_key or key
        id_token = id_key.sign(
            id_claims(now, nonce=None, sub=self.refresh_sub, at_hash=at_hash_of(access))
        )
        body = {
            "access_token": access,
            "id_token": id_token,
            "refresh_token": f"rt-{self.refresh_counter}",
            "expires_in": 300,
        }
        return httpx.Response(200, json=body)


@pytest.fixture
def provider() -> RefreshingProvider:
    return RefreshingProvider()


@pytest.fixture
def fake_manager(provider: RefreshingProvider, clock: FakeClock) -> Iterator[SessionManager]:
    provider.clock = clock
    http = httpx.Client(transport=provider.transport())
    with ScalekitClient(ISSUER, CLIENT_ID, CLIENT_SECRET, http_client=http, clock=clock) as client:
        yield SessionManager(client, SessionSettings(secrets=SECRET, base_url="http://localhost"))
    http.close()


def expiring_session(manager: SessionManager, browser: Browser) -> None:
    """A session whose access token expires in 10 s (within the refresh buffer)."""
    now = manager.clock()
    data = SessionData(
        access_token=signing_key().sign(access_claims(now, exp=int(now) + 10)),
        expires_at=now + 10,
        created_at=now,
        last_seen=now,
        refresh_token="rt-0",
        id_token=signing_key().sign(id_claims(now)),
        profile=trim_profile(id_claims(now)),
    )
    browser.apply(seal_session_cookies(manager._ctx, {}, data, 3600))


def test_refresh_for_another_subject_ends_the_session(
    fake_manager: SessionManager, provider: RefreshingProvider, browser: Browser
) -> None:
    expiring_session(fake_manager, browser)
    provider.refresh_sub = "usr_mallory"
    result = fake_manager.load(browser.request("/"))
    assert result.user is None
    assert {c.name for c in result.cookies if c.is_deletion} == {"scalekit_session"}


@pytest.mark.parametrize("kid", ["key-1", "stranger"])
def test_refreshed_id_token_signed_by_an_unknown_key_ends_the_session(
    fake_manager: SessionManager, provider: RefreshingProvider, browser: Browser, kid: str
) -> None:
    expiring_session(fake_manager, browser)
    provider.id_key = SigningKey(
        kid, rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    result = fake_manager.load(browser.request("/"))
    assert result.user is None
    assert {c.name for c in result.cookies if c.is_deletion} == {"scalekit_session"}


def test_refresh_during_a_jwks_outage_keeps_the_rotated_tokens(
    fake_manager: SessionManager, provider: RefreshingProvider, browser: Browser, clock: FakeClock
) -> None:
    expiring_session(fake_manager, browser)
    # The provider rotates its signing key while its JWKS endpoint is down.
    provider.keys = [signing_key(), signing_key("key-2")]
    provider.keys_down = True
    kept = fake_manager.load(browser.request("/"))
    assert kept.user is not None and kept.user.id == "usr_123"
    assert not kept.user.roles  # unverified access-token claims grant nothing meanwhile
    browser.apply(kept.cookies)
    assert provider.calls["refresh"] == 1
    still = fake_manager.load(browser.request("/"))  # keys still down: still signed in
    assert still.user is not None
    browser.apply(still.cookies)
    provider.keys_down = False
    clock.advance(31)  # past the rate limit of JWKS refetches
    verified = fake_manager.load(browser.request("/"))
    assert verified.user is not None and verified.user.roles == {"admin"}
    browser.apply(verified.cookies)
    assert provider.calls["refresh"] == 1  # the rotated refresh token was kept, not replayed
    clock.advance(400)
    again = fake_manager.load(browser.request("/"))
    assert again.user is not None and provider.calls["refresh"] == 2


def test_slow_refresh_does_not_hold_requests_with_a_valid_token(
    fake_manager: SessionManager, browser: Browser
) -> None:
    import threading

    expiring_session(fake_manager, browser)
    started, release = threading.Event(), threading.Event()
    original = fake_manager._refresh_now

    def slow(refresh_token: str) -> Any:
        started.set()
        release.wait(10)
        return original(refresh_token)

    fake_manager._refresh_now = slow  # type: ignore[method-assign]
    first: list[object] = []
    worker = threading.Thread(target=lambda: first.append(fake_manager.load(browser.request("/"))))
    worker.start()
    assert started.wait(5)
    began = time.monotonic()
    served = fake_manager.load(browser.request("/"))
    assert served.user is not None and time.monotonic() - began < 1.0
    release.set()
    worker.join(10)
    assert first and first[0].user is not None  # type: ignore[attr-defined]


def test_unverified_flag_survives_the_payload() -> None:
    data = SessionData("a.b.c", 1.0, 1.0, 1.0, unverified=frozenset({"access", "id"}))
    again = SessionData.from_payload(data.to_payload())
    assert again is not None and again.unverified == {"access", "id"}
    assert SessionData.from_payload({**data.to_payload(), "uv": ["root"]}) is None
    assert dataclasses.replace(data, unverified=frozenset()).to_payload().get("uv") is None
