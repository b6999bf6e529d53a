"""Throughput of a FastAPI endpoint protected by ``scalekit_fastapi`` vs the same endpoint
unprotected, measured in this run, in-process (target: protected >= 0.8x unprotected).

Both apps answer the same request (a valid cookie session from the testing kit, no refresh,
no network). The protected one runs ``ScalekitMiddleware`` (session load) and
``Depends(auth.require_user)``. Rounds alternate between the apps; medians are reported,
through httpx's ASGI transport (what a test client sees) and as bare ASGI calls (the stricter
measure: no client overhead to dilute the difference).

    .venv/bin/python benchmarks/fastapi_overhead.py
"""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI

from scalekit_core.testing import cookie_header, make_session_cookies
from scalekit_core.web import WebRequest, settings_from_mapping
from scalekit_fastapi import ScalekitAuth, User

ROUNDS = 7
REQUESTS = 600


def protected_app(auth: ScalekitAuth) -> FastAPI:
    app = FastAPI()
    auth.install(app)

    @app.get("/profile")
    async def profile(user: Annotated[User, Depends(auth.require_user)]) -> dict[str, Any]:
        return {"id": user.id, "org": user.organization_id}

    return app


def unprotected_app() -> FastAPI:
    app = FastAPI()

    @app.get("/profile")
    async def profile() -> dict[str, Any]:
        return {"id": "usr_alice", "org": "org_acme"}

    return app


def via_httpx(app: FastAPI, headers: dict[str, str]) -> Callable[[], Awaitable[float]]:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://app.example"
    )

    async def run() -> float:
        start = time.perf_counter()
        for _ in range(REQUESTS):
            response = await client.get("/profile", headers=headers)
            assert response.status_code == 200, response.text
        return REQUESTS / (time.perf_counter() - start)

    return run


def via_asgi(app: FastAPI, headers: dict[str, str]) -> Callable[[], Awaitable[float]]:
    raw = [(name.encode(), value.encode()) for name, value in headers.items()]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "https", "path": "/profile", "raw_path": b"/profile", "root_path": "",
        "query_string": b"", "headers": [(b"host", b"app.example"), *raw],
        "client": ("127.0.0.1", 50000), "server": ("app.example", 443),
    }  # fmt: skip
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def run() -> float:
        statuses.clear()
        start = time.perf_counter()
        for _ in range(REQUESTS):
            await app(dict(scope), receive, send)
        elapsed = time.perf_counter() - start
        assert statuses == [200] * REQUESTS, set(statuses)
        return REQUESTS / elapsed

    return run


async def compare(
    label: str, protected: Callable[[], Awaitable[float]], plain: Callable[[], Awaitable[float]]
) -> None:
    await protected(), await plain()  # warm-up
    guarded: list[float] = []
    baseline: list[float] = []
    for index in range(ROUNDS):
        pair = (protected, plain) if index % 2 == 0 else (plain, protected)
        for run in pair:
            (guarded if run is protected else baseline).append(await run())
    guarded_rps, baseline_rps = statistics.median(guarded), statistics.median(baseline)
    print(f"{label}")
    print(f"  protected (session cookie) : {guarded_rps:9.0f} req/s")
    print(f"  unprotected                : {baseline_rps:9.0f} req/s")
    print(f"  ratio protected/unprotected: {guarded_rps / baseline_rps:9.2f}  (target >= 0.80)")
    print(f"  added per request          : {(1 / guarded_rps - 1 / baseline_rps) * 1e6:9.0f} µs")


async def main() -> None:
    settings = settings_from_mapping(
        {
            "SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev",
            "SCALEKIT_CLIENT_ID": "skc_benchmark",
            "SCALEKIT_CLIENT_SECRET": "benchmark-client-secret",
            "SCALEKIT_APP_BASE_URL": "https://app.example",
            "SCALEKIT_COOKIE_SECRET": "benchmark-cookie-secret-" + "c" * 32,
        }
    )
    auth = ScalekitAuth(settings)
    cookies = make_session_cookies(
        settings.session,
        user_id="usr_alice",
        email="alice@acme.test",
        roles=["admin"],
        permissions=["organization:settings", "users:read", "users:write"],
        organization_id="org_acme",
        refresh_token="rt_" + "r" * 40,
    )
    headers = {"accept": "application/json", "cookie": cookie_header(cookies)}
    guarded, plain = protected_app(auth), unprotected_app()
    print(f"{ROUNDS} interleaved rounds of {REQUESTS} sequential requests each, medians")
    await compare(
        "httpx.AsyncClient over ASGITransport",
        via_httpx(guarded, headers),
        via_httpx(plain, headers),
    )
    await compare("bare ASGI calls", via_asgi(guarded, headers), via_asgi(plain, headers))
    # The share of the added time spent in the core's session load alone.
    request = WebRequest("GET", "/profile", "", headers, cookies)
    start = time.perf_counter()
    for _ in range(REQUESTS):
        await auth.manager.load(request)
    load_us = (time.perf_counter() - start) / REQUESTS * 1e6
    print(f"of which AsyncSessionManager.load() alone: {load_us:.0f} µs per request")
    await auth.aclose()


if __name__ == "__main__":
    asyncio.run(main())
