"""Organization switching in Flask: ``GET /auth/switch-organization?organization_id=...``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from scalekit_emulator import EmulatorHandle

from .conftest import HTML, JSON, finish_login, login, set_cookie_names

DANA = "dana@acme.test"  # a member of org_acme, and an admin of org_globex
SWITCH = "/auth/switch-organization"


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_switching_replaces_the_session_with_one_of_the_other_organization(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    login(client, scalekit_emulator, DANA)
    before = client.get("/api/data", headers=JSON).get_json()
    assert (before["organization_id"], before["roles"]) == ("org_acme", ["member"])
    assert client.get("/admin", headers=HTML).status_code == 403

    started = client.get(f"{SWITCH}?organization_id=org_globex&return_to=/admin", headers=HTML)
    assert started.status_code == 302
    sent = query(started.headers["Location"])
    assert (sent["organization_id"], sent["login_hint"]) == ("org_globex", DANA)
    back = finish_login(client, scalekit_emulator.sign_in(started.headers["Location"], DANA))
    assert back.status_code == 302 and back.headers["Location"] == "/admin"

    after = client.get("/api/data", headers=JSON).get_json()
    assert (after["id"], after["organization_id"], after["roles"]) == (
        "usr_dana",
        "org_globex",
        ["admin"],
    )
    assert after["session_id"] != before["session_id"]
    assert client.get("/admin", headers=HTML).status_code == 200
    assert client.get("/acme", headers=HTML).status_code == 403  # the guards follow


@pytest.mark.parametrize("organization_id", ["org_globex", "org_nonexistent"])
def test_a_crafted_query_into_a_foreign_organization_is_refused(
    client: FlaskClient, scalekit_emulator: EmulatorHandle, organization_id: str
) -> None:
    login(client, scalekit_emulator, "bob@acme.test")  # org_acme only
    for headers in (HTML, JSON):
        refused = client.get(f"{SWITCH}?organization_id={organization_id}", headers=headers)
        assert refused.status_code == 403
        # No sign-in was started: no login transaction.
        assert not any(n.startswith("scalekit_txn_") for n in set_cookie_names(refused))
    assert refused.get_json()["reason"] == "not_a_member"
    me = client.get("/api/data", headers=JSON).get_json()
    assert (me["id"], me["organization_id"]) == ("usr_bob", "org_acme")


def test_switch_needs_a_signed_in_session_and_a_well_formed_organization(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    anonymous = client.get(f"{SWITCH}?organization_id=org_globex", headers=HTML)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/auth/login")
    assert client.get(f"{SWITCH}?organization_id=org_globex", headers=JSON).status_code == 401
    token = scalekit_emulator.mint_access_token(DANA)
    bearer = client.get(
        f"{SWITCH}?organization_id=org_globex", headers={"Authorization": f"Bearer {token}"}
    )
    assert bearer.status_code == 401
    login(client, scalekit_emulator, DANA)
    for bad in (
        "",
        "organization_id=",
        "organization_id=org%20x",
        "organization_id=a&organization_id=b",
    ):
        assert client.get(f"{SWITCH}?{bad}", headers=HTML).status_code == 400
    same = client.get(f"{SWITCH}?organization_id=org_acme&return_to=/private", headers=HTML)
    assert same.status_code == 302 and same.headers["Location"] == "/private"


def test_a_switch_that_comes_back_for_another_organization_changes_nothing(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    login(client, scalekit_emulator, DANA)
    before = client.get("/api/data", headers=JSON).get_json()
    started = client.get(f"{SWITCH}?organization_id=org_globex", headers=HTML)
    # The provider routes the sign-in elsewhere (here: the authorize request is altered).
    elsewhere = started.headers["Location"].replace("org_globex", "org_acme")
    back = finish_login(client, scalekit_emulator.sign_in(elsewhere, DANA))
    assert back.status_code == 400
    assert "did not reach the organization" in back.get_data(as_text=True)
    after = client.get("/api/data", headers=JSON).get_json()
    assert (after["organization_id"], after["session_id"]) == ("org_acme", before["session_id"])


def test_a_cross_site_link_cannot_switch(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    login(client, scalekit_emulator, DANA)
    refused = client.get(
        f"{SWITCH}?organization_id=org_globex", headers={**HTML, "Sec-Fetch-Site": "cross-site"}
    )
    assert refused.status_code == 403
    same_site = client.get(
        f"{SWITCH}?organization_id=org_globex", headers={**HTML, "Sec-Fetch-Site": "same-origin"}
    )
    assert same_site.status_code == 302
