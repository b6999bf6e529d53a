"""Flask: Scalekit API keys (``SCALEKIT_API_KEYS``) pass the machine guards as machines."""

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
from tests.api_key_cases import KEY_SCOPE, make_keys, validations

from .conftest import JSON, build_app


def _guarded(config: dict[str, Any], **extra: Any) -> FlaskClient:
    app, _ = build_app({**config, "SCALEKIT_API_KEYS": True, **extra})

    @app.get("/api/machine")
    @machine_required
    def machine() -> Any:
        found = get_current_machine()
        assert found is not None
        return jsonify({**found.to_dict(), "team": found.claims.get("team")})

    @app.get("/api/orders")
    @require_machine(KEY_SCOPE)
    def orders() -> Any:
        return jsonify(ok=True)

    @app.get("/api/me")
    @api_login_required
    def me() -> Any:
        return jsonify(current_user.to_dict())

    return app.test_client()


@pytest.fixture
def guarded(config: dict[str, Any]) -> FlaskClient:
    return _guarded(config)


def test_api_key_is_a_machine_with_its_organization(
    guarded: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    keys = make_keys(scalekit_emulator)
    for headers in ({"X-API-Key": keys.acme}, {"Authorization": f"Bearer {keys.acme}"}):
        answer = guarded.get("/api/machine", headers={**JSON, **headers})
        assert answer.status_code == 200, headers
        body = answer.get_json()
        assert body["organization_id"] == "org_acme" and body["client_id"] == keys.acme_token_id
        assert body["scopes"] == [KEY_SCOPE] and body["team"] == "ops"
        assert guarded.get("/api/orders", headers={**JSON, **headers}).status_code == 200
        assert guarded.get("/api/me", headers={**JSON, **headers}).status_code == 401
    globex = {**JSON, "X-API-Key": keys.globex}
    assert guarded.get("/api/machine", headers=globex).get_json()["organization_id"] == "org_globex"
    assert guarded.get("/api/orders", headers=globex).status_code == 403


def test_refused_keys_and_one_validation_per_key(
    guarded: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    keys = make_keys(scalekit_emulator)
    before = validations(scalekit_emulator)
    for key in (keys.revoked, "skat_never-issued-key", "bad key!", "x" * 600):
        answer = guarded.get("/api/machine", headers={**JSON, "X-API-Key": key})
        assert answer.status_code == 401, key
    assert validations(scalekit_emulator) == before + 2  # malformed keys are not sent
    for _ in range(3):
        assert (
            guarded.get("/api/machine", headers={**JSON, "X-API-Key": keys.acme}).status_code == 200
        )
        assert (
            guarded.get("/api/machine", headers={**JSON, "X-API-Key": keys.revoked}).status_code
            == 401
        )
    assert validations(scalekit_emulator) == before + 3  # cached, refusals too
    both = {**JSON, "X-API-Key": keys.acme, "Authorization": f"Bearer {keys.acme}"}
    assert guarded.get("/api/machine", headers=both).status_code == 401


def test_api_keys_are_off_unless_enabled(
    make_app: Callable[..., tuple[Flask, Scalekit]], scalekit_emulator: EmulatorHandle
) -> None:
    app, _ = make_app()

    @app.get("/api/machine")
    @machine_required
    def machine() -> Any:
        return jsonify(ok=True)

    keys = make_keys(scalekit_emulator)
    before = validations(scalekit_emulator)
    client = app.test_client()
    assert client.get("/api/machine", headers={**JSON, "X-API-Key": keys.acme}).status_code == 401
    assert validations(scalekit_emulator) == before


def test_custom_header_and_outage(
    config: dict[str, Any], scalekit_emulator: EmulatorHandle
) -> None:
    guarded = _guarded(config, SCALEKIT_API_KEY_HEADER="X-Service-Key")
    keys = make_keys(scalekit_emulator)
    assert (
        guarded.get("/api/machine", headers={**JSON, "X-Service-Key": keys.acme}).status_code == 200
    )
    assert guarded.get("/api/machine", headers={**JSON, "X-API-Key": keys.acme}).status_code == 401
    scalekit_emulator.inject_fault("/api/v1/tokens:validate", status=503, count=10)
    answer = guarded.get("/api/machine", headers={**JSON, "X-Service-Key": keys.globex})
    assert answer.status_code == 401  # Scalekit unreachable: anonymous, never a 500
