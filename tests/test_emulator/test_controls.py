from __future__ import annotations

import time

import httpx
import jwt
import pytest

from scalekit_emulator import Emulator, EmulatorHandle, EmulatorServer


def test_lifetimes_and_clock_over_http(
    scalekit_emulator: EmulatorHandle, http: httpx.Client
) -> None:
    assert http.post("/_emulator/lifetimes", json={"access_token": 5}).status_code == 200
    tokens = scalekit_emulator.issue_tokens()
    assert tokens["expires_in"] == 5
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 5
    assert http.post("/_emulator/clock", json={"offset": 120}).status_code == 200
    later = jwt.decode(scalekit_emulator.mint_access_token(), options={"verify_signature": False})
    assert later["iat"] >= int(time.time()) + 119
    assert http.post("/_emulator/clock", json={"offset": "x"}).status_code == 400
    assert http.post("/_emulator/lifetimes", json={"access_token": -1}).status_code == 400
    assert http.post("/_emulator/lifetimes", content=b"[1]").status_code == 400


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_emulator/clock", b'{"offset": 1e400}'),
        ("/_emulator/clock", b'{"offset": -1e400}'),
        ("/_emulator/clock", b'{"offset": NaN}'),
        ("/_emulator/clock", b'{"offset": Infinity}'),
        ("/_emulator/clock", b'{"offset": 1' + b"0" * 400 + b"}"),
        ("/_emulator/clock", b'{"offset": 1e300}'),
        ("/_emulator/clock", b'{"offset": true}'),
        ("/_emulator/clock", b'{"offset": [1]}'),
        ("/_emulator/clock", b"{}"),
        ("/_emulator/clock", b"[" * 100_000 + b"]" * 100_000),
        ("/_emulator/clock", b'{"offset": 1}\xff'),
        ("/_emulator/lifetimes", b'{"access_token": 1e400}'),
        ("/_emulator/lifetimes", b'{"access_token": NaN}'),
        ("/_emulator/lifetimes", b'{"access_token": 1e300}'),
        ("/_emulator/lifetimes", b'{"access_token": 2.5}'),
        ("/_emulator/lifetimes", b'{"refresh_token": "600"}'),
        ("/_emulator/faults", b'{"path": "/keys", "status": 1e400}'),
        ("/_emulator/faults", b'{"path": "/keys", "status": 503.5}'),
        ("/_emulator/faults", b'{"path": "/keys", "count": 1e400}'),
        ("/_emulator/faults", b'{"path": "/keys", "delay": 1e400}'),
        ("/_emulator/faults", b'{"path": "/keys", "delay": -Infinity}'),
        ("/_emulator/remove-key", b'{"kid": 1e400}'),
    ],
)
def test_controls_answer_400_to_values_they_cannot_use(
    scalekit_emulator: EmulatorHandle, http: httpx.Client, path: str, body: bytes
) -> None:
    r = http.post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request" and r.json()["error_description"]
    # Nothing half-applied: the emulator still serves and its clock, lifetimes, faults are intact.
    assert scalekit_emulator.emulator.clock_offset == 0
    assert scalekit_emulator.issue_tokens()["expires_in"] == 300
    assert http.get("/keys").status_code == 200
    assert http.get("/api/v1/organizations").status_code == 401


def test_the_python_controls_refuse_what_would_break_later_requests(
    scalekit_emulator: EmulatorHandle,
) -> None:
    emu = scalekit_emulator.emulator
    for offset in (float("nan"), float("inf"), 1e300):
        with pytest.raises(ValueError, match="clock offset"):
            emu.set_clock_offset(offset)
    with pytest.raises(ValueError, match="lifetimes"):
        emu.set_token_lifetimes(refresh_token=10**12)
    emu.set_clock_offset(-365 * 86400)
    emu.set_token_lifetimes(refresh_token=5 * 365 * 86400)
    assert scalekit_emulator.issue_tokens()["refresh_token"]


def test_faults_and_counters(scalekit_emulator: EmulatorHandle, http: httpx.Client) -> None:
    emu = scalekit_emulator
    r = http.post("/_emulator/faults", json={"path": "/oauth/token", "status": 503, "count": 2})
    assert r.status_code == 200
    data = {
        "grant_type": "client_credentials",
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
    }
    assert http.post("/oauth/token", data=data).status_code == 503
    assert http.post("/oauth/token", data=data).status_code == 503
    assert http.post("/oauth/token", data=data).status_code == 200
    emu.inject_fault("/keys", body='{"keys": [')
    broken = http.get("/keys")
    assert broken.status_code == 200 and broken.text == '{"keys": ['
    emu.inject_fault("/keys", status=500, body="<html>oops</html>")
    html = http.get("/keys")
    assert html.status_code == 500 and html.headers["content-type"].startswith("text/html")
    emu.inject_fault("/api/v1/organizations", delay=0.3)
    started = time.monotonic()
    assert http.get("/api/v1/organizations").status_code == 401
    assert time.monotonic() - started >= 0.3
    counts = http.get("/_emulator/calls").json()
    assert counts["/oauth/token"] == 3 and counts["grant:client_credentials"] == 1
    assert counts["/keys"] == 2
    assert emu.calls("/oauth/token") == 3 and emu.token_calls("client_credentials") == 1
    assert http.post("/_emulator/faults", json={"path": "nope"}).status_code == 400


def test_reset_over_http(scalekit_emulator: EmulatorHandle, http: httpx.Client) -> None:
    emu = scalekit_emulator
    emu.issue_tokens("new.person@example.test")
    http.post("/_emulator/rotate-keys")
    emu.set_clock_offset(50)
    http.get("/keys")
    assert len(http.get("/keys").json()["keys"]) == 2
    assert http.post("/_emulator/reset").status_code == 200
    assert len(http.get("/keys").json()["keys"]) == 1
    assert emu.emulator.clock_offset == 0 and http.get("/_emulator/calls").json() == {"/keys": 1}
    assert emu.emulator.state.user_by_email("new.person@example.test") is None
    assert emu.env() == {
        "SCALEKIT_ENVIRONMENT_URL": emu.url,
        "SCALEKIT_CLIENT_ID": "skc_emulator_client",
        "SCALEKIT_CLIENT_SECRET": "emulator-client-secret",
    }


def test_controls_404_when_disabled() -> None:
    with EmulatorServer(Emulator()) as server, httpx.Client(base_url=server.url) as http:
        for path in (
            "/_emulator/lifetimes",
            "/_emulator/clock",
            "/_emulator/rotate-keys",
            "/_emulator/faults",
            "/_emulator/reset",
        ):
            assert http.post(path, json={}).status_code == 404
        assert http.get("/_emulator/calls").status_code == 404
        # The IdP-initiated stand-in is not a test control and stays available.
        r = http.get(
            "/_emulator/idp-initiated-login", params={"initiate_login_uri": "http://localhost:1/x"}
        )
        assert r.status_code == 302
