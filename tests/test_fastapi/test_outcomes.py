"""Outcomes in FastAPI: every failure path carries its ``Reason`` on the hooks (the
``render_error`` page hook's ``WebResponse``, the typed errors the exception handlers get),
in JSON answers and in one structured log event."""

# No postponed annotations: FastAPI evaluates the endpoints' annotations.

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from starlette.responses import HTMLResponse, Response

from scalekit_core.web import AuthenticationRequired, PermissionDenied, User, WebResponse
from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth
from tests.outcome_cases import CALLBACK_FAILURES, callback_query, events, only_event

from .conftest import BASE, HTML, JSON, asgi_client, build_app, login, relative

pytestmark = pytest.mark.anyio


class Hooks:
    def __init__(self) -> None:
        self.pages: list[str | None] = []
        self.errors: list[str] = []


@pytest.fixture
def hooks() -> Hooks:
    return Hooks()


@pytest.fixture
async def hooked_auth(env: dict[str, str], hooks: Hooks) -> AsyncIterator[ScalekitAuth]:
    def branded(request: Request, web: WebResponse) -> Response:
        hooks.pages.append(web.reason)
        return HTMLResponse(f"branded {web.reason}", status_code=web.status)

    auth = ScalekitAuth.from_env(env, render_error=branded)
    yield auth
    await auth.aclose()


@pytest.fixture
def app(hooked_auth: ScalekitAuth, hooks: Hooks) -> FastAPI:
    app = build_app(hooked_auth)
    installed = hooked_auth.exception_handlers

    async def seen(request: Request, exc: Exception) -> Response:
        reason = getattr(exc, "reason", None)
        hooks.errors.append(str(reason))
        return await installed[type(exc) if type(exc) in installed else AuthenticationRequired](
            request, exc
        )

    for error in installed:
        app.add_exception_handler(error, seen)

    @app.get("/recent")
    async def recent(
        user: Annotated[User, Depends(hooked_auth.require_recent_login(max_age=0))],
    ) -> dict[str, Any]:
        return user.to_dict()

    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


@pytest.mark.parametrize("case", sorted(CALLBACK_FAILURES))
async def test_each_callback_failure_has_its_reason_on_the_hook_and_in_the_log(
    client: httpx.AsyncClient,
    hooks: Hooks,
    scalekit_emulator: EmulatorHandle,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    status, reason = CALLBACK_FAILURES[case]
    started = await client.get("/auth/login", headers=HTML)
    query = await anyio.to_thread.run_sync(
        callback_query, case, scalekit_emulator, started.headers["location"]
    )
    with events(caplog) as records:
        response = await client.get(f"/auth/callback?{query}", headers=HTML)
    assert response.status_code == status
    assert hooks.pages == [reason]
    assert only_event(records, "sign_in_failed").reason == reason  # type: ignore[attr-defined]


async def test_guards_raise_errors_with_their_reasons(
    client: httpx.AsyncClient, hooks: Hooks, scalekit_emulator: EmulatorHandle
) -> None:
    assert (await client.get("/me", headers=JSON)).json()["reason"] == "authentication_required"
    assert (await login(client, scalekit_emulator, email="bob@acme.test")).status_code == 302
    await anyio.sleep(1.1)  # max_age=0: any sign-in is too old a second later
    assert (await client.get("/recent", headers=JSON)).json()["reason"] == (
        "reauthentication_required"
    )
    assert (await client.get("/admin", headers=JSON)).json()["reason"] == "missing_permission"
    assert hooks.errors == [
        "authentication_required",
        "reauthentication_required",
        "missing_permission",
    ]


async def test_a_revoked_session_reaches_the_handler_as_session_revoked(
    app: FastAPI,
    hooks: Hooks,
    scalekit_emulator: EmulatorHandle,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with asgi_client(app) as client:
        await login(client, scalekit_emulator)
        copied = client.cookies.get("scalekit_session")
        assert copied
        logout = await client.post("/auth/logout", headers={"origin": BASE})
        assert logout.status_code == 302
    async with asgi_client(app) as replay:
        replay.cookies.set("scalekit_session", copied)
        with events(caplog) as records:
            answer = await replay.get("/me", headers=JSON)
    assert answer.status_code == 401 and answer.json()["reason"] == "session_revoked"
    assert hooks.errors == ["session_revoked"]
    assert only_event(records, "session_ended").reason == "session_revoked"  # type: ignore[attr-defined]


async def test_sign_in_refresh_and_logout_events(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    scalekit_emulator.set_token_lifetimes(access_token=1)
    with events(caplog) as records:
        callback = await login(client, scalekit_emulator)
        assert callback.status_code == 302
        await anyio.sleep(1.1)
        assert (await client.get("/me", headers=JSON)).status_code == 200
        await client.post("/auth/logout", headers={"origin": BASE})
    for event in ("sign_in", "logout"):
        assert only_event(records, event).user_id == "usr_alice"  # type: ignore[attr-defined]
    # The token lives 1 s, less than the refresh buffer: each later request refreshes it.
    refreshes = [r for r in records if getattr(r, "event", None) == "refresh"]
    assert refreshes and all(r.user_id == "usr_alice" for r in refreshes)  # type: ignore[attr-defined]


async def test_on_login_refusal_is_access_denied(
    env: dict[str, str], scalekit_emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(user: User, auth: object) -> None:
        raise PermissionDenied("forbidden", "not here")

    auth = ScalekitAuth.from_env(env, on_login=refuse)
    try:
        async with asgi_client(build_app(auth)) as client:
            started = await client.get("/auth/login", headers=HTML)
            callback = await anyio.to_thread.run_sync(
                scalekit_emulator.sign_in, started.headers["location"]
            )
            with events(caplog) as records:
                response = await client.get(relative(callback), headers=HTML)
    finally:
        await auth.aclose()
    assert response.status_code == 403
    assert only_event(records, "sign_in_failed").reason == "access_denied"  # type: ignore[attr-defined]
