"""The emulator's webhooks: signed Standard Webhooks deliveries (verified by the core's own
verifier), for revocations through its management API, logout, user deletion and membership
removal, retried with the same webhook-id until the endpoint answers 2xx."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest

from scalekit_core import CreateMembership, ScalekitClient, WebhookEvent, verify_webhook
from scalekit_emulator import EmulatorHandle
from scalekit_emulator.__main__ import parse_args
from scalekit_emulator.embedded import start_unless_configured

from .conftest import login


class Receiver:
    """An HTTP endpoint recording deliveries; answers ``statuses`` in turn, then 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.got = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver.got:
                    receiver.received.append(
                        ({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.got.notify_all()
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self, secret: str) -> list[WebhookEvent]:
        return [verify_webhook(secret, headers, body) for headers, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(scalekit_emulator: EmulatorHandle) -> Iterator[Receiver]:
    made = Receiver()
    scalekit_emulator.emulator.webhooks.retry_delays = (0.05, 0.1, 0.2)
    yield made
    scalekit_emulator.emulator.webhooks.clear()
    made.close()


def _client(emu: EmulatorHandle) -> ScalekitClient:
    return ScalekitClient(emu.url, emu.client_id, emu.client_secret)


def test_management_revocations_are_delivered_signed(
    scalekit_emulator: EmulatorHandle, receiver: Receiver, http: httpx.Client
) -> None:
    emu = scalekit_emulator
    secret = emu.register_webhook(receiver.url)
    first, second = login(emu, http), login(emu, http)
    sid = jwt.decode(str(first["access_token"]), options={"verify_signature": False})["sid"]
    with _client(emu) as client:
        client.session.revoke_session(session_id=sid)
        client.session.revoke_session(session_id=sid)  # already revoked: no second event
        user_id = client.session.get_session(session_id=sid).user_id
        client.session.revoke_all_user_sessions(user_id=user_id)
    assert emu.wait_for_webhooks()
    events = receiver.events(secret)
    assert [e.type for e in events] == ["session.revoked", "session.revoked"]
    assert events[0].session_id == sid and events[0].user_id == user_id
    other = jwt.decode(str(second["access_token"]), options={"verify_signature": False})["sid"]
    assert events[1].session_id == other
    assert events[0].organization_id and events[0].occurred_at is not None
    headers = receiver.received[0][0]
    assert headers["content-type"] == "application/json" and headers["webhook-id"].startswith(
        "msg_"
    )


def test_failed_deliveries_are_retried_with_the_same_id(
    scalekit_emulator: EmulatorHandle, receiver: Receiver, http: httpx.Client
) -> None:
    emu = scalekit_emulator
    secret = emu.register_webhook(receiver.url)
    receiver.statuses = [500, 503]
    login(emu, http)
    assert emu.delete_user(next(iter(emu.emulator.state.users)))
    assert emu.wait_for_webhooks()
    ids = {headers["webhook-id"] for headers, _ in receiver.received}
    assert len(receiver.received) == 3 and len(ids) == 1
    assert [e.type for e in receiver.events(secret)] == ["user.deleted"] * 3
    (delivery,) = emu.webhook_deliveries()
    assert delivery["statuses"] == [500, 503, 200] and delivery["delivered"]


def test_an_endpoint_that_never_answers_is_given_up(
    scalekit_emulator: EmulatorHandle, receiver: Receiver
) -> None:
    emu = scalekit_emulator
    emu.register_webhook("http://127.0.0.1:9/unreachable")  # discard port: refused
    emu.emulator.webhooks.emit("organization.created", {"id": "org_1"})
    assert emu.wait_for_webhooks()
    (delivery,) = emu.webhook_deliveries()
    assert delivery["attempts"] == 4 and delivery["gave_up"] and not delivery["delivered"]


def test_logout_user_deletion_and_membership_removal(
    scalekit_emulator: EmulatorHandle, receiver: Receiver, http: httpx.Client
) -> None:
    emu = scalekit_emulator
    secret = emu.register_webhook(receiver.url)
    tokens = login(emu, http)
    logout = http.get("/oidc/logout", params={"id_token_hint": str(tokens["id_token"])})
    assert logout.status_code < 400
    with _client(emu) as client:
        bob = next(u for u in emu.emulator.state.users.values() if u.email == "bob@acme.test")
        client.user.delete_user(bob.id)
        carol = next(u for u in emu.emulator.state.users.values() if u.email == "carol@globex.test")
        acme = bob.organization_id
        client.users.create_membership(acme, carol.id, CreateMembership(roles=["member"]))
        client.users.delete_membership(acme, carol.id)
    assert not emu.remove_membership(carol.id, acme)
    with pytest.raises(ValueError, match="only membership"):
        emu.remove_membership(carol.id, carol.organization_id)
    assert emu.wait_for_webhooks()
    events = receiver.events(secret)
    assert [e.type for e in events] == [
        "user.logout",
        "user.deleted",
        "user.organization_membership_deleted",
    ]
    assert events[1].user_id == bob.id and events[2].user_id == carol.id


def test_the_control_endpoint(
    scalekit_emulator: EmulatorHandle, receiver: Receiver, http: httpx.Client
) -> None:
    made = http.post("/_emulator/webhooks", json={"url": receiver.url})
    assert made.status_code == 200 and made.json()["secret"].startswith("whsec_")
    assert http.post("/_emulator/webhooks", json={"url": "ftp://x"}).status_code == 400
    assert http.post("/_emulator/webhooks", json={"url": 1}).status_code == 400
    bad_secret = http.post("/_emulator/webhooks", json={"url": receiver.url, "secret": "!"})
    assert bad_secret.status_code == 400
    scalekit_emulator.emulator.webhooks.emit("organization.created", {"id": "org_1"})
    assert scalekit_emulator.wait_for_webhooks()
    listed = http.get("/_emulator/webhooks").json()
    assert listed["endpoints"] == [receiver.url] and listed["deliveries"][0]["delivered"]
    assert http.post("/_emulator/webhooks/clear").status_code == 200
    assert http.get("/_emulator/webhooks").json() == {"endpoints": [], "deliveries": []}


def test_command_line_and_embedded_registration() -> None:
    args = parse_args(["--webhook-url", "http://127.0.0.1:5000/auth/webhooks"])
    assert args.webhook_urls == ["http://127.0.0.1:5000/auth/webhooks"]
    env: dict[str, str] = {}
    server = start_unless_configured(env, port=0, webhook_url="http://127.0.0.1:1/auth/webhooks")
    assert server is not None
    try:
        assert env["SCALEKIT_WEBHOOK_SECRET"].startswith("whsec_")
        (endpoint,) = server.emulator.webhooks.endpoints
        assert endpoint.secret == env["SCALEKIT_WEBHOOK_SECRET"]
    finally:
        server.stop()
