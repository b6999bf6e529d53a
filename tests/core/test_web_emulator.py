"""The session layer against the emulator over real HTTP: login, refresh, logout, bearer."""

from __future__ import annotations

import dataclasses
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import pytest

from scalekit_core import AsyncScalekitClient, ScalekitClient
from scalekit_core.web import (
    AsyncSessionManager,
    MemorySessionStore,
    SessionManager,
    SessionSettings,
    WebRequest,
)
from scalekit_emulator import EmulatorHandle

if TYPE_CHECKING:
    from tests.core.conftest import Browser, FakeClock

SECRET = "emulator-test-secret-" + "x" * 32
BASE = "http://localhost:8000"


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def make_settings(**overrides: object) -> SessionSettings:
    values: dict[str, object] = {"secrets": SECRET, "base_url": BASE}
    values.update(overrides)
    return SessionSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(scalekit_emulator: EmulatorHandle, clock: FakeClock) -> Iterator[ScalekitClient]:
    emu = scalekit_emulator
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as sk:
        yield sk


@pytest.fixture
def manager(client: ScalekitClient) -> SessionManager:
    return SessionManager(client, make_settings())


def login(
    manager: SessionManager,
    emu: EmulatorHandle,
    browser: Browser,
    start: str = "/auth/login",
    email: str = "alice@acme.test",
) -> str:
    """Start, sign in at the emulator, complete; returns where the callback redirects."""
    authorize = browser.follow(manager.start_login(browser.request(start)))
    callback = emu.sign_in(authorize, email)
    return browser.follow(manager.complete_login(browser.request(callback)))


def sync_emulator_clock(emu: EmulatorHandle, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    emu.set_clock_offset(clock.offset)


def test_full_login_then_load(
    manager: SessionManager, scalekit_emulator: EmulatorHandle, browser: Browser
) -> None:
    landing = login(manager, scalekit_emulator, browser, "/auth/login?return_to=/reports%3Fy%3D1")
    assert landing == "/reports?y=1"
    assert not [name for name in browser.cookies if name.startswith("scalekit_txn_")]
    result = manager.load(browser.request("/reports?y=1"))
    user = result.user
    assert user is not None and not user.is_bearer
    assert (user.id, user.email, user.organization_id) == (
        "usr_alice",
        "alice@acme.test",
        "org_acme",
    )
    assert "users:write" in user.permissions and user.has_role("admin")
    assert user.session_id and user.session_id.startswith("ses_")
    assert result.cookies == ()
    manager.require(user, permissions=["users:read"], organization_id="org_acme")


def test_authorize_url_has_pkce_and_routing(manager: SessionManager, browser: Browser) -> None:
    response = manager.start_login(
        browser.request("/auth/login?organization_id=org_acme&login_hint=alice@acme.test"),
        connection_id="conn_acme_okta",
        prompt="login",
    )
    params = query_of(response.location or "")
    assert params["code_challenge_method"] == "S256" and params["code_challenge"]
    assert params["organization_id"] == "org_acme"
    assert params["connection_id"] == "conn_acme_okta"
    assert params["login_hint"] == "alice@acme.test" and params["prompt"] == "login"
    assert params["redirect_uri"] == BASE + "/auth/callback"
    assert "offline_access" in params["scope"].split()
    [cookie] = response.cookies
    assert cookie.name == "scalekit_txn_" + params["state"]
    assert cookie.httponly and cookie.samesite == "Lax" and not cookie.secure
    assert params["code_challenge"] not in cookie.value
    assert response.headers["Cache-Control"] == "private, no-store"


def test_two_interleaved_logins_both_succeed(
    manager: SessionManager, scalekit_emulator: EmulatorHandle, browser: Browser
) -> None:
    first = browser.follow(manager.start_login(browser.request("/auth/login?return_to=/one")))
    second = browser.follow(manager.start_login(browser.request("/auth/login?return_to=/two")))
    callback_one = scalekit_emulator.sign_in(first)
    callback_two = scalekit_emulator.sign_in(second)
    assert browser.follow(manager.complete_login(browser.request(callback_two))) == "/two"
    assert browser.follow(manager.complete_login(browser.request(callback_one))) == "/one"
    # Single use: replaying a callback restarts login instead of signing in again.
    replay = manager.complete_login(browser.request(callback_one))
    assert (
        replay.status == 302
        and replay.location
        and replay.location.startswith(scalekit_emulator.url)
    )


def test_replay_after_restart_is_a_clean_400(
    manager: SessionManager, scalekit_emulator: EmulatorHandle, browser: Browser
) -> None:
    authorize = browser.follow(manager.start_login(browser.request("/auth/login")))
    callback = scalekit_emulator.sign_in(authorize)
    browser.cookies.clear()  # a browser that drops cookies
    restart = manager.complete_login(browser.request(callback))
    assert restart.status == 302 and query_of(restart.location or "")["state"].startswith("retry.")
    browser.cookies.clear()
    again = scalekit_emulator.sign_in(restart.location or "")
    failed = manager.complete_login(browser.request(again))
    assert failed.status == 400 and "cookies" in failed.body
    assert "code=" not in failed.body


def test_refresh_after_expiry(
    manager: SessionManager, scalekit_emulator: EmulatorHandle, browser: Browser, clock: FakeClock
) -> None:
    login(manager, scalekit_emulator, browser)
    before = manager.load(browser.request("/")).user
    sync_emulator_clock(scalekit_emulator, clock, 400)
    result = manager.load(browser.request("/"))
    assert result.user is not None and result.user.id == "usr_alice"
    assert result.user.expires_at and before and before.expires_at
    assert result.user.expires_at > before.expires_at
    assert scalekit_emulator.token_calls("refresh_token") == 1
    browser.apply(result.cookies)
    assert manager.load(browser.request("/")).user is not None
    assert scalekit_emulator.token_calls("refresh_token") == 1


def test_hundred_threads_one_refresh(
    manager: SessionManager, scalekit_emulator: EmulatorHandle, browser: Browser, clock: FakeClock
) -> None:
    login(manager, scalekit_emulator, browser)
    sync_emulator_clock(scalekit_emulator, clock, 400)
    request = browser.request("/")
    barrier = threading.Barrier(100)

    def load_once(_: int) -> str | None:
        barrier.wait()
        user = manager.load(request).user
        return user.id if user else None

    with ThreadPoolExecutor(100) as pool:
        users = list(pool.map(load_once, range(100)))
    assert users == ["usr_alice"] * 100
    assert scalekit_emulator.token_calls("refresh_token") == 1


@pytest.mark.anyio
async def test_hundred_tasks_one_refresh(
    scalekit_emulator: EmulatorHandle, browser: Browser, clock: FakeClock
) -> None:
    emu = scalekit_emulator
    async with AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as sk:
        manager = AsyncSessionManager(sk, make_settings())
        authorize = browser.follow(await manager.start_login(browser.request("/auth/login")))
        callback = await anyio.to_thread.run_sync(emu.sign_in, authorize)
        browser.follow(await manager.complete_login(browser.request(callback)))
        sync_emulator_clock(emu, clock, 400)
        request = browser.request("/")
        users: list[str | None] = []

        async def load_once() -> None:
            user = (await manager.load(request)).user
            users.append(user.id if user else None)

        async with anyio.create_task_group() as group:
            for _ in range(100):
                group.start_soon(load_once)
    assert users == ["usr_alice"] * 100
    assert emu.token_calls("refresh_token") == 1


def test_large_token_set_is_chunked(
    scalekit_emulator: EmulatorHandle, client: ScalekitClient, browser: Browser
) -> None:
    emulator = scalekit_emulator.emulator
    with emulator.lock:
        alice = emulator.state.users["usr_alice"]
        many = tuple(f"resource-{secrets.token_hex(8)}:write" for _ in range(200))
        emulator.state.users["usr_alice"] = dataclasses.replace(alice, permissions=many)
    manager = SessionManager(client, make_settings())
    login(manager, scalekit_emulator, browser)
    chunks = sorted(name for name in browser.cookies if name.startswith("scalekit_session"))
    assert len(chunks) >= 2 and all(name.startswith("scalekit_session.") for name in chunks)
    total = sum(len(browser.cookies[name]) for name in chunks)
    assert total > 6000
    for name in chunks:
        header = (
            f"{name}={browser.cookies[name]}; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax; Secure"
        )
        assert len(header) < 4096
    user = manager.load(browser.request("/")).user
    assert user is not None and len(user.permissions) == 200


def test_revoked_session_ends_at_next_refresh(
    manager: SessionManager,
    client: ScalekitClient,
    scalekit_emulator: EmulatorHandle,
    browser: Browser,
    clock: FakeClock,
) -> None:
    login(manager, scalekit_emulator, browser)
    user = manager.load(browser.request("/")).user
    assert user is not None and user.session_id
    machine = client.get_client_access_token()
    revoked = httpx.post(
        f"{scalekit_emulator.url}/api/v1/sessions/{user.session_id}/revoke",
        headers={"authorization": f"Bearer {machine}"},
    )
    assert revoked.status_code == 200
    assert manager.load(browser.request("/")).user is not None  # access token still valid
    sync_emulator_clock(scalekit_emulator, clock, 400)
    result = manager.load(browser.request("/"))
    assert result.user is None
    assert {c.name for c in result.cookies if c.is_deletion} == {"scalekit_session"}
    browser.apply(result.cookies)
    assert not browser.cookies


def test_provider_down_keeps_a_valid_session(
    manager: SessionManager, scalekit_emulator: EmulatorHandle, browser: Browser, clock: FakeClock
) -> None:
    login(manager, scalekit_emulator, browser)
    sync_emulator_clock(scalekit_emulator, clock, 250)  # within the 60 s refresh buffer
    scalekit_emulator.inject_fault("/oauth/token", status=503, count=10)
    kept = manager.load(browser.request("/"))
    assert kept.user is not None  # (its cookies only roll the idle expiry)
    browser.apply(kept.cookies)
    sync_emulator_clock(scalekit_emulator, clock, 120)  # now expired, provider still down
    clock.advance(10)  # past the short memory of the transient failure
    expired = manager.load(browser.request("/"))
    assert expired.user is None and expired.cookies == ()  # anonymous, cookies kept


def test_logout_clears_cookies_and_redirects(
    manager: SessionManager, scalekit_emulator: EmulatorHandle, browser: Browser
) -> None:
    login(manager, scalekit_emulator, browser)
    browser.follow(manager.start_login(browser.request("/auth/login")))  # a pending transaction
    headers = {"origin": BASE, "accept": "text/html"}
    assert manager.logout(browser.request("/auth/logout", "GET", headers)).status == 405
    evil = {"origin": "https://evil.example"}
    assert manager.logout(browser.request("/auth/logout", "POST", evil)).status == 403
    response = manager.logout(browser.request("/auth/logout", "POST", headers))
    assert response.status == 302
    target = response.location or ""
    assert target.startswith(scalekit_emulator.url + "/oidc/logout?")
    params = query_of(target)
    assert params["post_logout_redirect_uri"] == BASE + "/" and params["id_token_hint"]
    assert all(c.is_deletion and c.path == "/" and c.httponly for c in response.cookies)
    browser.apply(response.cookies)
    assert browser.cookies == {}
    assert httpx.get(target, follow_redirects=False).status_code in (302, 303)


def test_memory_store_login_load_logout(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle, browser: Browser, clock: FakeClock
) -> None:
    store = MemorySessionStore(clock=clock)
    manager = SessionManager(client, make_settings(store=store))
    login(manager, scalekit_emulator, browser)
    assert len(store) == 1
    assert len(browser.cookies["scalekit_session"]) < 100  # only a signed id
    sync_emulator_clock(scalekit_emulator, clock, 400)
    assert manager.load(browser.request("/")).user is not None
    assert scalekit_emulator.token_calls("refresh_token") == 1
    response = manager.logout(browser.request("/auth/logout", "POST", {"origin": BASE}))
    assert response.status == 302 and len(store) == 0


def test_bearer_tokens(manager: SessionManager, scalekit_emulator: EmulatorHandle) -> None:
    token = scalekit_emulator.mint_access_token("bob@acme.test")
    request = WebRequest("GET", "/api/me", headers={"Authorization": f"Bearer {token}"})
    result = manager.load(request)
    assert result.user is not None and result.user.is_bearer and result.cookies == ()
    assert result.user.id == "usr_bob" and result.user.permissions == {"users:read"}
    assert scalekit_emulator.calls("/keys") == 1
    for _ in range(5):
        assert manager.load(request).user is not None
    assert scalekit_emulator.calls("/keys") == 1  # local validation only
    bad = WebRequest("GET", "/api/me", headers={"authorization": "Bearer " + token[:-4] + "AAAA"})
    assert manager.load(bad).user is None
    response = manager.unauthenticated(bad)
    assert (
        response.status == 401 and 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    )


def test_idp_initiated_login(
    manager: SessionManager, scalekit_emulator: EmulatorHandle, browser: Browser
) -> None:
    token = scalekit_emulator.emulator.idp_initiated_token(
        connection_id="conn_acme_okta",
        organization_id="org_acme",
        login_hint="alice@acme.test",
        relay_state="/dashboard",
    )
    response = manager.start_login(browser.request(f"/auth/login?idp_initiated_login={token}"))
    params = query_of(response.location or "")
    assert params["connection_id"] == "conn_acme_okta" and params["login_hint"] == "alice@acme.test"
    browser.apply(response.cookies)
    callback = scalekit_emulator.sign_in(response.location or "")
    assert browser.follow(manager.complete_login(browser.request(callback))) == "/dashboard"
    forged = manager.start_login(browser.request("/auth/login?idp_initiated_login=abc.def.ghi"))
    assert forged.status == 400


def test_provider_down_at_callback_is_503(
    manager: SessionManager, scalekit_emulator: EmulatorHandle, browser: Browser
) -> None:
    authorize = browser.follow(manager.start_login(browser.request("/auth/login")))
    callback = scalekit_emulator.sign_in(authorize)
    scalekit_emulator.inject_fault("/oauth/token", status=502)
    response = manager.complete_login(browser.request(callback))
    assert response.status == 503 and "Traceback" not in response.body


def test_on_login_hook_can_refuse(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle, browser: Browser
) -> None:
    from scalekit_core.web import PermissionDenied

    seen = []

    def on_login(user, auth):  # type: ignore[no-untyped-def]
        seen.append((user.id, auth.organization_id))
        if user.email != "alice@acme.test":
            raise PermissionDenied("forbidden", "only Alice may sign in")

    manager = SessionManager(client, make_settings(), on_login=on_login)
    assert login(manager, scalekit_emulator, browser) == "/"
    other = type(browser)()
    authorize = other.follow(manager.start_login(other.request("/auth/login")))
    callback = scalekit_emulator.sign_in(authorize, "bob@acme.test")
    refused = manager.complete_login(other.request(callback))
    assert refused.status == 403 and "only Alice" in refused.body
    other.apply(refused.cookies)
    assert other.cookies == {}
    assert seen == [("usr_alice", "org_acme"), ("usr_bob", "org_acme")]
