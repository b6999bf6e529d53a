"""Organization switching in FastAPI: ``GET /auth/switch-organization?organization_id=...``."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from scalekit_emulator import EmulatorHandle

from .conftest import HTML, JSON, login, relative, sign_in

pytestmark = pytest.mark.anyio
DANA = "dana@acme.test"  # a member of org_acme, and an admin of org_globex
SWITCH = "/auth/switch-organization"


async def test_switching_replaces_the_session_with_one_of_the_other_organization(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(client, scalekit_emulator, email=DANA)
    before = (await client.get("/api/me", headers=JSON)).json()
    assert (before["organization_id"], before["roles"]) == ("org_acme", ["member"])
    assert (await client.get("/admin", headers=JSON)).status_code == 403

    started = await client.get(f"{SWITCH}?organization_id=org_globex", headers=HTML)
    assert started.status_code == 302
    authorize = started.headers["location"]
    assert parse_qs(urlsplit(authorize).query)["organization_id"] == ["org_globex"]
    back = await client.get(relative(await sign_in(scalekit_emulator, authorize, DANA)))
    assert back.status_code == 302 and back.headers["location"] == "/"

    after = (await client.get("/api/me", headers=JSON)).json()
    assert (after["organization_id"], after["roles"]) == ("org_globex", ["admin"])
    assert (await client.get("/admin", headers=JSON)).status_code == 200
    assert (await client.get("/acme", headers=JSON)).status_code == 403


async def test_a_crafted_query_into_a_foreign_organization_is_refused(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(client, scalekit_emulator, email="bob@acme.test")
    refused = await client.get(f"{SWITCH}?organization_id=org_globex", headers=JSON)
    assert refused.status_code == 403 and refused.json()["reason"] == "not_a_member"
    page = await client.get(f"{SWITCH}?organization_id=org_globex", headers=HTML)
    assert page.status_code == 403 and "not a member" in page.text
    me = (await client.get("/api/me", headers=JSON)).json()
    assert (me["id"], me["organization_id"]) == ("usr_bob", "org_acme")


async def test_switch_needs_a_session_and_a_well_formed_organization(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    assert (
        await client.get(f"{SWITCH}?organization_id=org_globex", headers=JSON)
    ).status_code == 401
    await login(client, scalekit_emulator, email=DANA)
    assert (await client.get(f"{SWITCH}?organization_id=a%2Fb", headers=HTML)).status_code == 400
