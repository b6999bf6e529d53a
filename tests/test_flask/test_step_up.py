"""Step-up sign-in in Flask: ``prompt``/``max_age``/``acr_values`` forwarded by the login
route, ``auth_time`` kept in the session, and ``require_recent_login``."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scalekit_emulator import EmulatorHandle
from scalekit_flask import current_user, require_recent_login

from .conftest import HTML, JSON, build_app, finish_login, login, path_of, start_login

MAX_AGE = 30


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def app(config: dict[str, Any]) -> Flask:
    app, _ = build_app(config)

    @app.get("/recent")
    @require_recent_login(max_age=MAX_AGE)
    def recent() -> str:
        return f"recent {current_user.email} at {current_user.auth_time:.0f}"

    @app.get("/api/recent")
    @require_recent_login(max_age=MAX_AGE, api=True)
    def api_recent() -> dict[str, Any]:
        return current_user.to_dict()

    return app


def old_login(client: FlaskClient, emu: EmulatorHandle, age: float = 100) -> None:
    """A sign-in ``age`` seconds ago (the emulator's clock set back while it happens)."""
    emu.set_clock_offset(-age)
    try:
        login(client, emu)
    finally:
        emu.set_clock_offset(0)


def test_login_route_forwards_step_up_parameters(client: FlaskClient) -> None:
    authorize = start_login(client, "/auth/login?prompt=login&max_age=0&acr_values=mfa%20pwd")
    sent = query(authorize)
    assert (sent["prompt"], sent["max_age"], sent["acr_values"]) == ("login", "0", "mfa pwd")


@pytest.mark.parametrize(
    "bad",
    [
        "prompt=sudo",
        "prompt=none%20login",
        "max_age=-1",
        "max_age=abc",
        "max_age=1e3",
        "max_age=1234567890",
        "max_age=1&max_age=2",
        "acr_values=%00",
    ],
)
def test_malformed_step_up_parameters_are_a_clean_400(client: FlaskClient, bad: str) -> None:
    response = client.get(f"/auth/login?{bad}", headers=HTML)
    assert response.status_code == 400
    assert "The sign-in request is invalid" in response.get_data(as_text=True)
    assert response.headers.get("Set-Cookie") is None


def test_session_records_auth_time_and_amr(client: FlaskClient, scalekit_emulator: Any) -> None:
    login(client, scalekit_emulator)
    me = client.get("/api/data", headers=JSON).get_json()
    assert abs(me["auth_time"] - scalekit_emulator.emulator.now()) < 10
    assert me["amr"] == ["conn_acme_okta"]


def test_recent_login_passes_right_after_sign_in(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    login(client, scalekit_emulator)
    response = client.get("/recent", headers=HTML)
    assert response.status_code == 200 and "recent alice@acme.test" in response.text


def test_old_sign_in_goes_through_a_forced_sign_in_and_back(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    old_login(client, scalekit_emulator)
    bounced = client.get("/recent?tab=2", headers=HTML)
    assert bounced.status_code == 302
    assert query(bounced.headers["Location"]) == {
        "return_to": "/recent?tab=2",
        "prompt": "login",
        "max_age": str(MAX_AGE),
    }
    authorize = start_login(client, path_of(bounced.headers["Location"]))
    assert query(authorize)["prompt"] == "login"
    assert query(authorize)["max_age"] == str(MAX_AGE)
    back = finish_login(client, scalekit_emulator.sign_in(authorize))
    assert back.status_code == 302 and back.headers["Location"] == "/recent?tab=2"
    assert client.get("/recent?tab=2", headers=HTML).status_code == 200


def test_old_sign_in_on_an_api_call_is_a_401_with_insufficient_user_authentication(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    old_login(client, scalekit_emulator)
    for path, headers in (("/recent", JSON), ("/api/recent", HTML)):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        challenge = response.headers["WWW-Authenticate"]
        assert 'error="insufficient_user_authentication"' in challenge
        assert f'max_age="{MAX_AGE}"' in challenge
        body = response.get_json()
        assert body["reason"] == "reauthentication_required" and body["max_age"] == MAX_AGE


def test_anonymous_recent_login_page_is_a_plain_sign_in(client: FlaskClient) -> None:
    response = client.get("/recent", headers=HTML)
    assert response.status_code == 302
    assert query(response.headers["Location"]) == {"return_to": "/recent"}


def test_bearer_token_without_a_recent_auth_time_is_refused(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    token = scalekit_emulator.mint_access_token()
    response = client.get("/recent", headers={"Authorization": f"Bearer {token}", **JSON})
    assert response.status_code == 401
    assert "insufficient_user_authentication" in response.headers["WWW-Authenticate"]


def test_callback_refuses_an_auth_time_older_than_the_requested_max_age(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    authorize = start_login(client, f"/auth/login?max_age={MAX_AGE}")
    scalekit_emulator.set_clock_offset(-200)  # the code is exchanged "then" too
    try:
        response = finish_login(client, scalekit_emulator.sign_in(authorize))
    finally:
        scalekit_emulator.set_clock_offset(0)
    assert response.status_code == 400
    assert "recent enough sign-in" in response.get_data(as_text=True)
    assert client.get("/private", headers=HTML).status_code == 302
