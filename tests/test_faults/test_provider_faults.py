"""Provider faults, injected with the emulator's fault controls, for each call the web layer
makes: the login's token exchange, its JWKS fetch, a session refresh, and the management API.

Every fault (an error status, a body that is not JSON or is too deep or too large, a delay past
the read timeout, a refused connection) is answered in bounded time with the documented status
(the 503 "Sign-in is unavailable" page with its title and message, a session kept through a
failed refresh) and never a 500; once the fault is gone, everything works again. The FastAPI
sample (asyncio) and the Flask sample (blocking), then the management client's twins."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from flask import Flask
from flask.testing import FlaskClient

from sample_apps.fastapi_app.app import create_app as create_fastapi_app
from sample_apps.flask_app import create_app as create_flask_app
from scalekit_core import AsyncScalekitClient, ScalekitClient, ScalekitError
from scalekit_emulator import EmulatorHandle
from tests.processes import free_port
from tests.test_fastapi.conftest import BASE, SECRET, asgi_client, relative
from tests.test_flask.conftest import COOKIE_SECRET, path_of

READ_TIMEOUT = 0.5
#: A fault's answer may take a few idempotent retries of a timed-out read, never much more.
BOUND = 6.0
HTML = {"accept": "text/html"}
JSON = {"accept": "application/json"}
#: How long a transient refresh failure is shared before the provider is asked again.
TRANSIENT_TTL = 5.1
SIGN_IN_UNAVAILABLE = "Sign-in is unavailable"
UNAVAILABLE_MESSAGE = "The identity provider could not be reached."


@dataclass(frozen=True)
class Fault:
    status: int | None = None
    body: str | None = None
    delay: float = 0.0


FAULTS = {
    "500": Fault(500),
    "502 html": Fault(502, "<html><body>Bad gateway</body></html>"),
    "503": Fault(503),
    "not json": Fault(200, "this is not json"),
    "deep arrays": Fault(200, "[" * 100_000),
    "deep objects": Fault(200, '{"a":' * 40 + "1" + "}" * 40),
    "oversized": Fault(200, '{"a":"' + "x" * (5 * 1024 * 1024) + '"}'),
    "slow": Fault(delay=READ_TIMEOUT * 3),
}


def inject(emu: EmulatorHandle, path: str, fault: Fault) -> None:
    # Enough uses for every retry of an idempotent call; cleared before the recovery.
    emu.inject_fault(path, status=fault.status, body=fault.body, delay=fault.delay, count=10)


def env(emu: EmulatorHandle, **extra: str) -> dict[str, str]:
    return {**emu.env(), "SCALEKIT_READ_TIMEOUT": str(READ_TIMEOUT), **extra}


def assert_sign_in_unavailable(status: int, text: str) -> None:
    assert status == 503, text[:500]
    assert f"<h1>{SIGN_IN_UNAVAILABLE}</h1>" in text  # the page's title and message, not blank
    assert UNAVAILABLE_MESSAGE in text


@pytest.fixture(autouse=True)
def _recover(scalekit_emulator: EmulatorHandle) -> Iterator[None]:
    yield
    scalekit_emulator.clear_faults()


# --- FastAPI sample (asyncio) ------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def fastapi_browser(scalekit_emulator: EmulatorHandle) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_fastapi_app(
        env(scalekit_emulator, APP_BASE_URL=BASE, SCALEKIT_COOKIE_SECRET=SECRET)
    )
    async with app.router.lifespan_context(app), asgi_client(app) as browser:
        yield browser


async def fastapi_callback(browser: httpx.AsyncClient, emu: EmulatorHandle) -> str:
    started = await browser.get("/login", headers=HTML)
    assert started.status_code == 302
    location = started.headers["location"]
    return relative(await anyio.to_thread.run_sync(emu.sign_in, location))


async def fastapi_login(browser: httpx.AsyncClient, emu: EmulatorHandle) -> None:
    done = await browser.get(await fastapi_callback(browser, emu), headers=HTML)
    assert done.status_code == 302, done.text
    assert "scalekit_session" in browser.cookies


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/oauth/token", "/keys"], ids=["token", "jwks"])
@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
async def test_fastapi_login_provider_fault_is_a_503_page_then_recovers(
    fastapi_browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle, path: str, fault: Fault
) -> None:
    emu = scalekit_emulator
    callback = await fastapi_callback(fastapi_browser, emu)
    inject(emu, path, fault)
    started = time.monotonic()
    page = await fastapi_browser.get(callback, headers=HTML)
    assert time.monotonic() - started < BOUND
    assert_sign_in_unavailable(page.status_code, page.text)
    assert page.headers["retry-after"] == "5"
    assert "scalekit_session" not in fastapi_browser.cookies
    emu.clear_faults()
    await fastapi_login(fastapi_browser, emu)
    me = await fastapi_browser.get("/api/me", headers=JSON)
    assert me.status_code == 200 and me.json()["email"] == "alice@acme.test"


@pytest.mark.anyio
@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
async def test_fastapi_refresh_provider_fault_keeps_the_session(
    fastapi_browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle, fault: Fault
) -> None:
    emu = scalekit_emulator
    emu.set_token_lifetimes(access_token=30)  # valid, but inside the refresh buffer
    await fastapi_login(fastapi_browser, emu)
    emu.set_token_lifetimes(access_token=3600)
    refreshes = emu.token_calls("refresh_token")
    inject(emu, "/oauth/token", fault)
    started = time.monotonic()
    me = await fastapi_browser.get("/api/me", headers=JSON)
    assert time.monotonic() - started < BOUND
    # The refresh failed, the access token is still valid: served, the session kept.
    assert me.status_code == 200, me.text
    emu.clear_faults()
    again = await fastapi_browser.get("/api/me", headers=JSON)
    assert again.status_code == 200 and again.json()["email"] == "alice@acme.test"
    if fault.status == 500:  # once per framework: a failure is shared only briefly
        await anyio.sleep(TRANSIENT_TTL)
        renewed = await fastapi_browser.get("/api/me", headers=JSON)
        assert renewed.status_code == 200
        assert emu.token_calls("refresh_token") == refreshes + 1


# --- Flask sample (blocking) -------------------------------------------------------------------


@pytest.fixture
def flask_browser(scalekit_emulator: EmulatorHandle) -> FlaskClient:
    app: Flask = create_flask_app(
        {
            **env(scalekit_emulator),
            "APP_BASE_URL": "http://localhost",
            "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET,
            "TESTING": True,
        }
    )
    return app.test_client()


def flask_callback(browser: FlaskClient, emu: EmulatorHandle) -> str:
    started = browser.get("/login", headers=HTML)
    assert started.status_code == 302
    return path_of(emu.sign_in(started.headers["Location"]))


def flask_login(browser: FlaskClient, emu: EmulatorHandle) -> None:
    done = browser.get(flask_callback(browser, emu), headers=HTML)
    assert done.status_code == 302, done.get_data(as_text=True)
    assert browser.get_cookie("scalekit_session") is not None


@pytest.mark.parametrize("path", ["/oauth/token", "/keys"], ids=["token", "jwks"])
@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_flask_login_provider_fault_is_a_503_page_then_recovers(
    flask_browser: FlaskClient, scalekit_emulator: EmulatorHandle, path: str, fault: Fault
) -> None:
    emu = scalekit_emulator
    callback = flask_callback(flask_browser, emu)
    inject(emu, path, fault)
    started = time.monotonic()
    page = flask_browser.get(callback, headers=HTML)
    assert time.monotonic() - started < BOUND
    assert_sign_in_unavailable(page.status_code, page.get_data(as_text=True))
    assert page.headers["Retry-After"] == "5"
    assert flask_browser.get_cookie("scalekit_session") is None
    emu.clear_faults()
    flask_login(flask_browser, emu)
    me = flask_browser.get("/api/me", headers=JSON)
    assert me.status_code == 200 and me.get_json()["email"] == "alice@acme.test"


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_flask_refresh_provider_fault_keeps_the_session(
    flask_browser: FlaskClient, scalekit_emulator: EmulatorHandle, fault: Fault
) -> None:
    emu = scalekit_emulator
    emu.set_token_lifetimes(access_token=30)
    flask_login(flask_browser, emu)
    emu.set_token_lifetimes(access_token=3600)
    refreshes = emu.token_calls("refresh_token")
    inject(emu, "/oauth/token", fault)
    started = time.monotonic()
    me = flask_browser.get("/api/me", headers=JSON)
    assert time.monotonic() - started < BOUND
    assert me.status_code == 200, me.get_data(as_text=True)
    emu.clear_faults()
    again = flask_browser.get("/api/me", headers=JSON)
    assert again.status_code == 200 and again.get_json()["email"] == "alice@acme.test"
    if fault.status == 500:
        time.sleep(TRANSIENT_TTL)
        renewed = flask_browser.get("/api/me", headers=JSON)
        assert renewed.status_code == 200
        assert emu.token_calls("refresh_token") == refreshes + 1


# --- refused connections -----------------------------------------------------------------------


def test_provider_refusing_connections_is_a_503_sign_in_page(
    scalekit_emulator: EmulatorHandle,
) -> None:
    """The sign-in starts (its URL is built locally); the callback's exchange is refused."""
    dead = f"http://127.0.0.1:{free_port()}"
    app = create_flask_app(
        {
            **env(scalekit_emulator),
            "SCALEKIT_ENVIRONMENT_URL": dead,
            "APP_BASE_URL": "http://localhost",
            "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET,
            "TESTING": True,
        }
    )
    browser = app.test_client()
    started = browser.get("/login", headers=HTML)
    assert started.status_code == 302 and started.headers["Location"].startswith(dead)
    state = started.headers["Location"].split("state=", 1)[1].split("&", 1)[0]
    begun = time.monotonic()
    page = browser.get(f"/auth/callback?code=abc&state={state}", headers=HTML)
    assert time.monotonic() - begun < BOUND
    assert_sign_in_unavailable(page.status_code, page.get_data(as_text=True))


# --- management API (both twins) ---------------------------------------------------------------

MANAGEMENT_FAULTS = {**FAULTS, "400 html": Fault(400, "<html>nope</html>")}


@pytest.mark.parametrize("path", ["/api/v1/organizations", "/oauth/token"], ids=["api", "token"])
@pytest.mark.parametrize("fault", MANAGEMENT_FAULTS.values(), ids=MANAGEMENT_FAULTS.keys())
def test_management_provider_fault_is_a_scalekit_error_then_recovers(
    scalekit_emulator: EmulatorHandle, path: str, fault: Fault
) -> None:
    emu = scalekit_emulator
    with ScalekitClient(
        emu.url, emu.client_id, emu.client_secret, read_timeout=READ_TIMEOUT
    ) as client:
        inject(emu, path, fault)
        started = time.monotonic()
        with pytest.raises(ScalekitError):
            client.organization.list_organizations(page_size=5)
        assert time.monotonic() - started < BOUND * 2  # token call + API call, each retried
        emu.clear_faults()
        assert client.organization.list_organizations(page_size=5).organizations


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/api/v1/organizations", "/oauth/token"], ids=["api", "token"])
@pytest.mark.parametrize("fault", MANAGEMENT_FAULTS.values(), ids=MANAGEMENT_FAULTS.keys())
async def test_management_provider_fault_is_a_scalekit_error_then_recovers_async(
    scalekit_emulator: EmulatorHandle, path: str, fault: Fault
) -> None:
    emu = scalekit_emulator
    async with AsyncScalekitClient(
        emu.url, emu.client_id, emu.client_secret, read_timeout=READ_TIMEOUT
    ) as client:
        inject(emu, path, fault)
        started = time.monotonic()
        with pytest.raises(ScalekitError):
            await client.organization.list_organizations(page_size=5)
        assert time.monotonic() - started < BOUND * 2
        emu.clear_faults()
        page: Any = await client.organization.list_organizations(page_size=5)
        assert page.organizations


def test_management_refused_connection_is_a_scalekit_connection_error() -> None:
    from scalekit_core import ScalekitConnectionError

    with ScalekitClient(f"http://127.0.0.1:{free_port()}", "skc_x", "secret") as client:
        started = time.monotonic()
        with pytest.raises(ScalekitConnectionError):
            client.organization.list_organizations()
        assert time.monotonic() - started < BOUND * 2
