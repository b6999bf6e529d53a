"""FastAPI and a plain Starlette app (``ScalekitMiddleware``): ambiguous cookies, parameters
and headers fail closed (shared checks)."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth, get_user

from .. import request_ambiguity as checks
from ..request_ambiguity import Reply, Site
from .conftest import BASE, build_app

pytestmark = pytest.mark.anyio

_PUBLIC = {"Cache-Control": "public, max-age=600", "Vary": "Accept"}


async def whoami(request: Request) -> Response:
    user = get_user(request)
    return PlainTextResponse(f"signed in: {user.email if user else 'anonymous'}", headers=_PUBLIC)


def fastapi_app(auth: ScalekitAuth) -> Any:
    app = build_app(auth)
    app.add_route("/whoami", whoami)
    return app


def starlette_app(auth: ScalekitAuth) -> Any:
    async def api(request: Request) -> Response:
        return JSONResponse({"id": auth.require(request, api=True).id})

    return Starlette(
        routes=[Route("/whoami", whoami), Route("/api/me", api), *auth.routes],
        middleware=[auth.middleware()],
        exception_handlers=auth.exception_handlers,
        lifespan=auth.lifespan,
    )


@pytest.fixture(params=["fastapi", "starlette"])
async def site(request: pytest.FixtureRequest, auth: ScalekitAuth) -> AsyncIterator[Site]:
    app = fastapi_app(auth) if request.param == "fastapi" else starlette_app(auth)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:

        async def send(path: str, headers: list[tuple[str, str]]) -> Reply:
            client.cookies.clear()
            # Header values as the server hands them over: latin-1 strings of raw bytes.
            raw = [(name.encode(), value.encode("latin-1")) for name, value in headers]
            response = await client.get(path, headers=raw)
            return Reply(
                response.status_code,
                [(name.lower(), value) for name, value in response.headers.multi_items()],
                response.text,
            )

        yield Site(send, whoami="/whoami", api="/api/me")


async def test_repeated_session_cookies_are_anonymous_and_cleared(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_repeated_session_cookies_are_anonymous_and_cleared(site, scalekit_emulator)


async def test_unusual_cookie_names_never_cause_a_500(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_unusual_cookie_names_never_cause_a_500(site, scalekit_emulator)


async def test_repeated_callback_parameters_are_refused(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_repeated_callback_parameters_are_refused(site, scalekit_emulator)


async def test_repeated_authorization_headers_are_refused(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_repeated_authorization_headers_are_refused(
        site, scalekit_emulator, separate_lines=True
    )


async def test_session_writes_are_never_shared_cacheable(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_session_writes_are_never_shared_cacheable(site, scalekit_emulator)


async def test_callback_and_error_pages_send_no_referrer(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_callback_and_error_pages_send_no_referrer(site, scalekit_emulator)


async def test_bogus_state_says_what_happened(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_bogus_state_says_what_happened(site, scalekit_emulator)


async def test_non_ascii_return_to_is_percent_encoded(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_non_ascii_return_to_is_percent_encoded(site, scalekit_emulator)


async def test_long_return_to_keeps_the_cookie_header_small(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_long_return_to_keeps_the_cookie_header_small(site, scalekit_emulator)


async def test_replayed_callback_reaches_the_token_endpoint_once(
    site: Site, scalekit_emulator: EmulatorHandle
) -> None:
    await checks.check_replayed_callback_reaches_the_token_endpoint_once(site, scalekit_emulator)
