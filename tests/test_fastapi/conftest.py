"""Fixtures of the FastAPI/Starlette adapter tests: an app on the emulator, httpx over ASGI."""

# No postponed annotations: FastAPI evaluates the endpoints' annotations, which use locals.

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio
import anyio.lowlevel
import httpx
import pytest
from fastapi import Depends, FastAPI, Security
from fastapi.responses import JSONResponse, StreamingResponse

from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth, User

BASE = "http://127.0.0.1:8000"
SECRET = "fastapi-test-cookie-secret-" + "x" * 32


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def env(scalekit_emulator: EmulatorHandle) -> dict[str, str]:
    return {
        **scalekit_emulator.env(),
        "SCALEKIT_APP_BASE_URL": BASE,
        "SCALEKIT_COOKIE_SECRET": SECRET,
    }


def build_app(auth: ScalekitAuth) -> FastAPI:
    """A small API exercising every dependency, plus responses built by endpoints."""
    app = FastAPI(lifespan=auth.lifespan)
    auth.install(app)
    CurrentUser = Annotated[User, Depends(auth.require_user)]

    @app.get("/public")
    async def public() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, Any]:
        return user.to_dict()

    @app.get("/api/me")
    async def api_me(user: Annotated[User, Depends(auth.require_api_user)]) -> dict[str, Any]:
        return user.to_dict()

    @app.get("/maybe")
    async def maybe(user: Annotated[User | None, Depends(auth.optional_user)]) -> dict[str, Any]:
        return {"user": user.id if user else None}

    @app.get("/scoped")
    async def scoped(user: Annotated[User, Security(auth.require_user, scopes=["email"])]) -> str:
        return user.id

    @app.get("/over-scoped")
    async def over_scoped(
        user: Annotated[User, Security(auth.require_user, scopes=["billing:write"])],
    ) -> str:
        return user.id

    @app.get("/admin")
    async def admin(
        user: Annotated[User, Depends(auth.require_permission("organization:settings"))],
    ) -> str:
        return user.id

    @app.get("/admins-only")
    async def admins_only(user: Annotated[User, Depends(auth.require_role("admin"))]) -> str:
        return user.id

    @app.get("/acme")
    async def acme(user: Annotated[User, Depends(auth.require_organization("org_acme"))]) -> str:
        return user.id

    @app.get("/custom")
    async def custom(user: CurrentUser) -> JSONResponse:
        response = JSONResponse({"id": user.id})
        response.set_cookie("theme", "dark")
        return response

    @app.get("/stream")
    async def stream(user: CurrentUser) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for index in range(3):
                await anyio.lowlevel.checkpoint()
                yield f"chunk{index};".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/boom")
    async def boom(user: CurrentUser) -> str:
        raise RuntimeError("an endpoint bug")

    return app


@pytest.fixture
async def auth(env: dict[str, str]) -> AsyncIterator[ScalekitAuth]:
    auth = ScalekitAuth.from_env(env)
    yield auth
    await auth.aclose()


@pytest.fixture
def app(auth: ScalekitAuth) -> FastAPI:
    return build_app(auth)


def asgi_client(app: Any, *, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    """``raise_app_exceptions=False``: a crash is answered as a browser would see it."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url=BASE)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


HTML = {"accept": "text/html"}
JSON = {"accept": "application/json"}


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def sign_in(emu: EmulatorHandle, authorize_url: str, email: str) -> str:
    """The browser's part at the emulator (a blocking httpx client, so off the event loop)."""
    sign_in_as: Callable[[str, str], str] = emu.sign_in
    return await anyio.to_thread.run_sync(sign_in_as, authorize_url, email)


async def login(
    client: httpx.AsyncClient,
    emu: EmulatorHandle,
    start: str = "/auth/login",
    email: str = "alice@acme.test",
) -> httpx.Response:
    """Start, sign in at the emulator, complete; returns the callback's response."""
    started = await client.get(start, headers=HTML)
    assert started.status_code == 302, started.text
    callback = await sign_in(emu, started.headers["location"], email)
    return await client.get(relative(callback), headers=HTML)


def set_cookie_names(response: httpx.Response) -> list[str]:
    return [value.split("=", 1)[0] for value in response.headers.get_list("set-cookie")]
