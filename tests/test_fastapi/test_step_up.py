"""Step-up sign-in in FastAPI: the login route forwards ``prompt``/``max_age``/``acr_values``,
and ``Depends(auth.require_recent_login(max_age=...))`` forces a fresh sign-in."""

# No postponed annotations: FastAPI evaluates the endpoints' annotations.

from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import Depends, FastAPI

from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth, User

from .conftest import HTML, JSON, asgi_client, build_app, login, relative, sign_in

pytestmark = pytest.mark.anyio
MAX_AGE = 30


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def app(auth: ScalekitAuth) -> FastAPI:
    app = build_app(auth)

    @app.get("/recent")
    async def recent(
        user: Annotated[User, Depends(auth.require_recent_login(max_age=MAX_AGE))],
    ) -> dict[str, Any]:
        return user.to_dict()

    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


async def old_login(client: httpx.AsyncClient, emu: EmulatorHandle, age: float = 100) -> None:
    emu.set_clock_offset(-age)
    try:
        assert (await login(client, emu)).status_code == 302
    finally:
        emu.set_clock_offset(0)


async def test_login_route_forwards_step_up_parameters(client: httpx.AsyncClient) -> None:
    started = await client.get("/auth/login?prompt=login&max_age=5&acr_values=mfa", headers=HTML)
    sent = query(started.headers["location"])
    assert (sent["prompt"], sent["max_age"], sent["acr_values"]) == ("login", "5", "mfa")


@pytest.mark.parametrize("bad", ["prompt=sudo", "max_age=-1", "max_age=x", "max_age=1&max_age=1"])
async def test_malformed_step_up_parameters_are_a_clean_400(
    client: httpx.AsyncClient, bad: str
) -> None:
    response = await client.get(f"/auth/login?{bad}", headers=HTML)
    assert response.status_code == 400 and "set-cookie" not in response.headers


async def test_old_sign_in_goes_through_a_forced_sign_in_and_back(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await old_login(client, scalekit_emulator)
    me = (await client.get("/me", headers=JSON)).json()
    assert me["auth_time"] < scalekit_emulator.emulator.now() - 90
    bounced = await client.get("/recent", headers=HTML)
    assert bounced.status_code == 302
    assert query(bounced.headers["location"]) == {
        "return_to": "/recent",
        "prompt": "login",
        "max_age": str(MAX_AGE),
    }
    started = await client.get(relative(bounced.headers["location"]), headers=HTML)
    assert query(started.headers["location"])["prompt"] == "login"
    callback = await sign_in(scalekit_emulator, started.headers["location"], "alice@acme.test")
    back = await client.get(relative(callback), headers=HTML)
    assert back.status_code == 302 and back.headers["location"] == "/recent"
    assert (await client.get("/recent", headers=HTML)).status_code == 200


async def test_old_sign_in_on_an_api_call_is_a_401_with_insufficient_user_authentication(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await old_login(client, scalekit_emulator)
    response = await client.get("/recent", headers=JSON)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert 'error="insufficient_user_authentication"' in challenge
    assert f'max_age="{MAX_AGE}"' in challenge
    assert response.json()["reason"] == "reauthentication_required"


async def test_recent_sign_in_passes(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    assert (await login(client, scalekit_emulator)).status_code == 302
    assert (await client.get("/recent", headers=HTML)).json()["id"] == "usr_alice"


async def test_callback_refuses_an_auth_time_older_than_the_requested_max_age(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    scalekit_emulator.set_clock_offset(-200)
    try:
        response = await login(client, scalekit_emulator, start=f"/auth/login?max_age={MAX_AGE}")
    finally:
        scalekit_emulator.set_clock_offset(0)
    assert response.status_code == 400 and "recent enough sign-in" in response.text
