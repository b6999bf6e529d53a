"""Django: ``request.user``, the decorators and DRF accept user tokens only; the machine
decorator and ``ScalekitMachineAuthentication`` accept machine clients only (WSGI and ASGI)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient, Client

from scalekit_emulator import EmulatorHandle
from tests.token_cases import MACHINE_SCOPE, machine_token, refused_as_user

USER_PATHS = ("/api/me", "/t/parentheses", "/t/drf-user", "/t/django-login-required")


@pytest.fixture
def machine_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.test_django.urls_machines"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT": "application/json"}


@pytest.mark.django_db
def test_confused_tokens_never_pass_user_guards(
    scalekit: EmulatorHandle, machine_urls: None
) -> None:
    client = Client()
    good = str(scalekit.issue_tokens()["access_token"])
    assert client.get("/api/me", **bearer(good)).status_code == 200
    for name, token in refused_as_user(scalekit).items():
        for path in USER_PATHS:
            response = client.get(path, **bearer(token))
            assert response.status_code in (302, 401, 403), (name, path)
            assert response.status_code != 200
        drf = client.get("/t/drf", **bearer(token))
        assert drf.json() == {"anonymous": True}, name


@pytest.mark.django_db
def test_machine_guards_accept_machine_clients_only(
    scalekit: EmulatorHandle, machine_urls: None
) -> None:
    client = Client()
    machine = machine_token(scalekit)
    answer = client.get("/t/machine", **bearer(machine))
    assert answer.status_code == 200
    assert answer.json()["client_id"] == scalekit.client_id
    assert answer.json()["scopes"] == [MACHINE_SCOPE]
    assert client.get("/t/admin-events", **bearer(machine)).status_code == 403
    drf = client.get("/t/drf-machine", **bearer(machine))
    assert drf.status_code == 200
    assert drf.json() == {"client_id": scalekit.client_id, "is_staff": False}
    user = str(scalekit.issue_tokens()["access_token"])
    for path in ("/t/machine", "/t/admin-events", "/t/drf-machine"):
        assert client.get(path, **bearer(user)).status_code == 401, path
    assert client.get("/t/machine", HTTP_ACCEPT="text/html").status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.anyio
async def test_async_machine_and_user_guards(
    async_scalekit: EmulatorHandle, machine_urls: None
) -> None:
    import anyio

    client = AsyncClient()
    machine = await anyio.to_thread.run_sync(machine_token, async_scalekit)
    tokens = await anyio.to_thread.run_sync(refused_as_user, async_scalekit)
    user = str(async_scalekit.issue_tokens()["access_token"])

    def headers(token: str) -> dict[str, str]:
        return {"authorization": f"Bearer {token}", "accept": "application/json"}

    assert (await client.get("/t/async-events", headers=headers(machine))).status_code == 200
    assert (await client.get("/t/async-events", headers=headers(user))).status_code == 401
    scoped = await client.get("/t/async-scoped", headers=headers(user))
    assert scoped.status_code == 200
    for name, token in tokens.items():
        response = await client.get("/t/async-scoped", headers=headers(token))
        assert response.status_code == 401, name


@pytest.mark.django_db
def test_refresh_during_a_jwks_outage_keeps_the_session(scalekit: EmulatorHandle) -> None:
    from .conftest import sign_in

    scalekit.set_token_lifetimes(access_token=30)  # refresh due at once
    client = Client()
    sign_in(client, scalekit)
    scalekit.rotate_keys()  # the refreshed tokens need keys not cached yet
    scalekit.inject_fault("/keys", status=503, count=5)
    refreshed = client.get("/api/me", HTTP_ACCEPT="application/json")
    assert refreshed.status_code == 200
    assert "scalekit_session" in refreshed.cookies  # the rotated tokens are kept
    assert scalekit.token_calls("refresh_token") == 1
    assert client.get("/api/me", HTTP_ACCEPT="application/json").status_code == 200
    assert scalekit.token_calls("refresh_token") == 2  # with the rotated refresh token


@pytest.mark.django_db(transaction=True)
@pytest.mark.anyio
async def test_async_refresh_during_a_jwks_outage_keeps_the_session(
    async_scalekit: EmulatorHandle,
) -> None:
    from .conftest import asign_in

    async_scalekit.set_token_lifetimes(access_token=30)
    client = AsyncClient()
    await asign_in(client, async_scalekit)
    async_scalekit.rotate_keys()
    async_scalekit.inject_fault("/keys", status=503, count=5)
    refreshed = await client.get("/api/me", headers={"accept": "application/json"})
    assert refreshed.status_code == 200
    assert "scalekit_session" in refreshed.cookies
    assert async_scalekit.token_calls("refresh_token") == 1
    again = await client.get("/api/me", headers={"accept": "application/json"})
    assert again.status_code == 200


@pytest.mark.django_db
def test_refresh_for_another_subject_ends_the_session(scalekit: EmulatorHandle) -> None:
    from tests.token_cases import hand_refreshes_to

    from .conftest import sign_in

    scalekit.set_token_lifetimes(access_token=30)  # refresh due at once
    client = Client()
    sign_in(client, scalekit)
    hand_refreshes_to(scalekit, "usr_bob")
    assert client.get("/api/me", HTTP_ACCEPT="application/json").status_code == 401
    assert scalekit.token_calls("refresh_token") == 1
    assert client.get("/api/me", HTTP_ACCEPT="application/json").status_code == 401
