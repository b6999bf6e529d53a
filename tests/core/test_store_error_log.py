"""A session-store outage fails every request: its ERROR line is logged once, then at most
once per ``STORE_ERROR_LOG_INTERVAL`` with the number of lines it stands for (not one line per
request), for the blocking and the asyncio manager."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import pytest

from scalekit_core import AsyncScalekitClient, ScalekitClient
from scalekit_core.web import AsyncSessionManager, RedisSessionStore, SessionManager
from scalekit_core.web.manager import STORE_ERROR_LOG_INTERVAL
from scalekit_emulator import EmulatorHandle
from tests.core.conftest import Browser
from tests.core.test_redis_sessions import login, settings
from tests.redis_server import RedisServer, require_redis_server

if TYPE_CHECKING:
    from tests.core.conftest import FakeClock

pytestmark = pytest.mark.redis

JSON = {"accept": "application/json"}


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(require_redis_server(), persist_dir=tmp_path).start()
    yield server
    server.stop()


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_repeated_store_outage_errors_are_rate_limited(
    own_redis: RedisServer,
    scalekit_emulator: EmulatorHandle,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = RedisSessionStore(own_redis.url)
    with ScalekitClient(
        scalekit_emulator.url,
        scalekit_emulator.client_id,
        scalekit_emulator.client_secret,
        clock=clock,
    ) as client:
        manager = SessionManager(client, settings(store))
        browser = login(manager, scalekit_emulator)
        pending = Browser()
        authorize = pending.follow(manager.start_login(pending.request("/auth/login")))
        callback = scalekit_emulator.sign_in(authorize, "carol@acme.test")
        own_redis.kill()
        caplog.set_level(logging.ERROR, "scalekit_core.web")
        for _ in range(50):
            result = manager.load(browser.request("/api/me", headers=JSON))
            assert result.response is not None and result.response.status == 503
        assert errors(caplog) == [
            "session store unavailable during get: ConnectionError; answering 503 to GET /api/me"
        ]
        # A different failure (another operation) is not held back by the first one's.
        assert manager.complete_login(pending.request(callback)).status == 503
        assert len(errors(caplog)) == 2
        clock.advance(STORE_ERROR_LOG_INTERVAL + 1)
        manager.load(browser.request("/api/me", headers=JSON))
        assert errors(caplog)[-1] == (
            "session store unavailable during get: ConnectionError; answering 503 to GET "
            "/api/me (and 49 more like it since the last line)"
        )
        assert len(errors(caplog)) == 3
    store.close()


@pytest.mark.anyio
async def test_repeated_store_outage_errors_are_rate_limited_async(
    own_redis: RedisServer,
    scalekit_emulator: EmulatorHandle,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu = scalekit_emulator
    store = RedisSessionStore(own_redis.url)
    async with AsyncScalekitClient(emu.url, emu.client_id, emu.client_secret, clock=clock) as sk:
        manager = AsyncSessionManager(sk, settings(store))
        browser = Browser()
        authorize = browser.follow(await manager.start_login(browser.request("/auth/login")))
        callback = await anyio.to_thread.run_sync(emu.sign_in, authorize)
        browser.follow(await manager.complete_login(browser.request(callback)))
        own_redis.kill()
        caplog.set_level(logging.ERROR, "scalekit_core.web")

        async def one() -> None:
            result = await manager.load(browser.request("/api/me", headers=JSON))
            assert result.response is not None and result.response.status == 503

        async with anyio.create_task_group() as group:
            for _ in range(30):
                group.start_soon(one)
        assert len(errors(caplog)) == 1
        clock.advance(STORE_ERROR_LOG_INTERVAL + 1)
        await one()
        assert errors(caplog)[-1].endswith("(and 29 more like it since the last line)")
        await store.async_twin().aclose()
