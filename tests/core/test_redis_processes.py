"""The issue's multi-process test: the FastAPI sample app under ``uvicorn --workers 4``, all
sharing one Redis; 200 concurrent requests holding one session whose access token has expired
get 200, and the emulator's token endpoint sees exactly one refresh."""

from __future__ import annotations

import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from scalekit_emulator import EmulatorHandle
from tests.processes import answers, free_port, start_process, wait_until
from tests.redis_server import RedisServer, redis_prefix, redis_server

pytestmark = pytest.mark.redis
__all__ = ["redis_prefix", "redis_server"]

WORKERS = 4
REQUESTS = 200


@pytest.fixture
def app_url(
    scalekit_emulator: EmulatorHandle,
    redis_server: RedisServer,
    redis_prefix: str,
    tmp_path: Path,
) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **scalekit_emulator.env(),
        "SCALEKIT_APP_BASE_URL": url,
        "SCALEKIT_COOKIE_SECRET": "multi-process-test-secret-" + "x" * 32,
        "SCALEKIT_REDIS_URL": redis_server.url,
        "SCALEKIT_REDIS_PREFIX": redis_prefix,
    }
    process = start_process(
        "uvicorn",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "sample_apps.fastapi_app.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--no-access-log",
        ],
        env,
        tmp_path,  # uvicorn.log, shown when the test fails
    )

    def all_workers_serve() -> bool:
        log = process.output()
        started = set(re.findall(r"Started server process \[(\d+)\]", log))
        ready = log.count("Application startup complete") >= WORKERS
        return len(started) == WORKERS and ready and answers(url + "/", 200)

    try:
        wait_until(process, all_workers_serve, f"serving with {WORKERS} workers")
        yield url
    finally:
        process.stop()


def sign_in(app_url: str, emu: EmulatorHandle) -> str:
    """A real login through the app; returns the session cookie's value."""
    with httpx.Client(base_url=app_url, timeout=10) as browser:
        start = browser.get("/login", follow_redirects=False)
        assert start.status_code == 302, start.text
        callback = emu.sign_in(start.headers["location"])
        done = browser.get(callback, follow_redirects=False)
        assert done.status_code == 302, done.text
        cookie = browser.cookies.get("scalekit_session")
    assert cookie is not None and len(cookie) < 100  # a signed id: the session is in Redis
    return cookie


def test_four_workers_two_hundred_requests_one_refresh(
    app_url: str, scalekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emu = scalekit_emulator
    emu.set_token_lifetimes(access_token=1)
    cookie = sign_in(app_url, emu)
    emu.set_token_lifetimes(access_token=3600)  # the refreshed token stays fresh
    time.sleep(1.5)  # the session's access token has now expired
    assert emu.token_calls("refresh_token") == 0

    async def fire() -> list[httpx.Response]:
        responses: list[httpx.Response] = []
        limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=app_url, timeout=30, limits=limits) as client:

            async def one() -> None:
                responses.append(
                    await client.get(
                        "/api/me",
                        headers={
                            "cookie": f"scalekit_session={cookie}",
                            "accept": "application/json",
                        },
                    )
                )

            async with anyio.create_task_group() as group:
                for _ in range(REQUESTS):
                    group.start_soon(one)
        return responses

    responses = anyio.run(fire)
    statuses = Counter(r.status_code for r in responses)
    # Uvicorn hands connections to workers unevenly: one may take most of the burst.
    assert statuses == {200: REQUESTS}, (tmp_path / "uvicorn.log").read_text()[-3000:]
    assert {r.json()["email"] for r in responses} == {"alice@acme.test"}
    assert emu.token_calls("refresh_token") == 1
