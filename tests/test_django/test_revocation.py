"""Django: an ended session is refused on its next request (a replayed pre-logout cookie, a
revocation through the app's client), sync and async, with the cookie store and with Redis."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient, Client

from scalekit_core import WebhookEvent
from scalekit_django.conf import get_async_client, get_client
from scalekit_django.signals import on_event
from scalekit_emulator import EmulatorHandle
from scalekit_emulator.webhooks import new_webhook_secret
from tests.redis_server import RedisServer, redis_prefix, redis_server
from tests.webhook_cases import bad_deliveries, event_body, signed

from .conftest import HTML, asign_in, sign_in

__all__ = ["redis_prefix", "redis_server"]

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
SECRET = new_webhook_secret()
CREATED: list[str] = []


@on_event("organization.created")
def _organization_created(event: WebhookEvent) -> None:
    CREATED.append(event.data["id"])


@on_event("organization.updated")
async def _organization_updated(event: WebhookEvent) -> None:
    CREATED.append("updated " + event.data["id"])


@pytest.fixture(params=["cookie", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest, scalekit: EmulatorHandle, settings: Any) -> str:
    settings.SCALEKIT_WEBHOOK_SECRET = SECRET
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        settings.SCALEKIT_REDIS_URL = server.url
        settings.SCALEKIT_REDIS_PREFIX = request.getfixturevalue("redis_prefix")
    return str(request.param)


def _replay(client: Client | AsyncClient, cookies: Any) -> None:
    for name, morsel in cookies.items():
        client.cookies[name] = morsel.value


def assert_refused_cleared(page: Any) -> None:
    assert page.status_code == 302 and page["Location"].startswith("/login")
    assert page.cookies["scalekit_session"].value == ""  # cleared


def test_replayed_pre_logout_cookie_is_refused(store: str, scalekit: EmulatorHandle) -> None:
    client = Client()
    sign_in(client, scalekit)
    copied = {name: morsel for name, morsel in client.cookies.items()}
    assert client.get("/dashboard", **HTML).status_code == 200
    assert client.post("/logout", **HTML).status_code == 302

    replay = Client()
    _replay(replay, copied)
    assert_refused_cleared(replay.get("/dashboard", **HTML))
    replay = Client()
    _replay(replay, copied)
    api = replay.get("/api/me", **JSON)
    assert api.status_code == 401 and api.json()["error"] == "unauthenticated"


def test_revocation_through_the_client_ends_the_session(
    store: str, scalekit: EmulatorHandle
) -> None:
    laptop, phone = Client(), Client()
    sign_in(laptop, scalekit)
    sign_in(phone, scalekit)
    me = laptop.get("/api/me", **JSON).json()
    get_client().session.revoke_session(session_id=me["session_id"])
    assert_refused_cleared(laptop.get("/dashboard", **HTML))
    assert phone.get("/dashboard", **HTML).status_code == 200
    get_client().session.revoke_all_user_sessions(user_id=me["id"])
    assert phone.get("/api/me", **JSON).status_code == 401


@pytest.mark.anyio
async def test_async_replayed_cookie_and_async_client_revocation(
    store: str, async_scalekit: EmulatorHandle
) -> None:
    client = AsyncClient()
    await asign_in(client, async_scalekit)
    copied = {name: morsel for name, morsel in client.cookies.items()}
    assert (await client.post("/logout", headers={"accept": "text/html"})).status_code == 302
    replay = AsyncClient()
    _replay(replay, copied)
    assert_refused_cleared(await replay.get("/dashboard", headers={"accept": "text/html"}))

    other = AsyncClient()
    await asign_in(other, async_scalekit)
    me = (await other.get("/api/me", headers={"accept": "application/json"})).json()
    await get_async_client().session.revoke_session(session_id=me["session_id"])
    assert (await other.get("/api/me", headers={"accept": "application/json"})).status_code == 401


def _django_headers(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}


def test_webhooks_end_sessions_and_refuse_junk(store: str, scalekit: EmulatorHandle) -> None:
    browser = Client()
    sign_in(browser, scalekit)
    me = browser.get("/api/me", **JSON).json()
    revoke = event_body("session.revoked", {"session_id": me["session_id"]})
    hook = Client(enforce_csrf_checks=True)  # the endpoint is CSRF-exempt: signed instead

    def post(body: bytes, headers: dict[str, str]) -> Any:
        return hook.post(
            "/auth/webhooks", body, content_type="application/json", **_django_headers(headers)
        )

    for what, headers, body, status in bad_deliveries(SECRET, revoke):
        response = post(body, headers)
        assert response.status_code == status, what
        assert "error" in response.json(), what
    assert browser.get("/dashboard", **HTML).status_code == 200  # nothing revoked
    assert post(revoke, signed(SECRET, revoke)).status_code == 200
    assert post(revoke, signed(SECRET, revoke)).status_code == 409
    assert_refused_cleared(browser.get("/dashboard", **HTML))
    CREATED.clear()
    org = event_body("organization.created", {"id": "org_new"}, "evt_2")
    assert post(org, signed(SECRET, org, "m2")).status_code == 200
    assert CREATED == ["org_new"]


@pytest.mark.anyio
async def test_async_webhook(store: str, async_scalekit: EmulatorHandle) -> None:
    body = event_body("user.deleted", {"user_id": "usr_gone"})
    answer = await AsyncClient().post(
        "/auth/webhooks",
        body,
        content_type="application/json",
        headers=signed(SECRET, body, "m_async"),
    )
    assert answer.status_code == 200 and answer.json() == {"received": True}
    CREATED.clear()
    updated = event_body("organization.updated", {"id": "org_1"}, "evt_3")
    answer = await AsyncClient().post(
        "/auth/webhooks",
        updated,
        content_type="application/json",
        headers=signed(SECRET, updated, "m_async_2"),
    )
    assert answer.status_code == 200 and CREATED == ["updated org_1"]  # an async receiver
