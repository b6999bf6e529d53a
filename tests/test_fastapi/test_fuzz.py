"""Fuzzing the FastAPI sample's login, callback, logout and protected routes in process (httpx
over ASGI): no 5xx and no traceback in any log, whatever the query string, cookies, headers and
method."""

# No postponed annotations, like the other modules of this folder.

from collections.abc import AsyncIterator

import anyio
import pytest
from fastapi import FastAPI
from hypothesis import given

from sample_apps.fastapi_app.app import create_app
from scalekit_emulator import EmulatorHandle
from tests.fuzzing import FuzzRequest, TracebackWatcher, check, fuzz_settings, requests, tracebacks

from .conftest import BASE, SECRET, asgi_client, login

__all__ = ["tracebacks"]


@pytest.fixture
async def sample(scalekit_emulator: EmulatorHandle) -> AsyncIterator[FastAPI]:
    app = create_app(
        {**scalekit_emulator.env(), "APP_BASE_URL": BASE, "SCALEKIT_COOKIE_SECRET": SECRET}
    )
    async with app.router.lifespan_context(app):
        yield app


async def send(app: FastAPI, request: FuzzRequest) -> int:
    # Header values as bytes: httpx would refuse latin-1 text; a fresh client per request,
    # so no cookie jar carries over between examples.
    headers = {name: value.encode("latin-1") for name, value in request.headers.items()}
    cookie = request.cookie_bytes
    if cookie is not None:
        headers["Cookie"] = cookie
    async with asgi_client(app) as client:
        response = await client.request(request.method, request.target, headers=headers)
    return response.status_code


@pytest.mark.anyio
async def test_fuzz_fastapi_routes_never_answer_5xx(
    sample: FastAPI, scalekit_emulator: EmulatorHandle, tracebacks: TracebackWatcher
) -> None:
    async with asgi_client(sample) as browser:
        done = await login(browser, scalekit_emulator, "/login")
        assert done.status_code == 302
        session_cookie = browser.cookies["scalekit_session"]
    signed_in = FuzzRequest("GET", "/api/me", "", f"scalekit_session={session_cookie}", {})
    assert await send(sample, signed_in) == 200
    token = anyio.lowlevel.current_token()

    # hypothesis drives a sync function: each example runs on this test's event loop.
    @fuzz_settings()
    @given(requests(session_cookie))
    def run(request: FuzzRequest) -> None:
        tracebacks.found.clear()  # an example that raised left its lines
        status = anyio.from_thread.run(send, sample, request, token=token)
        check(status, request, tracebacks)

    await anyio.to_thread.run_sync(run)
