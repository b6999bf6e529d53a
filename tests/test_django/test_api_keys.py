"""Django: Scalekit API keys (``SCALEKIT_API_KEYS``) pass the machine decorator and
``ScalekitMachineAuthentication`` as machines (WSGI and ASGI); user guards refuse them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio.lowlevel
import pytest
from django.test import AsyncClient, Client

from scalekit_emulator import EmulatorHandle
from tests.api_key_cases import Keys, make_keys, validations


@pytest.fixture
def keys(scalekit: EmulatorHandle, settings: Any) -> Iterator[Keys]:
    settings.ROOT_URLCONF = "tests.test_django.urls_machines"
    settings.SCALEKIT_API_KEYS = True
    yield make_keys(scalekit)


def key(value: str) -> dict[str, str]:
    return {"HTTP_X_API_KEY": value, "HTTP_ACCEPT": "application/json"}


@pytest.mark.django_db
def test_api_key_is_a_machine_with_its_organization(scalekit: EmulatorHandle, keys: Keys) -> None:
    client = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {keys.acme}", "HTTP_ACCEPT": "application/json"}
    for headers in (key(keys.acme), bearer):
        answer = client.get("/t/machine", **headers)
        assert answer.status_code == 200, headers
        body = answer.json()
        assert body["organization_id"] == "org_acme" and body["client_id"] == keys.acme_token_id
        drf = client.get("/t/drf-machine", **headers)
        assert drf.status_code == 200 and drf.json()["client_id"] == keys.acme_token_id
        assert drf.json()["is_staff"] is False
        assert client.get("/api/me", **headers).status_code in (401, 403)
        assert client.get("/t/drf-user", **headers).status_code in (401, 403)
    assert client.get("/t/admin-events", **key(keys.acme)).status_code == 403
    assert client.get("/t/machine", **key(keys.revoked)).status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.anyio
async def test_api_keys_over_asgi(async_scalekit: EmulatorHandle, keys: Keys) -> None:
    client = AsyncClient()
    before = validations(async_scalekit)
    for _ in range(3):
        answer = await client.get(
            "/t/machine", headers={"x-api-key": keys.globex, "accept": "application/json"}
        )
        assert answer.status_code == 200
        assert answer.json()["organization_id"] == "org_globex"
    assert validations(async_scalekit) == before + 1
    refused = await client.get(
        "/t/machine", headers={"x-api-key": "skat_unknown-key", "accept": "application/json"}
    )
    assert refused.status_code == 401
    await anyio.lowlevel.checkpoint()


@pytest.mark.django_db
def test_api_keys_are_off_unless_enabled(scalekit: EmulatorHandle, settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.test_django.urls_machines"
    api_key = make_keys(scalekit).acme
    before = validations(scalekit)
    assert Client().get("/t/machine", **key(api_key)).status_code == 401
    assert validations(scalekit) == before
