"""Organization switching in Django: ``GET /auth/switch-organization?organization_id=...``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import AsyncClient, Client

from scalekit_emulator import EmulatorHandle

from .conftest import HTML, asign_in, path_of, sign_in

pytestmark = pytest.mark.django_db
DANA = "dana@acme.test"  # a member of org_acme, and an admin of org_globex
SWITCH = "/auth/switch-organization"
JSON = {"HTTP_ACCEPT": "application/json"}


def test_switching_replaces_the_session_with_one_of_the_other_organization(
    scalekit: EmulatorHandle,
) -> None:
    client = Client()
    sign_in(client, scalekit, email=DANA)
    before = client.get("/api/me", **JSON).json()
    assert (before["organization_id"], before["roles"]) == ("org_acme", ["member"])
    assert client.get("/admin", **HTML).status_code == 403

    started = client.get(f"{SWITCH}?organization_id=org_globex&return_to=/admin", **HTML)
    assert started.status_code == 302
    authorize = started["Location"]
    assert parse_qs(urlsplit(authorize).query)["organization_id"] == ["org_globex"]
    back = client.get(path_of(scalekit.sign_in(authorize, DANA)), **HTML)
    assert back.status_code == 302 and back["Location"] == "/admin"

    after = client.get("/api/me", **JSON).json()
    assert (after["organization_id"], after["roles"]) == ("org_globex", ["admin"])
    assert client.get("/admin", **HTML).status_code == 200
    assert client.get("/t/acme", **HTML).status_code == 403


def test_a_crafted_query_into_a_foreign_organization_is_refused(scalekit: EmulatorHandle) -> None:
    client = Client()
    sign_in(client, scalekit, email="bob@acme.test")
    refused = client.get(f"{SWITCH}?organization_id=org_globex", **JSON)
    assert refused.status_code == 403 and refused.json()["reason"] == "not_a_member"
    me = client.get("/api/me", **JSON).json()
    assert (me["id"], me["organization_id"]) == ("usr_bob", "org_acme")


@pytest.mark.django_db(transaction=True)
@pytest.mark.anyio
async def test_async_switch_checks_membership(async_scalekit: EmulatorHandle) -> None:
    client = AsyncClient()
    await asign_in(client, async_scalekit, email="bob@acme.test")
    refused = await client.get(
        f"{SWITCH}?organization_id=org_globex", headers={"accept": "application/json"}
    )
    assert refused.status_code == 403
    anonymous = await AsyncClient().get(f"{SWITCH}?organization_id=org_globex")
    assert anonymous.status_code == 401
