"""Step-up sign-in in Django: the login view forwards ``prompt``/``max_age``/``acr_values``;
``require_recent_login`` and ``ScalekitRecentLoginRequiredMixin`` force a fresh sign-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import AsyncClient, Client

from scalekit_emulator import EmulatorHandle

from .conftest import HTML, asign_in, path_of, sign_in
from .views import RECENT_MAX_AGE

JSON = {"HTTP_ACCEPT": "application/json"}
PAGES = ["/t/recent", "/t/recent-mixin"]


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def old_sign_in(client: Client, emu: EmulatorHandle, age: float = 100) -> None:
    emu.set_clock_offset(-age)
    try:
        assert sign_in(client, emu).status_code == 302
    finally:
        emu.set_clock_offset(0)


def test_login_view_forwards_step_up_parameters(scalekit: EmulatorHandle) -> None:
    started = Client().get("/login?prompt=login&max_age=7&acr_values=mfa", **HTML)
    sent = query(started["Location"])
    assert (sent["prompt"], sent["max_age"], sent["acr_values"]) == ("login", "7", "mfa")


@pytest.mark.parametrize("bad", ["prompt=sudo", "max_age=-1", "max_age=x", "max_age=1&max_age=1"])
def test_malformed_step_up_parameters_are_a_clean_400(scalekit: EmulatorHandle, bad: str) -> None:
    response = Client().get(f"/login?{bad}", **HTML)
    assert response.status_code == 400 and not response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_old_sign_in_goes_through_a_forced_sign_in_and_back(
    scalekit: EmulatorHandle, page: str
) -> None:
    client = Client()
    old_sign_in(client, scalekit)
    bounced = client.get(page, **HTML)
    assert bounced.status_code == 302
    assert query(bounced["Location"]) == {
        "return_to": page,
        "prompt": "login",
        "max_age": str(RECENT_MAX_AGE),
    }
    back = sign_in(client, scalekit, start=path_of(bounced["Location"]))
    assert back.status_code == 302 and back["Location"] == page
    assert client.get(page, **HTML).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_old_sign_in_on_an_api_call_is_a_401(scalekit: EmulatorHandle, page: str) -> None:
    client = Client()
    old_sign_in(client, scalekit)
    response = client.get(page, **JSON)
    assert response.status_code == 401
    challenge = response["WWW-Authenticate"]
    assert 'error="insufficient_user_authentication"' in challenge
    assert f'max_age="{RECENT_MAX_AGE}"' in challenge
    assert response.json()["reason"] == "reauthentication_required"


@pytest.mark.django_db(transaction=True)
@pytest.mark.anyio
async def test_async_view_with_an_old_sign_in_is_bounced(async_scalekit: EmulatorHandle) -> None:
    client = AsyncClient()
    async_scalekit.set_clock_offset(-100)
    try:
        assert (await asign_in(client, async_scalekit)).status_code == 302
    finally:
        async_scalekit.set_clock_offset(0)
    bounced: Any = await client.get("/t/async-recent", headers={"accept": "text/html"})
    assert bounced.status_code == 302 and "prompt=login" in bounced["Location"]


@pytest.mark.django_db
def test_callback_refuses_an_auth_time_older_than_the_requested_max_age(
    scalekit: EmulatorHandle,
) -> None:
    scalekit.set_clock_offset(-200)
    try:
        response = sign_in(Client(), scalekit, start=f"/login?max_age={RECENT_MAX_AGE}")
    finally:
        scalekit.set_clock_offset(0)
    assert response.status_code == 400 and b"recent enough sign-in" in response.content
