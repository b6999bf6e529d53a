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
