"""``end_session``: a framework's own sign-out ends the session here, with no redirect."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio
import pytest

from scalekit_core import AsyncScalekitClient, ScalekitClient
from scalekit_core.web import (
    AsyncSessionManager,
    MemorySessionStore,
    SessionManager,
    SessionStoreUnavailable,
)
from scalekit_emulator import EmulatorHandle

from .test_web_emulator import client, login, make_settings

if TYPE_CHECKING:
    from tests.core.conftest import Browser, FakeClock

__all__ = ["client"]


class StoreDownAtDelete(MemorySessionStore):
    """The store goes away between the request's load and its sign-out (a race no real
    outage reproduces on demand)."""

    def delete(self, session_id: str) -> None:
        raise SessionStoreUnavailable("delete", "ConnectionError")


def test_end_session_deletes_the_stored_session_and_every_cookie(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle, browser: Browser, clock: FakeClock
) -> None:
    store = MemorySessionStore(clock=clock)
    manager = SessionManager(client, make_settings(store=store))
    login(manager, scalekit_emulator, browser)
    browser.cookies["scalekit_txn_LeftOverFromAnotherTabXXXXXXXXXX"] = "x"  # another tab's login
    request = browser.request("/django-admin/logout/", "POST")
    deletions = manager.end_session(request)
    assert {write.name for write in deletions} == {
        "scalekit_session",
        "scalekit_txn_LeftOverFromAnotherTabXXXXXXXXXX",
    }
    assert all(write.is_deletion for write in deletions) and len(store) == 0
    browser.apply(deletions)
    assert browser.cookies == {}
    assert manager.load(request).user is None


def test_end_session_still_deletes_the_cookies_when_the_store_is_down(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle, browser: Browser, clock: FakeClock
) -> None:
    manager = SessionManager(client, make_settings(store=StoreDownAtDelete(clock=clock)))
    login(manager, scalekit_emulator, browser)
    deletions = manager.end_session(browser.request("/t/logout"))
    assert [write.name for write in deletions] == ["scalekit_session"]
    assert deletions[0].is_deletion


@pytest.mark.anyio
async def test_async_end_session(
    scalekit_emulator: EmulatorHandle, browser: Browser, clock: FakeClock
) -> None:
    emu = scalekit_emulator
    async with AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as sk:
        for store in (MemorySessionStore(clock=clock), StoreDownAtDelete(clock=clock)):
            browser.cookies.clear()
            manager = AsyncSessionManager(sk, make_settings(store=store))
            authorize = browser.follow(await manager.start_login(browser.request("/auth/login")))
            callback = await anyio.to_thread.run_sync(emu.sign_in, authorize)
            browser.follow(await manager.complete_login(browser.request(callback)))
            deletions = await manager.end_session(browser.request("/t/logout"))
            assert [write.name for write in deletions] == ["scalekit_session"]
            browser.apply(deletions)
            assert browser.cookies == {}
            assert (await manager.load(browser.request("/"))).user is None
