"""Outcomes in Flask: every failure path carries its ``Reason`` on the error hook (the
``error_handler``'s ``WebResponse``), in JSON answers and in one structured log event."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scalekit_core.web import PermissionDenied, User, WebResponse
from scalekit_emulator import EmulatorHandle
from tests.outcome_cases import (
    CALLBACK_FAILURES,
    assert_no_secret,
    callback_query,
    events,
    only_event,
)

from .conftest import BASE_URL, HTML, JSON, build_app, login, start_login


@pytest.fixture
def hooked(config: dict[str, Any]) -> tuple[Flask, list[WebResponse]]:
    seen: list[WebResponse] = []

    def error_handler(web: WebResponse) -> tuple[str, int]:
        seen.append(web)
        return f"branded {web.reason}", web.status

    app, _ = build_app(config, error_handler=error_handler)
    return app, seen


@pytest.mark.parametrize("case", sorted(CALLBACK_FAILURES))
def test_each_callback_failure_has_its_reason_on_the_hook_and_in_the_log(
    hooked: tuple[Flask, list[WebResponse]],
    scalekit_emulator: EmulatorHandle,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    app, seen = hooked
    client = app.test_client()
    status, reason = CALLBACK_FAILURES[case]
    query = callback_query(case, scalekit_emulator, start_login(client))
    with events(caplog) as records:
        response = client.get(f"/auth/callback?{query}", headers=HTML)
    assert response.status_code == status
    assert [web.reason for web in seen] == [reason]
    failed = only_event(records, "sign_in_failed")
    assert failed.reason == reason  # type: ignore[attr-defined]
    assert_no_secret(records, "not-a-code")


def test_sign_in_logout_and_their_events(
    client: FlaskClient, scalekit_emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    with events(caplog) as records:
        login(client, scalekit_emulator)
        me = client.get("/api/data", headers=JSON).get_json()
        client.post("/auth/logout", headers={"Origin": BASE_URL})
    signed_in = only_event(records, "sign_in")
    assert (signed_in.user_id, signed_in.organization_id, signed_in.sid) == (  # type: ignore[attr-defined]
        "usr_alice",
        "org_acme",
        me["session_id"],
    )
    assert signed_in.reason is None  # type: ignore[attr-defined]
    assert only_event(records, "logout").user_id == "usr_alice"  # type: ignore[attr-defined]
    assert_no_secret(records, "eyJ", "rt_")


def test_refresh_refresh_denied_and_revoked_sessions(
    config: dict[str, Any], scalekit_emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    app, scalekit = build_app(config)
    client = app.test_client()
    scalekit_emulator.set_token_lifetimes(access_token=1)
    login(client, scalekit_emulator)
    time.sleep(1.1)
    with events(caplog) as records:
        assert client.get("/private", headers=HTML).status_code == 200
    assert only_event(records, "refresh").user_id == "usr_alice"  # type: ignore[attr-defined]

    # Scalekit ends the session: the next refresh is refused and the session ends.
    me = client.get("/api/data", headers=JSON).get_json()
    scalekit_emulator.emulator.revoke_session(me["session_id"])
    time.sleep(1.1)
    with events(caplog) as records:
        answer = client.get("/api/data", headers=JSON)
    assert answer.status_code == 401 and answer.get_json()["reason"] == "refresh_denied"
    denied = only_event(records, "refresh_failed")
    assert (denied.reason, denied.user_id) == ("refresh_denied", "usr_alice")  # type: ignore[attr-defined]

    # Sign-out everywhere through the app: a revocation event.
    with app.app_context(), events(caplog) as records:
        scalekit.manager.end_user_sessions("usr_alice")
    assert only_event(records, "revocation").user_id == "usr_alice"  # type: ignore[attr-defined]


def test_transient_refresh_failure_is_logged_and_keeps_the_session(
    config: dict[str, Any], scalekit_emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = build_app(config)
    client = app.test_client()
    scalekit_emulator.set_token_lifetimes(access_token=1)
    login(client, scalekit_emulator)
    time.sleep(1.1)
    scalekit_emulator.inject_fault("/oauth/token", status=503, count=10)
    with events(caplog) as records:
        answer = client.get("/api/data", headers=JSON)
    assert answer.status_code == 401 and answer.get_json()["reason"] == "refresh_failed"
    assert only_event(records, "refresh_failed").reason == "refresh_failed"  # type: ignore[attr-defined]
    assert answer.headers.get("Set-Cookie") is None  # the session is kept for a later try
    scalekit_emulator.clear_faults()


def test_replayed_cookie_after_logout_is_session_revoked(
    client: FlaskClient,
    scalekit_emulator: EmulatorHandle,
    caplog: pytest.LogCaptureFixture,
    app: Flask,
) -> None:
    login(client, scalekit_emulator)
    copied = client.get_cookie("scalekit_session")
    assert copied is not None
    client.post("/auth/logout", headers={"Origin": BASE_URL})
    replay = app.test_client()
    replay.set_cookie("scalekit_session", copied.value)
    with events(caplog) as records:
        answer = replay.get("/api/data", headers=JSON)
    assert answer.get_json()["reason"] == "session_revoked"
    ended = only_event(records, "session_ended")
    assert (ended.reason, ended.user_id) == ("session_revoked", "usr_alice")  # type: ignore[attr-defined]


def test_guards_logout_and_login_requests_carry_their_reasons(
    hooked: tuple[Flask, list[WebResponse]],
    scalekit_emulator: EmulatorHandle,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, seen = hooked
    client = app.test_client()
    assert client.get("/private", headers=JSON).get_json()["reason"] == "authentication_required"
    bearer = client.get("/private", headers={"Authorization": "Bearer junk", **JSON})
    assert bearer.get_json()["reason"] == "invalid_token"
    with events(caplog) as records:
        assert client.get("/auth/login?max_age=-1", headers=HTML).status_code == 400
    assert only_event(records, "sign_in_failed").reason == "invalid_request"  # type: ignore[attr-defined]
    assert client.get("/auth/logout", headers=HTML).status_code == 405
    assert (
        client.post("/auth/logout", headers={"Origin": "https://evil.example"}).status_code == 403
    )
    login(client, scalekit_emulator, "bob@acme.test")
    assert client.get("/admin", headers=HTML).status_code == 403
    assert client.get("/role", headers=JSON).get_json()["reason"] == "missing_role"
    assert [web.reason for web in seen] == [
        "invalid_request",
        "method_not_allowed",
        "cross_site_request",
        "missing_permission",
    ]


def test_on_login_refusal_is_access_denied(
    config: dict[str, Any], scalekit_emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(user: User, auth: object) -> None:
        raise PermissionDenied("forbidden", "not here")

    app, _ = build_app(config, on_login=refuse)
    client = app.test_client()
    callback = scalekit_emulator.sign_in(start_login(client))
    with events(caplog) as records:
        response = client.get(callback.replace(callback.split("/auth/")[0], ""), headers=HTML)
    assert response.status_code == 403
    failed = only_event(records, "sign_in_failed")
    assert (failed.reason, failed.user_id) == ("access_denied", "usr_alice")  # type: ignore[attr-defined]
