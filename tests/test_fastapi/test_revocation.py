"""FastAPI: an ended session is refused on its next request (a replayed pre-logout cookie, a
revocation through the app's client), with the cookie store and with Redis."""

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from scalekit_core import WebhookEvent
from scalekit_emulator import EmulatorHandle
from scalekit_emulator.webhooks import new_webhook_secret
from scalekit_fastapi import ScalekitAuth
from tests.redis_server import RedisServer, redis_prefix, redis_server
from tests.test_fastapi.conftest import BASE, HTML, JSON, asgi_client, build_app, login
from tests.webhook_cases import bad_deliveries, event_body, signed

pytestmark = pytest.mark.anyio
__all__ = ["redis_prefix", "redis_server"]

SECRET = new_webhook_secret()


@pytest.fixture(params=["cookie", pytest.param("redis", marks=pytest.mark.redis)])
async def store_auth(
    request: pytest.FixtureRequest, env: dict[str, str]
) -> AsyncIterator[ScalekitAuth]:
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        env = {
            **env,
            "SCALEKIT_REDIS_URL": server.url,
            "SCALEKIT_REDIS_PREFIX": request.getfixturevalue("redis_prefix"),
        }
    auth = ScalekitAuth.from_env({**env, "SCALEKIT_WEBHOOK_SECRET": SECRET})
    yield auth
    await auth.aclose()


def _replay(app: object, cookies: httpx.Cookies) -> httpx.AsyncClient:
    replay = asgi_client(app)
    for cookie in cookies.jar:
        replay.cookies.set(cookie.name, cookie.value or "")
    return replay


def assert_refused_cleared(page: httpx.Response) -> None:
    assert page.status_code == 302 and page.headers["location"].startswith("/auth/login")
    assert any(
        v.startswith('scalekit_session=""') or v.startswith("scalekit_session=;")
        for v in page.headers.get_list("set-cookie")
    ), page.headers


async def test_replayed_pre_logout_cookie_is_refused(
    store_auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    app = build_app(store_auth)
    async with asgi_client(app) as client:
        await login(client, scalekit_emulator)
        copied = httpx.Cookies(client.cookies)
        assert (await client.get("/me", headers=HTML)).status_code == 200
        out = await client.post("/auth/logout", headers={"origin": BASE})
        assert out.status_code == 302
    async with _replay(app, copied) as replay:
        assert_refused_cleared(await replay.get("/me", headers=HTML))
    async with _replay(app, copied) as replay:
        api = await replay.get("/api/me", headers=JSON)
        assert api.status_code == 401 and api.json()["error"] == "unauthenticated"


async def test_revocations_through_the_client_end_the_session(
    store_auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    app = build_app(store_auth)
    async with asgi_client(app) as laptop, asgi_client(app) as phone:
        await login(laptop, scalekit_emulator)
        await login(phone, scalekit_emulator)
        me = (await laptop.get("/api/me", headers=JSON)).json()
        await store_auth.client.session.revoke_session(session_id=me["session_id"])
        assert_refused_cleared(await laptop.get("/me", headers=HTML))
        assert (await phone.get("/me", headers=HTML)).status_code == 200
        await store_auth.client.session.revoke_all_user_sessions(user_id=me["id"])
        assert (await phone.get("/api/me", headers=JSON)).status_code == 401


async def test_webhooks_end_sessions_and_refuse_junk(
    store_auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    app = build_app(store_auth)
    created: list[str] = []

    @store_auth.on_event("organization.created")
    async def on_created(event: WebhookEvent) -> None:
        created.append(event.data["id"])

    async with asgi_client(app) as browser, asgi_client(app) as hook:
        await login(browser, scalekit_emulator)
        me = (await browser.get("/api/me", headers=JSON)).json()
        revoke = event_body("user.logout", {"session_id": me["session_id"]})
        for what, headers, body, status in bad_deliveries(SECRET, revoke):
            response = await hook.post("/auth/webhooks", content=body, headers=headers)
            assert response.status_code == status, what
            assert "error" in response.json(), what
        assert (await browser.get("/me", headers=HTML)).status_code == 200  # nothing revoked
        ok = await hook.post("/auth/webhooks", content=revoke, headers=signed(SECRET, revoke))
        assert ok.status_code == 200
        again = await hook.post("/auth/webhooks", content=revoke, headers=signed(SECRET, revoke))
        assert again.status_code == 409
        assert_refused_cleared(await browser.get("/me", headers=HTML))
        org = event_body("organization.created", {"id": "org_new"}, "evt_2")
        made = await hook.post("/auth/webhooks", content=org, headers=signed(SECRET, org, "m2"))
        assert made.status_code == 200 and created == ["org_new"]


async def test_starlette_app_gets_the_webhook_route(env: dict[str, str]) -> None:
    auth = ScalekitAuth.from_env({**env, "SCALEKIT_WEBHOOK_SECRET": SECRET})
    app = Starlette(routes=[*auth.routes], middleware=[auth.middleware()])
    body = event_body("user.deleted", {"user_id": "usr_1"})
    async with asgi_client(app) as hook:
        answer = await hook.post("/auth/webhooks", content=body, headers=signed(SECRET, body))
        assert answer.status_code == 200 and answer.json() == {"received": True}
    await auth.aclose()
