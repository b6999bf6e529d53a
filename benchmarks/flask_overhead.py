"""What protecting a Flask endpoint costs: unprotected vs ``scalekit_flask`` vs the official
SDK's Flask helper (``scalekit.frameworks.flask.ScalekitAuth.requires_auth``), in one run.

- in process: the WSGI app called directly with a prepared environ, a warm session cookie
  (and, for ours, a repeated bearer token);
- over HTTP: gunicorn, one sync worker per app, ``wrk`` with 32 connections;
- a request that refreshes its session vs a bare refresh POST, and what a bearer token seen
  for the first time adds vs the core validating it alone.

Targets: in process at most +30 µs over unprotected; over HTTP >= 0.85x unprotected and
ahead of the official helper. Everything runs against a local emulator.

    .venv/bin/python benchmarks/flask_overhead.py
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import overhead_kit as kit
from flask import Flask
from werkzeug.test import EnvironBuilder

from scalekit_flask import Scalekit, current_user, login_required


def build(variant: str, env: Mapping[str, str]) -> Flask:
    """The same ``/profile`` endpoint, unprotected or behind one of the two helpers."""
    app = Flask(__name__)
    app.config.update(env)

    @app.get("/health")
    def health() -> str:
        return "ok"

    if variant == "unprotected":

        @app.get("/profile")
        def profile() -> dict[str, Any]:
            return {"id": "usr_alice", "org": "org_acme"}

    elif variant == "ours":
        Scalekit(app)

        @app.get("/profile")
        @login_required
        def our_profile() -> dict[str, Any]:
            return {"id": current_user.id, "org": current_user.organization_id}

    else:
        from scalekit.frameworks.flask import ScalekitAuth

        auth = ScalekitAuth(
            app,
            client=kit.official_client(env),
            redirect_uri=env["SCALEKIT_APP_BASE_URL"] + "/callback",
            cookie_encryption_secret=kit.COOKIE_SECRET,
            cookie_secure=False,
        )

        @app.get("/profile")
        @auth.requires_auth
        def official_profile() -> dict[str, Any]:
            user = auth.current_user or {}
            return {"id": user.get("sub"), "org": user.get("oid")}

    return app


def served_app() -> Flask:
    """For gunicorn: ``flask_overhead:served_app()`` (variant in ``BENCH_VARIANT``)."""
    return build(os.environ["BENCH_VARIANT"], os.environ)


def caller(app: Flask, headers: Mapping[str, str], path: str = "/profile") -> Callable[[], None]:
    environ = EnvironBuilder(path=path, headers=dict(headers)).get_environ()
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    def call() -> None:
        body = app.wsgi_app(dict(environ), start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()
        if statuses.pop() != "200 OK":
            raise RuntimeError(f"{path}: not 200")

    return call


def batch(app: Flask, header: str, clock: Callable[[], float]) -> Callable[[list[str]], float]:
    """Seconds to answer one request per value of ``header`` (a cookie or a bearer token)."""

    def run(values: list[str]) -> float:
        calls = [
            caller(app, {"Cookie": v} if header == "cookie" else {"Authorization": f"Bearer {v}"})
            for v in values
        ]
        start = clock()
        for call in calls:
            call()
        return clock() - start

    return run


def gunicorn(port: int) -> list[str]:
    return [
        kit.python_tool("gunicorn"),
        "--workers=1",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        "flask_overhead:served_app()",
    ]


def main() -> None:
    with kit.emulator() as (server, env):
        apps = {name: build(name, env) for name in kit.VARIANTS}
        cookies = kit.cookie_headers(server, env)
        token = server.emulator.issue_tokens()["access_token"]
        print(f"Flask, {kit.ROUNDS} interleaved rounds, medians")
        kit.compare(
            "in process, warm session cookie",
            {name: kit.timed(caller(app, {"Cookie": cookies[name]})) for name, app in apps.items()},
        )
        bearer = {"Authorization": f"Bearer {token}"}
        kit.compare(
            "in process, repeated bearer token",
            {
                "unprotected": kit.timed(caller(apps["unprotected"], bearer)),
                "ours": kit.timed(caller(apps["ours"], bearer)),
            },
        )
        print("refresh and first-time bearer tokens, in process")
        settings = kit.our_settings(env)
        kit.refresh_figure(server, settings, batch(apps["ours"], "cookie", time.perf_counter))
        kit.bearer_figure(server, env, batch(apps["ours"], "bearer", kit.cpu_clock))
        commands = {name: gunicorn for name in kit.VARIANTS}
        with kit.servers(commands, env) as urls:
            kit.compare_http(
                f"over HTTP: gunicorn, one sync worker, wrk -c{kit.WRK_CONNECTIONS}",
                urls,
                lambda: kit.cookie_headers(server, env),
            )


if __name__ == "__main__":
    main()
