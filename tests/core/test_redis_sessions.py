"""The session managers on Redis against the emulator: two "processes" (separate managers,
separate in-process memos) sharing one Redis refresh once; Redis killed -> 503, back -> fine."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import pytest

from scalekit_core import AsyncScalekitClient, ScalekitClient
from scalekit_core.web import (
    AsyncSessionManager,
    RedisSessionStore,
    SessionManager,
    SessionSettings,
)
from scalekit_core.web.refresh import refresh_key
from scalekit_emulator import EmulatorHandle
from tests.core.conftest import Browser
from tests.redis_server import RedisServer, redis_prefix, redis_server, require_redis_server

if TYPE_CHECKING:
    from tests.core.conftest import FakeClock

pytestmark = pytest.mark.redis
__all__ = ["redis_prefix", "redis_server"]

SECRET = "redis-session-test-secret-" + "x" * 32
BASE = "http://localhost:8000"


def settings(store: RedisSessionStore) -> SessionSettings:
    return SessionSettings(secrets=SECRET, base_url=BASE, store=store)


class Process:
    """What one app process owns: its client, its store object, its manager."""

    def __init__(self, emu: EmulatorHandle, url: str, prefix: str, clock: FakeClock) -> None:
        self.client = ScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock)
        self.store = RedisSessionStore(url, prefix=prefix, refresh_lock_ttl=1.0)
        self.manager = SessionManager(self.client, settings(self.store))

    def close(self) -> None:
        self.store.close()
        self.client.close()


@pytest.fixture
def processes(
    scalekit_emulator: EmulatorHandle,
    redis_server: RedisServer,
    redis_prefix: str,
    clock: FakeClock,
) -> Iterator[list[Process]]:
    made = [Process(scalekit_emulator, redis_server.url, redis_prefix, clock) for _ in range(2)]
    yield made
    for process in made:
        process.close()


def login(manager: SessionManager, emu: EmulatorHandle, email: str = "alice@acme.test") -> Browser:
    browser = Browser()
    authorize = browser.follow(manager.start_login(browser.request("/auth/login")))
    browser.follow(manager.complete_login(browser.request(emu.sign_in(authorize, email))))
    return browser


def expire_access_token(emu: EmulatorHandle, clock: FakeClock) -> None:
    clock.advance(400)
    emu.set_clock_offset(clock.offset)


def test_login_load_logout_with_only_a_signed_id_in_the_cookie(
    processes: list[Process], scalekit_emulator: EmulatorHandle
) -> None:
    first, second = processes
    browser = login(first.manager, scalekit_emulator)
    assert list(browser.cookies) == ["scalekit_session"]
    assert len(browser.cookies["scalekit_session"]) < 100
    # Any process serves the session: it lives in Redis.
    user = second.manager.load(browser.request("/")).user
    assert user is not None and user.id == "usr_alice"
    assert first.store.user_session_ids("usr_alice") != frozenset()
    response = second.manager.logout(browser.request("/auth/logout", "POST", {"origin": BASE}))
    assert response.status == 302
    assert first.store.user_session_ids("usr_alice") == frozenset()
    assert first.manager.load(browser.request("/")).user is None


def test_two_processes_hundred_threads_one_refresh(
    processes: list[Process], scalekit_emulator: EmulatorHandle, clock: FakeClock
) -> None:
    browser = login(processes[0].manager, scalekit_emulator)
    expire_access_token(scalekit_emulator, clock)
    request = browser.request("/", headers={"accept": "application/json"})
    barrier = threading.Barrier(100)

    def load_once(index: int) -> str | None:
        barrier.wait()
        user = processes[index % 2].manager.load(request).user
        return user.id if user else None

    with ThreadPoolExecutor(100) as pool:
        users = list(pool.map(load_once, range(100)))
    assert users == ["usr_alice"] * 100
    assert scalekit_emulator.token_calls("refresh_token") == 1


@pytest.mark.anyio
async def test_two_async_processes_one_refresh(
    scalekit_emulator: EmulatorHandle,
    redis_server: RedisServer,
    redis_prefix: str,
    clock: FakeClock,
) -> None:
    emu = scalekit_emulator
    stores = [RedisSessionStore(redis_server.url, prefix=redis_prefix) for _ in range(2)]
    async with (
        AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as one,
        AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as two,
    ):
        managers = [
            AsyncSessionManager(one, settings(stores[0])),
            AsyncSessionManager(two, settings(stores[1])),
        ]
        browser = Browser()
        authorize = browser.follow(await managers[0].start_login(browser.request("/auth/login")))
        callback = await anyio.to_thread.run_sync(emu.sign_in, authorize)
        browser.follow(await managers[0].complete_login(browser.request(callback)))
        expire_access_token(emu, clock)
        request = browser.request("/")
        users: list[str | None] = []

        async def load_once(index: int) -> None:
            user = (await managers[index % 2].load(request)).user
            users.append(user.id if user else None)

        async with anyio.create_task_group() as group:
            for index in range(100):
                group.start_soon(load_once, index)
        for store in stores:
            await store.async_twin().aclose()
    assert users == ["usr_alice"] * 100
    assert emu.token_calls("refresh_token") == 1


def test_killed_lock_holder_is_taken_over_after_the_lock_expires(
    processes: list[Process], scalekit_emulator: EmulatorHandle, clock: FakeClock
) -> None:
    first, second = processes
    browser = login(first.manager, scalekit_emulator)
    expire_access_token(scalekit_emulator, clock)
    stored_id = next(iter(first.store.user_session_ids("usr_alice")))
    data = first.store.get(stored_id)
    assert data is not None and data.refresh_token
    # A process took the lock for this refresh token and died before publishing anything.
    assert first.store.acquire_refresh_lock(refresh_key(data.refresh_token)) is not None
    started = time.monotonic()
    user = second.manager.load(browser.request("/")).user
    waited = time.monotonic() - started
    assert user is not None and user.id == "usr_alice"
    assert 0.5 < waited < 5  # waited for the 1 s lock to lapse, then refreshed itself
    assert scalekit_emulator.token_calls("refresh_token") == 1


def test_sign_out_everywhere_and_scalekit_revocation(
    processes: list[Process], scalekit_emulator: EmulatorHandle
) -> None:
    first, second = processes
    laptop = login(first.manager, scalekit_emulator)
    phone = login(second.manager, scalekit_emulator)
    bob = login(first.manager, scalekit_emulator, "bob@acme.test")
    laptop_user = first.manager.load(laptop.request("/")).user
    assert laptop_user is not None and laptop_user.session_id
    # Revoking one Scalekit session through the app's client ends exactly the matching local
    # session (the manager listens to its client's revocations).
    revoked = first.client.session.revoke_session(session_id=laptop_user.session_id)
    assert revoked is not None
    assert first.store.delete_by_scalekit_session(laptop_user.session_id) == 0
    assert second.manager.load(laptop.request("/")).user is None
    assert second.manager.load(phone.request("/")).user is not None
    # "Sign out everywhere": every session of the user, none of another user's.
    login(second.manager, scalekit_emulator)
    assert second.store.delete_user_sessions("usr_alice") == 2
    assert first.manager.load(phone.request("/")).user is None
    bob_user = first.manager.load(bob.request("/")).user
    assert bob_user is not None and bob_user.id != "usr_alice"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test only (it gets killed), with an fsync'd append-only file so
    sessions survive the crash, as a production Redis holding sessions should be configured."""
    server = RedisServer(require_redis_server(), persist_dir=tmp_path).start()
    yield server
    server.stop()


def test_redis_killed_gives_503_then_sessions_come_back_unmixed(
    own_redis: RedisServer,
    scalekit_emulator: EmulatorHandle,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu = scalekit_emulator
    process = Process(emu, own_redis.url, "crash:", clock)
    try:
        manager = process.manager
        alice = login(manager, emu)
        bob = login(manager, emu, "bob@acme.test")
        pending = Browser()
        authorize = pending.follow(manager.start_login(pending.request("/auth/login")))
        callback = emu.sign_in(authorize, "carol@acme.test")
        own_redis.kill()

        caplog.set_level(logging.ERROR, "scalekit_core.web")
        page = manager.load(alice.request("/reports"))
        assert page.user is None and page.cookies == ()
        assert page.response is not None and page.response.status == 503
        assert page.response.headers["Content-Type"].startswith("text/html")
        assert "Sessions are temporarily unavailable" in page.response.body
        api = manager.load(bob.request("/api/me", headers={"accept": "application/json"}))
        assert api.response is not None and api.response.status == 503
        assert json.loads(api.response.body)["error"] == "session_store_unavailable"
        assert api.response.headers["Retry-After"] == "5"
        login_page = manager.complete_login(pending.request(callback))
        assert login_page.status == 503 and "scalekit_session" not in pending.cookies
        out = manager.logout(alice.request("/auth/logout", "POST", {"origin": BASE}))
        assert out.status == 503 and out.cookies == ()
        lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        # Identical store errors are logged once per interval (the two loads share a line).
        assert len(lines) == 2
        assert all("session store unavailable during" in line for line in lines)
        cookie = alice.cookies["scalekit_session"]
        assert not any(cookie.split(".")[0] in line for line in lines)

        own_redis.start()
        alice_user = manager.load(alice.request("/")).user
        bob_user = manager.load(bob.request("/")).user
        assert alice_user is not None and alice_user.email == "alice@acme.test"
        assert bob_user is not None and bob_user.email == "bob@acme.test"
        # The login that hit the outage starts again cleanly and gets its own session.
        carol = login(manager, emu, "carol@acme.test")
        carol_user = manager.load(carol.request("/")).user
        assert carol_user is not None and carol_user.email == "carol@acme.test"
        expire_access_token(emu, clock)
        refreshed = manager.load(alice.request("/")).user
        assert refreshed is not None and refreshed.email == "alice@acme.test"
    finally:
        process.close()


@pytest.mark.anyio
async def test_redis_down_is_a_503_for_the_async_manager(
    scalekit_emulator: EmulatorHandle, own_redis: RedisServer
) -> None:
    emu = scalekit_emulator
    store = RedisSessionStore(own_redis.url)
    async with AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret) as sk:
        manager = AsyncSessionManager(sk, settings(store))
        browser = Browser()
        authorize = browser.follow(await manager.start_login(browser.request("/auth/login")))
        callback = await anyio.to_thread.run_sync(emu.sign_in, authorize)
        browser.follow(await manager.complete_login(browser.request(callback)))
        own_redis.kill()
        result = await manager.load(browser.request("/"))
        assert result.response is not None and result.response.status == 503
        own_redis.start()
        user = (await manager.load(browser.request("/"))).user
        assert user is not None and user.email == "alice@acme.test"
        await store.async_twin().aclose()
