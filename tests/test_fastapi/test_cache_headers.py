"""Responses that write session cookies are never cacheable by a shared cache, and the
callback and error pages never leak their URL through ``Referer`` (FastAPI, and the
pure-ASGI middleware path for responses the endpoint builds itself)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth

from .conftest import HTML, asgi_client, build_app, login

pytestmark = pytest.mark.anyio


def _public_app(auth: ScalekitAuth) -> FastAPI:
    app = build_app(auth)

    @app.get("/cached")
    async def cached() -> PlainTextResponse:
        return PlainTextResponse(
            "cacheable",
            headers={"Cache-Control": "public, max-age=3600", "Vary": "Accept-Encoding"},
        )

    return app


async def test_view_marked_public_is_private_when_session_cookies_are_written(
    auth: ScalekitAuth,
) -> None:
    async with asgi_client(_public_app(auth)) as client:
        client.cookies.set("scalekit_session", "not-a-sealed-session")
        response = await client.get("/cached", headers=HTML)
    assert response.status_code == 200
    assert response.headers.get_list("set-cookie")  # the unreadable cookie is cleared
    assert response.headers.get_list("cache-control") == ["private, no-store"]
    assert response.headers.get_list("vary") == ["Accept-Encoding, Cookie"]
    assert response.text == "cacheable"


async def test_view_keeps_its_cache_headers_when_no_cookie_is_written(auth: ScalekitAuth) -> None:
    async with asgi_client(_public_app(auth)) as client:
        response = await client.get("/cached", headers=HTML)
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert not response.headers.get_list("set-cookie")


async def test_callback_response_is_private_and_sends_no_referrer(
    client: object, auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    async with asgi_client(build_app(auth)) as http:
        done = await login(http, scalekit_emulator)
    assert done.status_code == 302
    assert done.headers["cache-control"] == "private, no-store"
    assert "Cookie" in done.headers["vary"]
    assert done.headers["referrer-policy"] == "no-referrer"


async def test_callback_error_page_sends_no_referrer(auth: ScalekitAuth) -> None:
    async with asgi_client(build_app(auth)) as client:
        page = await client.get("/auth/callback?code=abc&state=x", headers=HTML)
    assert page.status_code == 400
    assert page.headers["referrer-policy"] == "no-referrer"
