"""Webhook events: parsing, verification, handlers, and the endpoint's answers through the
session managers (every refused delivery a clean 4xx that revokes nothing)."""

from __future__ import annotations

import json
import time
from datetime import timezone

import pytest

from scalekit_core import (
    AsyncScalekitClient,
    InvalidWebhookEvent,
    ScalekitClient,
    WebhookEvent,
    WebhookHandlers,
    WebhookVerificationError,
    verify_webhook,
)
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import AsyncSessionManager, SessionManager, SessionSettings, WebRequest
from scalekit_core.web.webhook_endpoint import MAX_WEBHOOK_BYTES
from scalekit_core.webhook_events import parse_webhook_event
from scalekit_emulator.webhooks import new_webhook_secret
from tests.webhook_cases import event_body, signed

SECRET = new_webhook_secret()
COOKIE_SECRET = "webhook-test-secret-" + "x" * 32


def delivery(
    body: bytes, webhook_id: str = "msg_1", timestamp: float | None = None, secret: str = SECRET
) -> WebRequest:
    return WebRequest("POST", "/auth/webhooks", "", signed(secret, body, webhook_id, timestamp), {})


def test_parse_reads_the_envelope_and_the_ids() -> None:
    event = parse_webhook_event(event_body("session.revoked", {"session_id": "ses_1"}), "msg_1")
    assert (event.id, event.type, event.webhook_id) == ("evt_1", "session.revoked", "msg_1")
    assert event.occurred_at is not None and event.occurred_at.tzinfo == timezone.utc
    assert event.occurred_at.microsecond == 123456
    assert event.organization_id == "org_acme" and event.session_id == "ses_1"
    nested = parse_webhook_event(event_body("user.deleted", {"user": {"id": "usr_1"}}))
    assert nested.user_id == "usr_1" and nested.session_id is None
    for junk in (
        b"",
        b"[]",
        b"{",
        b'{"type": "x"}',
        b'{"id": "e", "type": "x", "data": 1}',
        b"[" * 5000 + b"]" * 5000,
        b'{"id": "e", "type": "t", "data": ' + b'{"a":' * 40 + b"1" + b"}" * 40 + b"}",
        b"\xff\xfe",
    ):
        with pytest.raises(InvalidWebhookEvent):
            parse_webhook_event(junk)


def test_verify_webhook_checks_signature_and_time() -> None:
    body = event_body("organization.created", {"id": "org_1"})
    request = delivery(body)
    assert verify_webhook(SECRET, request.headers, body).type == "organization.created"
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, request.headers, body + b" ")
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify_webhook(SECRET, delivery(body, timestamp=time.time() - 3600).headers, body)


def test_handlers_registry() -> None:
    handlers = WebhookHandlers()
    seen: list[str] = []

    @handlers.on_event("organization.created", "organization.updated")
    def one(event: WebhookEvent) -> None:
        seen.append(event.type)

    handlers.add("*", lambda event: None)
    assert handlers.handlers_for("organization.created")[0] is one
    assert len(handlers.handlers_for("organization.created")) == 2
    assert len(handlers.handlers_for("user.created")) == 1
    with pytest.raises(ValueError):
        handlers.on_event()


def _manager() -> SessionManager:
    settings = SessionSettings(
        secrets=COOKIE_SECRET, base_url="https://app.example", webhook_secret=SECRET
    )
    return SessionManager(ScalekitClient("https://sk.example", "skc_1", "s"), settings)


def _signed_in(manager: SessionManager, user_id: str, sid: str) -> WebRequest:
    cookies = make_session_cookies(manager.settings, user_id=user_id, session_id=sid)
    return WebRequest("GET", "/", "", {"accept": "text/html"}, cookies)


def test_endpoint_refuses_junk_cleanly_and_revokes_nothing() -> None:
    manager = _manager()
    alice = _signed_in(manager, "usr_alice", "ses_1")
    revoke = event_body("session.revoked", {"session_id": "ses_1", "user_id": "usr_alice"})
    wipe = event_body("user.deleted", {"user_id": "usr_alice"})
    cases = [
        (delivery(revoke, secret=new_webhook_secret()), revoke, 401),  # bad signature
        (delivery(revoke, timestamp=time.time() - 600), revoke, 401),  # stale
        (delivery(revoke, timestamp=time.time() + 600), revoke, 401),  # from the future
        (WebRequest("POST", "/auth/webhooks", "", {}, {}), revoke, 401),  # unsigned
        (delivery(b"x" * (MAX_WEBHOOK_BYTES + 1)), b"x" * (MAX_WEBHOOK_BYTES + 1), 413),
        (delivery(b"not json"), b"not json", 400),
        (delivery(b'{"id": 1}'), b'{"id": 1}', 400),
        (WebRequest("GET", "/auth/webhooks", "", delivery(wipe).headers, {}), wipe, 405),
    ]
    for request, body, status in cases:
        response = manager.handle_webhook(request, body)
        assert response.status == status, (status, response.body)
        assert response.headers["Content-Type"] == "application/json"
        assert "error" in json.loads(response.body)
    # A delivery signed for one body and sent with another is refused too.
    assert manager.handle_webhook(delivery(revoke), wipe).status == 401
    assert manager.load(alice).user is not None  # nothing was revoked

    assert manager.handle_webhook(delivery(revoke, "msg_ok"), revoke).status == 200
    assert manager.load(alice).user is None
    replay = manager.handle_webhook(delivery(revoke, "msg_ok"), revoke)
    assert replay.status == 409 and json.loads(replay.body)["error"] == "replayed"


def test_endpoint_user_events_and_app_handlers() -> None:
    manager = _manager()
    laptop, phone = _signed_in(manager, "usr_a", "ses_1"), _signed_in(manager, "usr_a", "ses_2")
    bob = _signed_in(manager, "usr_b", "ses_3")
    received: list[WebhookEvent] = []
    manager.webhook_handlers.on_event("user.organization_membership_deleted")(received.append)
    body = event_body("user.organization_membership_deleted", {"user": {"id": "usr_a"}})
    assert manager.handle_webhook(delivery(body, "msg_1"), body).status == 200
    assert manager.load(laptop).user is None and manager.load(phone).user is None
    assert manager.load(bob).user is not None
    assert [event.user_id for event in received] == ["usr_a"]


def test_a_failing_handler_is_a_500_and_the_retry_is_handled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    manager = _manager()
    attempts: list[str] = []

    @manager.webhook_handlers.on_event("organization.created")
    def flaky(event: WebhookEvent) -> None:
        attempts.append(event.id)
        if len(attempts) == 1:
            raise RuntimeError("database down")

    body = event_body("organization.created", {"id": "org_new"})
    failed = manager.handle_webhook(delivery(body, "msg_9"), body)
    assert failed.status == 500 and json.loads(failed.body)["error"] == "handler_failed"
    assert "Traceback" not in failed.body and "database down" not in failed.body
    assert "organization.created" in caplog.text
    assert manager.handle_webhook(delivery(body, "msg_9"), body).status == 200  # the retry
    assert attempts == ["evt_1", "evt_1"]


@pytest.mark.anyio
async def test_async_endpoint_with_async_handlers() -> None:
    settings = SessionSettings(
        secrets=COOKIE_SECRET, base_url="https://app.example", webhook_secret=SECRET
    )
    async with AsyncScalekitClient("https://sk.example", "skc_1", "s") as client:
        manager = AsyncSessionManager(client, settings)
        seen: list[str] = []

        @manager.webhook_handlers.on_event("session.expired")
        async def on_expired(event: WebhookEvent) -> None:
            seen.append(event.session_id or "")

        cookies = make_session_cookies(settings, user_id="usr_a", session_id="ses_1")
        request = WebRequest("GET", "/", "", {"accept": "text/html"}, cookies)
        body = event_body("session.expired", {"sessionId": "ses_1"})
        assert (await manager.handle_webhook(delivery(body), body)).status == 200
        assert (await manager.load(request)).user is None and seen == ["ses_1"]
        assert (await manager.handle_webhook(delivery(body), body)).status == 409
        assert (await manager.handle_webhook(delivery(b"{}"), b"{}")).status == 400


def test_endpoint_is_off_without_a_secret_and_a_bad_secret_is_refused() -> None:
    settings = SessionSettings(secrets=COOKIE_SECRET, base_url="https://app.example")
    manager = SessionManager(ScalekitClient("https://sk.example", "skc_1", "s"), settings)
    body = event_body("user.deleted", {"user_id": "usr_a"})
    assert manager.handle_webhook(delivery(body), body).status == 404
    from scalekit_core import ConfigurationError

    with pytest.raises(ConfigurationError, match="whsec"):
        SessionSettings(secrets=COOKIE_SECRET, base_url="https://a.example", webhook_secret="x!")
