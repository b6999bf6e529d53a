"""The revocation record: its semantics (memory and Redis), ``load()`` refusing ended cookie
sessions, every ending writing it, and a Redis outage answered 503 (never silently open)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import anyio
import pytest

from scalekit_core import AsyncScalekitClient, ScalekitClient
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import (
    AsyncSessionManager,
    MemoryRevocations,
    RedisRevocations,
    RedisSessionStore,
    Revocations,
    SessionManager,
    SessionSettings,
    WebRequest,
)
from scalekit_core.web.revocation import PRUNE_INTERVAL, session_key
from scalekit_core.web.session_data import SessionData
from scalekit_emulator import EmulatorHandle
from scalekit_emulator.webhooks import new_webhook_secret
from tests.core.conftest import Browser, FakeClock
from tests.processes import free_port
from tests.redis_server import RedisServer, redis_prefix, redis_server
from tests.webhook_cases import event_body, signed

__all__ = ["redis_prefix", "redis_server"]

SECRET = "revocation-test-secret-" + "x" * 32
BASE = "https://app.example"


def _request(cookies: dict[str, str], accept: str = "text/html") -> WebRequest:
    return WebRequest("GET", "/dashboard", "", {"accept": accept, "host": "app.example"}, cookies)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _check_semantics(record: Revocations, now: float) -> None:
    assert not record.is_revoked("ses_1", "usr_a", now)
    record.revoke_session("ses_1", now + 60)
    assert record.is_revoked("ses_1", "usr_a", now)
    assert not record.is_revoked("ses_2", "usr_a", now)
    assert not record.is_revoked(None, "usr_a", now)
    record.revoke_user("usr_a", now, now + 60)
    assert record.is_revoked("ses_2", "usr_a", now - 1)  # issued before the cut-off
    assert record.is_revoked(None, "usr_a", now)
    assert not record.is_revoked("ses_2", "usr_a", now + 1)  # signed in again afterwards
    assert not record.is_revoked("ses_2", "usr_b", now - 1)
    record.revoke_user("usr_a", now - 100, now + 60)  # an older cut-off never moves it back
    assert record.is_revoked("ses_3", "usr_a", now - 1)
    assert record.remember_webhook_id("msg_1", now + 60)
    assert not record.remember_webhook_id("msg_1", now + 60)  # a replay
    assert record.remember_webhook_id("msg_2", now + 60)


def test_memory_record_semantics_and_pruning() -> None:
    clock = Clock()
    record = MemoryRevocations(clock=clock)
    _check_semantics(record, clock.now)
    assert len(record) == 2
    clock.now += 61 + PRUNE_INTERVAL  # every entry is past its ``until``
    record.revoke_session("ses_9", clock.now + 60)
    assert len(record) == 1 and not record.is_revoked("ses_1", "usr_a", 0)
    assert record.remember_webhook_id("msg_1", clock.now + 60)  # forgotten with its entry


@pytest.mark.redis
def test_redis_record_semantics(redis_server: RedisServer, redis_prefix: str) -> None:
    store = RedisSessionStore(redis_server.url, prefix=redis_prefix, secrets=SECRET)
    record = RedisRevocations(store)
    try:
        _check_semantics(record, time.time())
        ttl = store.client.pttl(redis_prefix + "x:s:ses_1")
        assert 0 < ttl <= 60_000  # kept until the sessions it could refuse are gone
    finally:
        store.close()


@pytest.mark.redis
@pytest.mark.anyio
async def test_redis_record_async_twin(redis_server: RedisServer, redis_prefix: str) -> None:
    store = RedisSessionStore(redis_server.url, prefix=redis_prefix, secrets=SECRET)
    twin = RedisRevocations(store).async_twin()
    now = time.time()
    await twin.revoke_user("usr_a", now, now + 60)
    assert await twin.is_revoked("ses_x", "usr_a", now - 1)
    assert await twin.remember_webhook_id("msg_1", now + 60)
    assert not await twin.remember_webhook_id("msg_1", now + 60)
    assert RedisRevocations(store).is_revoked("ses_x", "usr_a", now - 1)  # the same entries
    await store.async_twin().aclose()
    store.close()


def test_session_key_without_sid_is_unique_per_login() -> None:
    one = SessionData("opaque", 0.0, created_at=1.0, last_seen=1.0, profile={"sub": "usr_a"})
    two = replace(one, created_at=2.0)
    assert session_key(one) != session_key(two)
    assert (session_key(one) or "").startswith("local:")
    assert session_key(replace(one, profile={})) is None


def _manager(record: MemoryRevocations | RedisRevocations | None = None) -> SessionManager:
    settings = SessionSettings(secrets=SECRET, base_url=BASE, revocations=record)
    return SessionManager(ScalekitClient("https://sk.example", "skc_1", "secret"), settings)


def test_load_refuses_revoked_cookie_sessions() -> None:
    manager = _manager()
    cookies = make_session_cookies(manager.settings, user_id="usr_a", session_id="ses_1")
    assert manager.load(_request(cookies)).user is not None
    manager.end_scalekit_session("ses_1")
    result = manager.load(_request(cookies))
    assert result.user is None and result.response is None
    name = manager.settings.session_cookie
    assert any(c.name == name and c.is_deletion for c in result.cookies)  # cleared
    page = manager.guard(_request(cookies), result.user)
    assert page is not None and page.status == 302
    api = manager.guard(_request(cookies, "application/json"), result.user)
    assert api is not None and api.status == 401

    later = make_session_cookies(manager.settings, user_id="usr_a", session_id="ses_2")
    assert manager.load(_request(later)).user is not None
    manager.end_user_sessions("usr_a")
    assert manager.load(_request(later)).user is None
    fresh = make_session_cookies(
        manager.settings, user_id="usr_a", session_id="ses_3", now=time.time() + 1
    )
    assert manager.load(_request(fresh)).user is not None  # signed in after the cut-off


def test_settings_share_one_record_between_managers() -> None:
    settings = SessionSettings(secrets=SECRET, base_url=BASE)
    assert isinstance(settings.revocations, MemoryRevocations)
    first = SessionManager(ScalekitClient("https://sk.example", "skc_1", "s"), settings)
    second = SessionManager(ScalekitClient("https://sk.example", "skc_1", "s"), settings)
    cookies = make_session_cookies(settings, user_id="usr_a", session_id="ses_1")
    first.end_scalekit_session("ses_1")
    assert second.load(_request(cookies)).user is None


@pytest.fixture
def dead_redis() -> Iterator[RedisSessionStore]:
    store = RedisSessionStore(
        f"redis://127.0.0.1:{free_port()}/0", secrets=SECRET, socket_timeout=0.5
    )
    yield store
    store.close()


def test_a_redis_outage_is_a_503_never_an_open_door(dead_redis: RedisSessionStore) -> None:
    manager = _manager(RedisRevocations(dead_redis))
    cookies = make_session_cookies(manager.settings, user_id="usr_a")
    result = manager.load(_request(cookies))
    assert result.user is None and result.response is not None
    assert result.response.status == 503


@pytest.mark.anyio
async def test_async_manager_logout_records_and_refuses(
    scalekit_emulator: EmulatorHandle,
) -> None:
    emu = scalekit_emulator
    settings = SessionSettings(secrets=SECRET, base_url="http://localhost:8000")
    async with AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret) as client:
        manager = AsyncSessionManager(client, settings)
        browser = Browser()
        authorize = browser.follow(await manager.start_login(browser.request("/auth/login")))
        callback = await anyio.to_thread.run_sync(emu.sign_in, authorize)
        browser.follow(await manager.complete_login(browser.request(callback)))
        copied = dict(browser.cookies)
        user = (await manager.load(browser.request("/"))).user
        assert user is not None and user.session_id
        logout = browser.request("/auth/logout", method="POST")
        assert (await manager.logout(logout)).status == 302
        replayed = WebRequest("GET", "/", "", {"accept": "text/html"}, copied)
        assert (await manager.load(replayed)).user is None
        # Through the async client too: the manager listens to its revocations.
        browser = Browser()
        authorize = browser.follow(await manager.start_login(browser.request("/auth/login")))
        callback = await anyio.to_thread.run_sync(emu.sign_in, authorize)
        browser.follow(await manager.complete_login(browser.request(callback)))
        user = (await manager.load(browser.request("/"))).user
        assert user is not None and user.session_id
        await client.session.revoke_session(session_id=user.session_id)
        assert (await manager.load(browser.request("/"))).user is None


def liveness_settings() -> SessionSettings:
    """Confirm each session through the sessions API at most every 30 s (a fresh record)."""
    return SessionSettings(
        secrets=SECRET, base_url="http://localhost:8000", session_check_interval=30
    )


def _signed_in(manager: SessionManager, emu: EmulatorHandle) -> Browser:
    browser = Browser()
    authorize = browser.follow(manager.start_login(browser.request("/auth/login")))
    browser.follow(manager.complete_login(browser.request(emu.sign_in(authorize))))
    return browser


def test_liveness_check_confirms_at_most_once_per_interval(
    scalekit_emulator: EmulatorHandle, clock: FakeClock
) -> None:
    emu = scalekit_emulator
    settings = liveness_settings()
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as client:
        manager = SessionManager(client, settings)
        browser = _signed_in(manager, emu)
        user = manager.load(browser.request("/")).user
        assert user is not None and user.session_id
        path = f"/api/v1/sessions/{user.session_id}"
        assert emu.calls(path) == 1  # confirmed on the first request
        emu.emulator.revoke_session(user.session_id)  # at Scalekit, unseen by the app
        assert manager.load(browser.request("/")).user is not None  # not due yet
        assert emu.calls(path) == 1
        clock.advance(31)
        with ThreadPoolExecutor(8) as pool:  # single flight: one check for all of them
            users = list(pool.map(lambda _: manager.load(browser.request("/")).user, range(8)))
        assert emu.calls(path) == 1 + 1 and any(u is None for u in users)
        assert manager.load(browser.request("/")).user is None  # recorded: ended for good


def test_liveness_check_keeps_the_session_when_scalekit_is_down(
    scalekit_emulator: EmulatorHandle,
) -> None:
    emu = scalekit_emulator
    settings = liveness_settings()
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret) as client:
        manager = SessionManager(client, settings)
        emu.inject_fault("/api/v1/sessions/", status=503, count=20)
        browser = _signed_in(manager, emu)
        assert manager.load(browser.request("/")).user is not None


@pytest.mark.anyio
async def test_async_liveness_check_ends_a_session_ended_at_scalekit(
    scalekit_emulator: EmulatorHandle,
) -> None:
    emu = scalekit_emulator
    clock = FakeClock()
    settings = liveness_settings()
    async with AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as sk:
        manager = AsyncSessionManager(sk, settings)
        browser = Browser()
        authorize = browser.follow(await manager.start_login(browser.request("/auth/login")))
        callback = await anyio.to_thread.run_sync(emu.sign_in, authorize)
        browser.follow(await manager.complete_login(browser.request(callback)))
        user = (await manager.load(browser.request("/"))).user
        assert user is not None and user.session_id
        emu.emulator.revoke_session(user.session_id)
        assert (await manager.load(browser.request("/"))).user is not None  # not due yet
        clock.advance(31)
        assert (await manager.load(browser.request("/"))).user is None
        assert emu.calls(f"/api/v1/sessions/{user.session_id}") == 2


def test_a_webhook_during_a_redis_outage_is_a_503_so_scalekit_retries(
    dead_redis: RedisSessionStore,
) -> None:
    secret = new_webhook_secret()
    settings = SessionSettings(
        secrets=SECRET,
        base_url=BASE,
        revocations=RedisRevocations(dead_redis),
        webhook_secret=secret,
    )
    manager = SessionManager(ScalekitClient("https://sk.example", "skc_1", "s"), settings)
    body = event_body("session.revoked", {"session_id": "ses_1"})
    request = WebRequest("POST", "/auth/webhooks", "", signed(secret, body), {})
    answer = manager.handle_webhook(request, body)
    assert answer.status == 503 and "Traceback" not in answer.body
