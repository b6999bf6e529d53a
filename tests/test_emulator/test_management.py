from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from scalekit_emulator import EmulatorHandle

from .conftest import login, machine_token


@pytest.fixture
def api(scalekit_emulator: EmulatorHandle, http: httpx.Client) -> httpx.Client:
    token = machine_token(scalekit_emulator, http)
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def assert_grpc_error(r: httpx.Response, status: int, code: int) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code and body["message"]
    assert body["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    assert body["details"][0]["error_code"]


def test_requires_client_credentials_token(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    assert_grpc_error(http.get("/api/v1/organizations"), 401, 16)
    assert_grpc_error(
        http.get("/api/v1/organizations", headers={"Authorization": "Bearer x.y.z"}), 401, 16
    )
    user_token = scalekit_emulator.mint_access_token()
    assert_grpc_error(
        http.get("/api/v1/organizations", headers={"Authorization": f"Bearer {user_token}"}), 403, 7
    )


def test_organizations_crud(api: httpx.Client) -> None:
    r = api.post(
        "/api/v1/organizations",
        json={"display_name": "Initech", "external_id": "ini", "metadata": {"plan": "pro"}},
    )
    assert r.status_code == 200
    org = r.json()["organization"]
    assert org["id"].startswith("org_") and org["external_id"] == "ini"
    assert org["create_time"].endswith("Z")
    assert_grpc_error(
        api.post("/api/v1/organizations", json={"display_name": "X", "external_id": "ini"}), 409, 6
    )
    assert_grpc_error(api.post("/api/v1/organizations", json={}), 400, 3)
    assert_grpc_error(api.post("/api/v1/organizations", content=b"{nope"), 400, 3)
    got = api.get(f"/api/v1/organizations/{org['id']}").json()["organization"]
    assert got["display_name"] == "Initech"
    by_ext = api.get("/api/v1/organizations:external/ini").json()["organization"]
    assert by_ext["id"] == org["id"]
    assert api.get("/api/v1/organizations:external/acme").json()["organization"]["id"] == (
        "org_acme"
    )
    updated = api.patch(
        f"/api/v1/organizations/{org['id']}", json={"display_name": "Initrode"}
    ).json()["organization"]
    assert updated["display_name"] == "Initrode" and updated["external_id"] == "ini"
    link = api.put(f"/api/v1/organizations/{org['id']}/portal_links").json()["link"]
    assert link["id"] and link["location"].startswith("http") and link["expire_time"]
    assert api.delete(f"/api/v1/organizations/{org['id']}").status_code == 200
    assert_grpc_error(api.get(f"/api/v1/organizations/{org['id']}"), 404, 5)
    assert_grpc_error(api.get("/api/v1/organizations:external/ini"), 404, 5)
    assert_grpc_error(api.get("/api/v1/nothing/here"), 404, 5)


def test_organization_pagination(api: httpx.Client) -> None:
    for i in range(5):
        api.post("/api/v1/organizations", json={"display_name": f"Org {i}"})
    seen: list[str] = []
    token = ""
    while True:
        page = api.get("/api/v1/organizations", params={"page_size": 3, "page_token": token}).json()
        assert page["total_size"] == 7
        seen += [o["id"] for o in page["organizations"]]
        token = page["next_page_token"]
        if not token:
            break
    assert len(seen) == len(set(seen)) == 7 and seen[:2] == ["org_acme", "org_globex"]
    assert_grpc_error(api.get("/api/v1/organizations", params={"page_token": "!!"}), 400, 3)
    assert_grpc_error(api.get("/api/v1/organizations", params={"page_size": "x"}), 400, 3)


def test_users(api: httpx.Client) -> None:
    users = api.get("/api/v1/users", params={"page_size": 2}).json()
    assert users["total_size"] == 4 and len(users["users"]) == 2 and users["next_page_token"]
    alice = api.get("/api/v1/users/usr_alice").json()["user"]
    assert alice["email"] == "alice@acme.test"
    assert alice["memberships"][0]["organization_id"] == "org_acme"
    assert alice["user_profile"]["first_name"] == "Alice"
    org_users = api.get("/api/v1/organizations/org_acme/users").json()
    assert {u["id"] for u in org_users["users"]} == {"usr_alice", "usr_bob", "usr_dana"}
    globex_users = api.get("/api/v1/organizations/org_globex/users").json()["users"]
    assert {u["id"] for u in globex_users} == {"usr_carol", "usr_dana"}
    created = api.post(
        "/api/v1/organizations/org_globex/users",
        json={
            "email": "gina@globex.test",
            "user_profile": {"first_name": "Gina", "last_name": "G"},
            "membership": {"roles": ["admin"]},
        },
    ).json()["user"]
    assert created["memberships"][0]["roles"][0]["name"] == "admin"
    assert_grpc_error(
        api.post("/api/v1/organizations/org_globex/users", json={"email": "gina@globex.test"}),
        409,
        6,
    )
    assert_grpc_error(
        api.post("/api/v1/organizations/org_globex/users", json={"email": "nope"}), 400, 3
    )
    patched = api.patch(
        f"/api/v1/users/{created['id']}", json={"user_profile": {"name": "Gina Grey"}}
    ).json()["user"]
    assert patched["user_profile"]["name"] == "Gina Grey"
    assert api.delete(f"/api/v1/users/{created['id']}").status_code == 200
    assert_grpc_error(api.get(f"/api/v1/users/{created['id']}"), 404, 5)


def test_sessions(scalekit_emulator: EmulatorHandle, http: httpx.Client, api: httpx.Client) -> None:
    emu = scalekit_emulator
    login(emu, http)
    login(emu, http)
    tokens = emu.issue_tokens()
    sessions = api.get("/api/v1/users/usr_alice/sessions").json()
    assert sessions["total_size"] == 3
    first = sessions["sessions"][0]
    for field in (
        "session_id",
        "user_id",
        "organization_id",
        "authenticated_organizations",
        "status",
        "created_at",
        "updated_at",
        "last_active_at",
        "idle_expires_at",
        "absolute_expires_at",
        "expired_at",
        "logout_at",
        "device",
    ):
        assert field in first
    assert first["created_at"].endswith("Z")
    sid = first["session_id"]
    assert api.get(f"/api/v1/sessions/{sid}").json()["session_id"] == sid
    revoked = api.post(f"/api/v1/sessions/{sid}/revoke").json()["revoked_session"]
    assert revoked["status"] == "revoked"
    active = api.get("/api/v1/users/usr_alice/sessions", params={"filter.status": "ACTIVE"}).json()
    assert active["total_size"] == 2
    both = api.get(
        "/api/v1/users/usr_alice/sessions",
        params=[("filter.status", "active"), ("filter.status", "revoked")],
    ).json()
    assert both["total_size"] == 3
    paged = api.get("/api/v1/users/usr_alice/sessions", params={"page_size": 2}).json()
    assert len(paged["sessions"]) == 2 and paged["next_page_token"]
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        api.get("/api/v1/users/usr_alice/sessions", params={"filter.start_time": future}).json()[
            "total_size"
        ]
        == 0
    )
    assert (
        api.get(
            "/api/v1/users/usr_alice/sessions",
            params={"filter.start_time": past, "filter.end_time": future},
        ).json()["total_size"]
        == 3
    )
    assert_grpc_error(
        api.get("/api/v1/users/usr_alice/sessions", params={"filter.status": "bogus"}), 400, 3
    )
    assert_grpc_error(
        api.get("/api/v1/users/usr_alice/sessions", params={"filter.start_time": "yesterday"}),
        400,
        3,
    )
    all_revoked = api.post("/api/v1/users/usr_alice/sessions/revoke").json()
    assert all_revoked["total_revoked"] == 2 and len(all_revoked["revoked_sessions"]) == 2
    r = http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
        },
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert_grpc_error(api.get("/api/v1/sessions/ses_missing"), 404, 5)
    assert_grpc_error(api.post("/api/v1/sessions/ses_missing/revoke"), 404, 5)
    assert_grpc_error(api.get("/api/v1/users/usr_missing/sessions"), 404, 5)
