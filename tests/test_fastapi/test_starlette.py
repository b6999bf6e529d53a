"""A plain Starlette app (no FastAPI): the same middleware, routes and error handlers."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth, get_user

from .conftest import BASE, HTML, JSON, asgi_client, login, set_cookie_names

pytestmark = pytest.mark.anyio


def starlette_app(auth: ScalekitAuth) -> Starlette:
    async def home(request: Request) -> Response:
        user = get_user(request)
        return PlainTextResponse(f"hello {user.email if user else 'anonymous'}")

    async def reports(request: Request) -> Response:
        user = auth.require(request, permissions=["users:write"])
        return JSONResponse({"id": user.id})

    return Starlette(
        routes=[Route("/", home), Route("/reports", reports), *auth.routes],
        middleware=[auth.middleware()],
        exception_handlers=auth.exception_handlers,
        lifespan=auth.lifespan,
    )


async def test_starlette_login_user_guards_logout(
    env: dict[str, str], scalekit_emulator: EmulatorHandle
) -> None:
    auth = ScalekitAuth.from_env(env)
    async with auth.lifespan(), asgi_client(starlette_app(auth)) as http:
        assert (await http.get("/")).text == "hello anonymous"
        assert (await http.get("/reports", headers=JSON)).status_code == 401
        redirected = await http.get("/reports", headers=HTML)
        assert redirected.headers["location"] == "/auth/login?return_to=%2Freports"
        done = await login(http, scalekit_emulator, redirected.headers["location"])
        assert done.headers["location"] == "/reports"
        assert (await http.get("/")).text == "hello alice@acme.test"
        assert (await http.get("/reports", headers=JSON)).json() == {"id": "usr_alice"}
        out = await http.post("/auth/logout", headers={"origin": BASE})
        assert out.status_code == 302 and "scalekit_session" in set_cookie_names(out)
        assert (await http.get("/")).text == "hello anonymous"
        http.cookies.clear()
        await login(http, scalekit_emulator, email="bob@acme.test")
        denied = await http.get("/reports", headers=HTML)
        assert denied.status_code == 403 and "text/html" in denied.headers["content-type"]


async def test_install_works_on_a_plain_starlette_app(
    env: dict[str, str], scalekit_emulator: EmulatorHandle
) -> None:
    auth = ScalekitAuth.from_env(env)

    async def home(request: Request) -> Response:
        user = get_user(request)
        return PlainTextResponse(user.id if user else "-")

    app = Starlette(routes=[Route("/", home)], lifespan=auth.lifespan)
    auth.install(app)
    async with auth.lifespan(), asgi_client(app) as http:
        await login(http, scalekit_emulator)
        assert (await http.get("/")).text == "usr_alice"


async def test_refresh_cookie_reaches_a_starlette_response(
    env: dict[str, str], scalekit_emulator: EmulatorHandle
) -> None:
    scalekit_emulator.set_token_lifetimes(access_token=30)
    auth = ScalekitAuth.from_env(env)
    async with auth.lifespan(), asgi_client(starlette_app(auth)) as http:
        await login(http, scalekit_emulator)
        response = await http.get("/")
        assert response.text == "hello alice@acme.test"
        assert "scalekit_session" in set_cookie_names(response)
        assert scalekit_emulator.token_calls("refresh_token") == 1


def test_get_user_without_the_middleware_is_a_clear_error() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})
    with pytest.raises(RuntimeError, match="ScalekitMiddleware"):
        get_user(request)


async def test_lifespan_closes_the_client(env: dict[str, str]) -> None:
    auth = ScalekitAuth.from_env(env)
    async with auth.lifespan():
        assert not auth.client._http.is_closed
    assert auth.client._http.is_closed
