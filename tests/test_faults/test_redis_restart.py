"""Redis killed and restarted under concurrent traffic: the sample apps answer 503 while it is
down and 200 as soon as it is back (pooled connections made stale by the restart are retried
on fresh ones), with every session intact (an fsync'd append-only file, as in production).

FastAPI (the async store, one pool per event loop) and Flask (the blocking store, threads)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest
from flask import Flask

from sample_apps.fastapi_app.app import create_app as create_fastapi_app
from sample_apps.flask_app import create_app as create_flask_app
from scalekit_emulator import EmulatorHandle
from tests.redis_server import RedisServer, redis_prefix, require_redis_server
from tests.test_fastapi.conftest import BASE, SECRET, asgi_client
from tests.test_fastapi.conftest import login as fastapi_login
from tests.test_flask.conftest import COOKIE_SECRET
from tests.test_flask.conftest import login as flask_login

pytestmark = pytest.mark.redis
__all__ = ["redis_prefix"]

REQUESTS = 40
JSON = {"accept": "application/json"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(require_redis_server(), persist_dir=tmp_path).start()
    yield server
    server.stop()


@pytest.mark.anyio
async def test_fastapi_redis_restart_gives_no_503_once_redis_is_back(
    own_redis: RedisServer, scalekit_emulator: EmulatorHandle, redis_prefix: str
) -> None:
    emu = scalekit_emulator
    app = create_fastapi_app(
        {
            **emu.env(),
            "APP_BASE_URL": BASE,
            "SCALEKIT_COOKIE_SECRET": SECRET,
            "SCALEKIT_REDIS_URL": own_redis.url,
            "SCALEKIT_REDIS_PREFIX": redis_prefix,
        }
    )
    async with app.router.lifespan_context(app), asgi_client(app) as browser:
        done = await fastapi_login(browser, emu, "/login")
        assert done.status_code == 302, done.text
        cookie = {"cookie": f"scalekit_session={browser.cookies['scalekit_session']}", **JSON}
        browser.cookies.clear()

        async def burst() -> tuple[Counter[int], set[str]]:
            statuses: Counter[int] = Counter()
            emails: set[str] = set()

            async def one() -> None:
                response = await browser.get("/api/me", headers=cookie)
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    emails.add(response.json()["email"])

            async with anyio.create_task_group() as group:
                for _ in range(REQUESTS):
                    group.start_soon(one)
            return statuses, emails

        # Many pooled connections open, then all made stale by the restart.
        assert await burst() == (Counter({200: REQUESTS}), {"alice@acme.test"})
        own_redis.kill()
        down, _ = await burst()
        assert down == Counter({503: REQUESTS})
        own_redis.start()
        assert await burst() == (Counter({200: REQUESTS}), {"alice@acme.test"})
        # A restart between two bursts: every pooled connection is stale, none was dropped
        # by a failed request in between.
        own_redis.kill()
        own_redis.start()
        assert await burst() == (Counter({200: REQUESTS}), {"alice@acme.test"})


def _flask_sample(emu: EmulatorHandle, redis: RedisServer, prefix: str) -> Flask:
    """The Flask sample on the emulator, its sessions in ``redis``."""
    return create_flask_app(
        {
            **emu.env(),
            "APP_BASE_URL": "http://localhost",
            "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET,
            "SCALEKIT_REDIS_URL": redis.url,
            "SCALEKIT_REDIS_PREFIX": prefix,
            "TESTING": True,
        }
    )


def test_flask_redis_restart_gives_no_503_once_redis_is_back(
    own_redis: RedisServer, scalekit_emulator: EmulatorHandle, redis_prefix: str
) -> None:
    emu = scalekit_emulator
    app = _flask_sample(emu, own_redis, redis_prefix)
    browser = app.test_client()
    flask_login(browser, emu, start="/login")
    found = browser.get_cookie("scalekit_session")
    assert found is not None

    def one(_: int) -> tuple[int, str | None]:
        client = app.test_client()  # one per thread: a test client is not thread-safe
        client.set_cookie("scalekit_session", found.value)
        response = client.get("/api/me", headers=JSON)
        body = response.get_json(silent=True) or {}
        return response.status_code, body.get("email")

    def burst() -> tuple[Counter[int], set[str | None]]:
        with ThreadPoolExecutor(REQUESTS // 2) as pool:
            results = list(pool.map(one, range(REQUESTS)))
        statuses = Counter(status for status, _ in results)
        return statuses, {email for status, email in results if status == 200}

    assert burst() == (Counter({200: REQUESTS}), {"alice@acme.test"})
    own_redis.kill()
    assert burst()[0] == Counter({503: REQUESTS})
    own_redis.start()
    assert burst() == (Counter({200: REQUESTS}), {"alice@acme.test"})
    own_redis.kill()
    own_redis.start()
    assert burst() == (Counter({200: REQUESTS}), {"alice@acme.test"})


def test_redis_outage_still_gives_a_clean_503_when_every_connection_fails(
    own_redis: RedisServer, scalekit_emulator: EmulatorHandle, redis_prefix: str
) -> None:
    """The one retry is on a fresh connection: with Redis gone it fails too, at once."""
    app = _flask_sample(scalekit_emulator, own_redis, redis_prefix)
    browser = app.test_client()
    flask_login(browser, scalekit_emulator, start="/login")
    own_redis.kill()
    started = time.monotonic()
    response = browser.get("/api/me", headers=JSON)
    assert time.monotonic() - started < 2.0  # refused connections, not timeouts
    assert response.status_code == 503
    assert response.get_json()["error"] == "session_store_unavailable"
    assert response.headers["Retry-After"] == "5"
