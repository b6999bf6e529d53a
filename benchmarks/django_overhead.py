"""What protecting a Django view costs: unprotected vs ``scalekit_django`` vs the official
SDK's Django helper (``scalekit.frameworks.django``: ``ScalekitAuthMiddleware`` and its
``login_required``), in one run, each behind Django's five stock middleware.

- in process: a ``WSGIHandler`` per variant called directly with a prepared environ, a warm
  session cookie (and, for ours, a repeated bearer token);
- over HTTP: gunicorn, one sync worker per variant, ``wrk`` with 32 connections;
- a request that refreshes its session vs a bare refresh POST, and what a bearer token seen
  for the first time adds vs the core validating it alone.

Targets: in process at most +25 µs over unprotected; over HTTP >= 0.85x unprotected and
ahead of the official helper. Everything runs against a local emulator.

    .venv/bin/python benchmarks/django_overhead.py
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import django
import overhead_kit as kit
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.test import RequestFactory
from django.urls import path

STOCK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
EXTRA_MIDDLEWARE = {
    "unprotected": [],
    "ours": ["scalekit_django.middleware.ScalekitMiddleware"],
    "official": ["scalekit.frameworks.django.ScalekitAuthMiddleware"],
}


def configure(env: Mapping[str, str], official_client: Any = None) -> None:
    """Django settings for every variant: ours read ``SCALEKIT_*`` as ``env`` names them, the
    official helper its own names (``SCALEKIT_ENV_URL``...)."""
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-secret-key-" + "k" * 40,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "scalekit_django",
        ],
        MIDDLEWARE=STOCK_MIDDLEWARE,
        AUTHENTICATION_BACKENDS=["scalekit_django.backends.ScalekitBackend"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
        **{name: value for name, value in env.items() if name.startswith("SCALEKIT_")},
        SCALEKIT_ENV_URL=env["SCALEKIT_ENVIRONMENT_URL"],
        SCALEKIT_REDIRECT_URI=env["SCALEKIT_APP_BASE_URL"] + "/callback",
        SCALEKIT_COOKIE_ENCRYPTION_SECRET=kit.COOKIE_SECRET,
        SCALEKIT_COOKIE_SECURE=False,
        SCALEKIT_CLIENT=official_client,
    )
    django.setup()


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def unprotected_profile(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"id": "usr_alice", "org": "org_acme"})


def urlconf(variant: str) -> Any:
    """The variant's URLconf: the same ``/profile`` path, unprotected or guarded."""
    if variant == "unprotected":
        view: Callable[..., HttpResponseBase] = unprotected_profile
    elif variant == "ours":
        from scalekit_django.decorators import scalekit_login_required

        @scalekit_login_required
        def view(request: HttpRequest) -> JsonResponse:
            user = request.scalekit  # type: ignore[attr-defined]
            return JsonResponse({"id": user.id, "org": user.organization_id})

    else:
        from scalekit.frameworks.django import login_required

        @login_required
        def view(request: HttpRequest) -> JsonResponse:
            user = request.scalekit_user  # type: ignore[attr-defined]
            return JsonResponse({"id": user.get("sub"), "org": user.get("oid")})

    module = ModuleType(f"{__name__}.urls_{variant}")
    module.urlpatterns = [path("health", health), path("profile", view)]  # type: ignore[attr-defined]
    return module


class VariantHandler(WSGIHandler):
    """A WSGI handler with the variant's middleware and URLconf (one settings object)."""

    def __init__(self, variant: str) -> None:
        self.urlconf = urlconf(variant)
        from django.test import override_settings

        with override_settings(MIDDLEWARE=STOCK_MIDDLEWARE + EXTRA_MIDDLEWARE[variant]):
            super().__init__()

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        request.urlconf = self.urlconf
        return super().get_response(request)


def served_app() -> VariantHandler:
    """For gunicorn: ``django_overhead:served_app()`` (variant in ``BENCH_VARIANT``)."""
    env = dict(os.environ)
    configure(env, kit.official_client(env))
    return VariantHandler(os.environ["BENCH_VARIANT"])


def caller(handler: VariantHandler, headers: Mapping[str, str]) -> Callable[[], None]:
    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    environ = RequestFactory().get("/profile", **meta).environ
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    def call() -> None:
        body = handler(dict(environ), start_response)
        b"".join(body)
        body.close()
        if statuses.pop() != "200 OK":
            raise RuntimeError("/profile: not 200")

    return call


def batch(
    handler: VariantHandler, header: str, clock: Callable[[], float]
) -> Callable[[list[str]], float]:
    """Seconds to answer one request per value of ``header`` (a cookie or a bearer token)."""

    def run(values: list[str]) -> float:
        calls = [
            caller(
                handler, {"Cookie": v} if header == "cookie" else {"Authorization": f"Bearer {v}"}
            )
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
        "django_overhead:served_app()",
    ]


def main() -> None:
    with kit.emulator() as (server, env):
        configure(env, kit.official_client(env))
        handlers = {name: VariantHandler(name) for name in kit.VARIANTS}
        cookies = kit.cookie_headers(server, env)
        token = server.emulator.issue_tokens()["access_token"]
        print(f"Django, {len(STOCK_MIDDLEWARE)} stock middleware, {kit.ROUNDS} rounds, medians")
        kit.compare(
            "in process (WSGI calls), warm session cookie",
            {
                name: kit.timed(caller(handler, {"Cookie": cookies[name]}))
                for name, handler in handlers.items()
            },
        )
        bearer = {"Authorization": f"Bearer {token}"}
        kit.compare(
            "in process (WSGI calls), repeated bearer token",
            {
                "unprotected": kit.timed(caller(handlers["unprotected"], bearer)),
                "ours": kit.timed(caller(handlers["ours"], bearer)),
            },
        )
        print("refresh and first-time bearer tokens, in process")
        settings_ = kit.our_settings(env)
        kit.refresh_figure(server, settings_, batch(handlers["ours"], "cookie", time.perf_counter))
        kit.bearer_figure(server, env, batch(handlers["ours"], "bearer", kit.cpu_clock))
        commands = {name: gunicorn for name in kit.VARIANTS}
        with kit.servers(commands, env) as urls:
            kit.compare_http(
                f"over HTTP: gunicorn, one sync worker, wrk -c{kit.WRK_CONNECTIONS}",
                urls,
                lambda: kit.cookie_headers(server, env),
            )


if __name__ == "__main__":
    main()
