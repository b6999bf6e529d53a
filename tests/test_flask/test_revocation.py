"""Flask: an ended session is refused on its next request (replayed pre-logout cookie, a
revocation through the app's client), with the cookie store and with Redis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scalekit_core import WebhookEvent
from scalekit_core.web import CookieSessionStore
from scalekit_core.web.outcomes import reason_of
from scalekit_emulator import EmulatorHandle
from scalekit_emulator.webhooks import new_webhook_secret
from scalekit_flask import Scalekit
from tests.redis_server import RedisServer, redis_prefix, redis_server
from tests.test_flask.conftest import BASE_URL, HTML, JSON, build_app, login
from tests.webhook_cases import bad_deliveries, event_body, signed

__all__ = ["redis_prefix", "redis_server"]

MakeApp = Callable[..., tuple[Flask, Scalekit]]


@pytest.fixture(
    params=[
        "cookie",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("redis+cookie", marks=pytest.mark.redis),
    ]
)
def store_app(request: pytest.FixtureRequest, config: dict[str, Any]) -> MakeApp:
    """Apps with the cookie store, the Redis store, or cookie sessions with Redis revocations."""
    kind: str = request.param
    if kind != "cookie":
        server: RedisServer = request.getfixturevalue("redis_server")
        prefix: str = request.getfixturevalue("redis_prefix")
        config = {**config, "SCALEKIT_REDIS_URL": server.url, "SCALEKIT_REDIS_PREFIX": prefix}

    def make(webhook_secret: str | None = None, **options: Any) -> tuple[Flask, Scalekit]:
        if kind == "redis+cookie":
            options["session_options"] = {"store": CookieSessionStore()}
        extra = {"SCALEKIT_WEBHOOK_SECRET": webhook_secret} if webhook_secret else {}
        return build_app({**config, **extra}, **options)

    return make


def _cookies(client: FlaskClient) -> dict[str, str]:
    return {c.key: c.value for c in client._cookies.values()}


def _replay(app: Flask, cookies: dict[str, str]) -> FlaskClient:
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def test_replayed_pre_logout_cookie_is_refused(
    store_app: MakeApp, scalekit_emulator: EmulatorHandle
) -> None:
    app, _ = store_app()
    client = app.test_client()
    login(client, scalekit_emulator)
    copied = _cookies(client)
    assert client.get("/private", headers=HTML).status_code == 200
    assert client.post("/auth/logout", headers={"Origin": BASE_URL}).status_code == 302

    page = _replay(app, copied).get("/private", headers=HTML)
    assert page.status_code == 302 and page.headers["Location"].startswith("/auth/login")
    assert any(
        h.startswith("scalekit_session=;") for h in page.headers.getlist("Set-Cookie")
    )  # cleared
    api = _replay(app, copied).get("/api/data", headers=JSON)
    assert api.status_code == 401 and api.json == {
        "error": "unauthenticated",
        "reason": "session_revoked",
        "error_description": api.json["error_description"],  # type: ignore[index]
    }


def test_revocations_through_the_client_end_the_session_at_once(
    store_app: MakeApp, scalekit_emulator: EmulatorHandle
) -> None:
    app, scalekit = store_app()
    laptop, phone, bob = app.test_client(), app.test_client(), app.test_client()
    login(laptop, scalekit_emulator)
    login(phone, scalekit_emulator)
    login(bob, scalekit_emulator, "bob@acme.test")
    me = laptop.get("/api/data", headers=JSON).json
    assert me is not None
    with app.app_context():
        scalekit.client.session.revoke_session(session_id=me["session_id"])
    assert laptop.get("/private", headers=HTML).status_code == 302
    assert phone.get("/private", headers=HTML).status_code == 200

    with app.app_context():
        scalekit.client.session.revoke_all_user_sessions(user_id=me["id"])
    assert phone.get("/api/data", headers=JSON).status_code == 401
    assert bob.get("/private", headers=HTML).status_code == 200  # another user: untouched
    # Signing in again after "sign out everywhere" gives a working session.
    login(phone, scalekit_emulator)
    assert phone.get("/private", headers=HTML).status_code == 200


def test_webhooks_end_sessions_and_refuse_junk(
    store_app: MakeApp, scalekit_emulator: EmulatorHandle
) -> None:
    secret = new_webhook_secret()
    app, scalekit = store_app(webhook_secret=secret)
    created: list[WebhookEvent] = []
    scalekit.on_event("organization.created")(created.append)
    browser = app.test_client()
    login(browser, scalekit_emulator)
    me = browser.get("/api/data", headers=JSON).json
    assert me is not None
    revoke = event_body("session.revoked", {"session_id": me["session_id"]})
    hook = app.test_client()
    for what, headers, body, status in bad_deliveries(secret, revoke):
        response = hook.post("/auth/webhooks", data=body, headers=headers)
        assert response.status_code == status, what
        assert response.json is not None and "error" in response.json, what
        assert reason_of(response.json["reason"]) is not None, what  # one of the Reasons
    assert browser.get("/private", headers=HTML).status_code == 200  # nothing revoked

    assert (
        hook.post("/auth/webhooks", data=revoke, headers=signed(secret, revoke)).status_code == 200
    )
    again = hook.post("/auth/webhooks", data=revoke, headers=signed(secret, revoke))
    assert again.status_code == 409  # a replayed webhook-id
    assert again.json is not None and again.json["reason"] == "replayed"
    assert browser.get("/private", headers=HTML).status_code == 302

    org = event_body("organization.created", {"id": "org_new"}, "evt_2")
    assert (
        hook.post("/auth/webhooks", data=org, headers=signed(secret, org, "m2")).status_code == 200
    )
    assert [event.data["id"] for event in created] == ["org_new"]


def test_webhook_route_is_off_without_a_secret(config: dict[str, Any]) -> None:
    app, _ = build_app(config)
    body = event_body("user.deleted", {"user_id": "usr_1"})
    assert app.test_client().post("/auth/webhooks", data=body).status_code == 404
