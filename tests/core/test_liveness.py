"""The liveness check (``session_check_interval``): its due times, their boundary and bound,
single flight under the lock, and what each answer of Scalekit's sessions API does."""

from __future__ import annotations

import logging
import threading

import anyio
import pytest

from scalekit_core import AsyncScalekitClient, ScalekitClient
from scalekit_core.web import AsyncSessionManager, SessionManager, SessionSettings
from scalekit_core.web.liveness import MAX_TRACKED, LivenessChecks
from scalekit_emulator import EmulatorHandle
from tests.core.conftest import Browser, FakeClock

SECRET = "liveness-test-secret-" + "x" * 32
SETTINGS = SessionSettings(
    secrets=SECRET, base_url="http://localhost:8000", session_check_interval=30
)
NOT_CHECKED = "session liveness not checked: ServiceUnavailableError"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_is_due_again_exactly_one_interval_later() -> None:
    clock = Clock()
    checks = LivenessChecks(30, clock)
    assert checks.claim("ses_1")
    assert not checks.claim("ses_1")
    assert checks.claim("ses_2")  # each session has its own due time
    clock.now += 29.999
    assert not checks.claim("ses_1")
    clock.now = 1030.0  # exactly due
    assert checks.claim("ses_1")
    assert not checks.claim("ses_1")


def test_claims_racing_past_the_first_look_are_settled_under_the_lock() -> None:
    checks = LivenessChecks(30, Clock())
    results: list[bool] = []
    with checks._lock:  # both callers see no due time, then wait for the lock
        threads = [
            threading.Thread(target=lambda: results.append(checks.claim("ses_1"))) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        while sum(t.is_alive() for t in threads) < 2:
            pass
        threading.Event().wait(0.05)
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]


def test_tracked_sessions_are_bounded_by_forgetting_the_oldest_half() -> None:
    checks = LivenessChecks(30, Clock())
    for n in range(MAX_TRACKED - 1):
        assert checks.claim(f"ses_{n}")
    assert checks.claim("ses_last")
    assert len(checks._next) == MAX_TRACKED  # full, nothing forgotten yet
    assert checks.claim("ses_new")
    assert len(checks._next) == MAX_TRACKED // 2 + 1
    assert checks.claim("ses_0")  # forgotten: checked again
    assert not checks.claim("ses_last")  # the newer half is kept


def _signed_in(manager: SessionManager, emu: EmulatorHandle, email: str) -> Browser:
    browser = Browser()
    authorize = browser.follow(manager.start_login(browser.request("/auth/login")))
    browser.follow(manager.complete_login(browser.request(emu.sign_in(authorize, email))))
    return browser


def test_the_request_that_finds_a_session_ended_is_refused_and_each_session_is_checked(
    scalekit_emulator: EmulatorHandle, clock: FakeClock
) -> None:
    emu = scalekit_emulator
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as client:
        manager = SessionManager(client, SETTINGS)
        alice = _signed_in(manager, emu, "alice@acme.test")
        bob = _signed_in(manager, emu, "bob@acme.test")
        a, b = manager.load(alice.request("/")).user, manager.load(bob.request("/")).user
        assert a is not None and b is not None and b.session_id
        assert a.session_id != b.session_id
        assert emu.calls(f"/api/v1/sessions/{a.session_id}") == 1
        assert emu.calls(f"/api/v1/sessions/{b.session_id}") == 1  # its own check
        emu.emulator.revoke_session(b.session_id)
        clock.advance(31)
        assert manager.load(alice.request("/")).user is not None
        assert manager.load(bob.request("/")).user is None  # this very request
        assert manager.revocations.is_revoked(b.session_id, b.id, clock() - 3600)
        assert not manager.revocations.is_revoked(a.session_id, a.id, clock() - 3600)


def test_an_outage_keeps_the_session_and_says_so(
    scalekit_emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    emu = scalekit_emulator
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret) as client:
        manager = SessionManager(client, SETTINGS)
        browser = _signed_in(manager, emu, "alice@acme.test")
        emu.inject_fault("/api/v1/sessions/", status=503, count=20)
        with caplog.at_level(logging.WARNING, "scalekit_core.web"):
            assert manager.load(browser.request("/")).user is not None
        assert NOT_CHECKED in [r.getMessage() for r in caplog.records]


@pytest.mark.anyio
async def test_async_outage_keeps_the_session_and_an_ended_one_is_refused_at_once(
    scalekit_emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    emu = scalekit_emulator
    clock = FakeClock()
    async with AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as sk:
        manager = AsyncSessionManager(sk, SETTINGS)
        browsers = []
        for email in ("alice@acme.test", "bob@acme.test"):
            browser = Browser()
            authorize = browser.follow(await manager.start_login(browser.request("/auth/login")))
            callback = await anyio.to_thread.run_sync(emu.sign_in, authorize, email)
            browser.follow(await manager.complete_login(browser.request(callback)))
            browsers.append(browser)
        emu.inject_fault("/api/v1/sessions/", status=503, count=20)
        with caplog.at_level(logging.WARNING, "scalekit_core.web"):
            users = [(await manager.load(b.request("/"))).user for b in browsers]
        assert all(u is not None for u in users)
        assert [r.getMessage() for r in caplog.records].count(NOT_CHECKED) == 2  # one each
        emu.clear_faults()
        alice, bob = users
        assert alice is not None and bob is not None and bob.session_id
        emu.emulator.revoke_session(bob.session_id)
        clock.advance(31)
        assert (await manager.load(browsers[0].request("/"))).user is not None
        assert (await manager.load(browsers[1].request("/"))).user is None
        assert manager.revocations.is_revoked(bob.session_id, bob.id, clock() - 3600)
