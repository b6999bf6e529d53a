"""Flask: user guards accept user tokens only; machine guards accept machine clients only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient

from scalekit_emulator import EmulatorHandle
from scalekit_flask import (
    Scalekit,
    api_login_required,
    current_user,
    get_current_machine,
    machine_required,
    require_machine,
)
from tests.token_cases import MACHINE_SCOPE, machine_token, refused_as_user

from .conftest import JSON


@pytest.fixture
def guarded(make_app: Callable[..., tuple[Flask, Scalekit]]) -> FlaskClient:
    app, _ = make_app()

    @app.get("/api/me")
    @api_login_required
    def me() -> Any:
        return jsonify(current_user.to_dict())

    @app.get("/api/machine")
    @machine_required
    def machine() -> Any:
        client = get_current_machine()
        assert client is not None
        return jsonify(client.to_dict())

    @app.post("/api/events")
    @require_machine(MACHINE_SCOPE)
    def events() -> Any:
        return jsonify(ok=True)

    @app.post("/api/admin-events")
    @require_machine("admin:write")
    def admin_events() -> Any:
        return jsonify(ok=True)

    return app.test_client()


def auth(token: str) -> dict[str, str]:
    return {**JSON, "Authorization": f"Bearer {token}"}


def test_confused_tokens_never_pass_user_guards(
    guarded: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    good = str(scalekit_emulator.issue_tokens()["access_token"])
    assert guarded.get("/api/me", headers=auth(good)).status_code == 200
    for name, token in refused_as_user(scalekit_emulator).items():
        for path in ("/api/me", "/private", "/api/data"):
            response = guarded.get(path, headers=auth(token))
            assert response.status_code == 401, (name, path)
        assert guarded.get("/", headers=auth(token)).get_data(as_text=True) == "hello anonymous"


def test_machine_guard_accepts_machine_clients_only(
    guarded: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    machine = machine_token(scalekit_emulator)
    answer = guarded.get("/api/machine", headers=auth(machine))
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["kind"] == "machine" and body["client_id"] == scalekit_emulator.client_id
    assert body["scopes"] == [MACHINE_SCOPE]
    assert guarded.post("/api/events", headers=auth(machine)).status_code == 200
    assert guarded.post("/api/admin-events", headers=auth(machine)).status_code == 403
    user = str(scalekit_emulator.issue_tokens()["access_token"])
    assert guarded.get("/api/machine", headers=auth(user)).status_code == 401
    assert guarded.post("/api/events", headers=auth(user)).status_code == 401
    assert guarded.get("/api/machine", headers=JSON).status_code == 401
    id_token = str(scalekit_emulator.issue_tokens()["id_token"])
    assert guarded.get("/api/machine", headers=auth(id_token)).status_code == 401


def test_refresh_during_a_jwks_outage_keeps_the_session(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    from .conftest import login, set_cookie_names

    scalekit_emulator.set_token_lifetimes(access_token=30)  # refresh due at once
    login(client, scalekit_emulator)
    scalekit_emulator.rotate_keys()  # the refreshed tokens need keys not cached yet
    scalekit_emulator.inject_fault("/keys", status=503, count=5)
    refreshed = client.get("/private", headers=JSON)
    assert refreshed.status_code == 200
    assert "scalekit_session" in set_cookie_names(refreshed)  # the rotated tokens are kept
    assert scalekit_emulator.token_calls("refresh_token") == 1
    assert client.get("/private", headers=JSON).status_code == 200
    assert scalekit_emulator.token_calls("refresh_token") == 2  # with the rotated refresh token


def test_refresh_for_another_subject_ends_the_session(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    from tests.token_cases import hand_refreshes_to

    from .conftest import login

    scalekit_emulator.set_token_lifetimes(access_token=30)  # refresh due at once
    login(client, scalekit_emulator)
    hand_refreshes_to(scalekit_emulator, "usr_bob")
    response = client.get("/api/data", headers=JSON)
    assert response.status_code == 401
    assert scalekit_emulator.token_calls("refresh_token") == 1
    assert client.get("/api/data", headers=JSON).status_code == 401
