"""What protecting a FastAPI endpoint costs: unprotected vs ``scalekit_fastapi`` vs the
official SDK's FastAPI helper (``scalekit.frameworks.fastapi.ScalekitAuth.requires_auth``),
in one run.

- in process: bare ASGI calls with a prepared scope, a warm session cookie (and, for ours, a
  repeated bearer token);
- over HTTP: uvicorn, one worker per app, ``wrk`` with 32 connections;
- a request that refreshes its session vs a bare refresh POST, and what a bearer token seen
  for the first time adds vs the core validating it alone.

Ours runs ``ScalekitMiddleware`` (installed by ``auth.install``) and
``Depends(auth.require_user)``. Targets: in process at most +30 µs over unprotected; over
HTTP >= 0.9x unprotected and ahead of the official helper. Everything runs against a local
emulator.

    .venv/bin/python benchmarks/fastapi_overhead.py
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations, which
# name dependencies local to ``build``.
import asyncio
import os
import time
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import overhead_kit as kit
from fastapi import Depends, FastAPI

from scalekit_fastapi import ScalekitAuth, User

LOOP = asyncio.new_event_loop()


def build(variant: str, env: Mapping[str, str]) -> FastAPI:
    """The same ``/profile`` endpoint, unprotected or behind one of the two helpers."""
    app = FastAPI()

    @app.get("/health")
    async def health() -> str:
        return "ok"

    if variant == "unprotected":

        @app.get("/profile")
        async def profile() -> dict[str, Any]:
            return {"id": "usr_alice", "org": "org_acme"}

    elif variant == "ours":
        auth = ScalekitAuth(kit.our_settings(env))
        auth.install(app)

        @app.get("/profile")
        async def our_profile(user: Annotated[User, Depends(auth.require_user)]) -> dict[str, Any]:
            return {"id": user.id, "org": user.organization_id}

    else:
        from scalekit.frameworks.fastapi import ScalekitAuth as OfficialAuth

        official = OfficialAuth(
            client=kit.official_client(env),
            redirect_uri=env["SCALEKIT_APP_BASE_URL"] + "/callback",
            cookie_encryption_secret=kit.COOKIE_SECRET,
            cookie_secure=False,
        )
        official.install(app)

        @app.get("/profile")
        async def official_profile(
            user: Annotated[dict[str, Any], Depends(official.requires_auth)],
        ) -> dict[str, Any]:
            return {"id": user.get("sub"), "org": user.get("oid")}

    return app


def served_app() -> FastAPI:
    """For uvicorn: ``--factory fastapi_overhead:served_app`` (variant in ``BENCH_VARIANT``)."""
    return build(os.environ["BENCH_VARIANT"], os.environ)


def requests_of(app: FastAPI, headers: Mapping[str, str]) -> Callable[[int], Any]:
    """A coroutine function answering ``n`` requests in a row (bare ASGI calls)."""
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/profile", "raw_path": b"/profile", "root_path": "",
        "query_string": b"", "headers": [(b"host", b"localhost:8000"), *raw],
        "client": ("127.0.0.1", 50000), "server": ("localhost", 8000),
    }  # fmt: skip
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def run(n: int) -> None:
        for _ in range(n):
            await app(dict(scope), receive, send)
        if any(status != 200 for status in statuses):
            raise RuntimeError(f"not 200: {set(statuses)}")
        statuses.clear()

    return run


def timed(app: FastAPI, headers: Mapping[str, str]) -> Callable[[int], float]:
    run = requests_of(app, headers)

    def measure(n: int) -> float:
        start = kit.cpu_clock()
        LOOP.run_until_complete(run(n))
        return kit.cpu_clock() - start

    return measure


def batch(app: FastAPI, header: str, clock: Callable[[], float]) -> Callable[[list[str]], float]:
    """Seconds to answer one request per value of ``header`` (a cookie or a bearer token)."""

    def measure(values: list[str]) -> float:
        runs = [
            requests_of(
                app, {"cookie": v} if header == "cookie" else {"authorization": f"Bearer {v}"}
            )
            for v in values
        ]

        async def all_of() -> None:
            for run in runs:
                await run(1)

        start = clock()
        LOOP.run_until_complete(all_of())
        return clock() - start

    return measure


def uvicorn(port: int) -> list[str]:
    return [
        kit.python_tool("uvicorn"),
        "--factory",
        "fastapi_overhead:served_app",
        "--host=127.0.0.1",
        f"--port={port}",
        "--workers=1",
        "--log-level=warning",
        "--no-access-log",
    ]


def main() -> None:
    with kit.emulator() as (server, env):
        apps = {name: build(name, env) for name in kit.VARIANTS}
        cookies = kit.cookie_headers(server, env)
        token = server.emulator.issue_tokens()["access_token"]
        print(f"FastAPI, {kit.ROUNDS} interleaved rounds, medians")
        kit.compare(
            "in process (bare ASGI calls), warm session cookie",
            {name: timed(app, {"cookie": cookies[name]}) for name, app in apps.items()},
        )
        bearer = {"authorization": f"Bearer {token}"}
        kit.compare(
            "in process (bare ASGI calls), repeated bearer token",
            {
                "unprotected": timed(apps["unprotected"], bearer),
                "ours": timed(apps["ours"], bearer),
            },
        )
        print("refresh and first-time bearer tokens, in process")
        settings = kit.our_settings(env)
        kit.refresh_figure(server, settings, batch(apps["ours"], "cookie", time.perf_counter))
        kit.bearer_figure(server, env, batch(apps["ours"], "bearer", kit.cpu_clock))
        commands = {name: uvicorn for name in kit.VARIANTS}
        with kit.servers(commands, env) as urls:
            kit.compare_http(
                f"over HTTP: uvicorn, wrk -c{kit.WRK_CONNECTIONS}",
                urls,
                lambda: kit.cookie_headers(server, env),
            )


if __name__ == "__main__":
    main()
