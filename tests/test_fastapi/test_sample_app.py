"""The FastAPI sample app's pages against the emulator."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from sample_apps.fastapi_app.app import create_app
from scalekit_emulator import EmulatorHandle

from .conftest import BASE, HTML, JSON, SECRET, asgi_client
from .conftest import login as login_at

pytestmark = pytest.mark.anyio

ORIGIN = {"origin": BASE}


async def login(
    client: httpx.AsyncClient,
    emu: EmulatorHandle,
    start: str = "/login",
    email: str = "alice@acme.test",
) -> httpx.Response:
    """The sample's login lives at /login."""
    return await login_at(client, emu, start, email)


@pytest.fixture
async def sample(scalekit_emulator: EmulatorHandle) -> AsyncIterator[FastAPI]:
    app = create_app(
        {**scalekit_emulator.env(), "APP_BASE_URL": BASE, "SCALEKIT_COOKIE_SECRET": SECRET}
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def browser(sample: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(sample) as http:
        yield http


async def test_home_and_protected_pages_when_anonymous(browser: httpx.AsyncClient) -> None:
    home = await browser.get("/", headers=HTML)
    assert home.status_code == 200 and 'href="/login"' in home.text
    for path in ("/dashboard", "/sessions", "/admin"):
        response = await browser.get(path, headers=HTML)
        assert response.status_code == 302
        assert response.headers["location"] == f"/login?return_to=%2F{path[1:]}"
    api = await browser.get("/api/me", headers=JSON)
    assert api.status_code == 401 and api.json()["error"] == "unauthenticated"


async def test_login_comes_back_to_the_dashboard(
    browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    done = await login(browser, scalekit_emulator, "/login?return_to=/dashboard")
    assert done.headers["location"] == "/dashboard"
    page = await browser.get("/dashboard", headers=HTML)
    assert page.status_code == 200
    for text in ("alice@acme.test", "org_acme", "admin", "users:write", "Access token expires"):
        assert text in page.text
    assert re.search(r"<th>Status</th><td>active</td>", page.text)
    assert '<form method="post" action="/logout"><button type="submit">Sign out</button>' in (
        page.text.replace(' style="display:inline"', "")
    )
    me = (await browser.get("/api/me", headers=JSON)).json()
    assert me["email"] == "alice@acme.test" and me["organization_id"] == "org_acme"


async def test_dashboard_degrades_when_the_session_api_fails(
    browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(browser, scalekit_emulator)
    scalekit_emulator.inject_fault("/api/v1/sessions", status=500, count=20)
    page = await browser.get("/dashboard", headers=HTML)
    assert page.status_code == 200 and "Session details: unavailable" in page.text


async def test_sessions_revoke_own_and_refuse_others(
    sample: FastAPI, browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(browser, scalekit_emulator)
    await login(browser, scalekit_emulator)  # a second session of alice's
    listing = await browser.get("/sessions", headers=HTML)
    ids = re.findall(r'action="/sessions/([^/"]+)/revoke"', listing.text)
    assert len(ids) >= 2 and "Sign out everywhere" in listing.text
    current = (await browser.get("/api/me", headers=JSON)).json()["session_id"]
    other = next(sid for sid in ids if sid != current)
    cross = await browser.post(f"/sessions/{other}/revoke", headers={"origin": "https://evil.test"})
    assert cross.status_code == 403
    revoked = await browser.post(f"/sessions/{other}/revoke", headers=ORIGIN)
    assert revoked.status_code == 303 and revoked.headers["location"] == "/sessions"
    assert (scalekit_emulator.session(other) or {})["status"].lower() == "revoked"

    async with asgi_client(sample) as bob:
        await login(bob, scalekit_emulator, email="bob@acme.test")
        bob_session = (await bob.get("/api/me", headers=JSON)).json()["session_id"]
    refused = await browser.post(f"/sessions/{bob_session}/revoke", headers=ORIGIN)
    assert refused.status_code == 403
    assert (scalekit_emulator.session(bob_session) or {})["status"].lower() == "active"


async def test_sign_out_everywhere(
    browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(browser, scalekit_emulator)
    session_id = (await browser.get("/api/me", headers=JSON)).json()["session_id"]
    out = await browser.post("/sessions/revoke-all", headers=ORIGIN)
    assert out.status_code == 302 and out.headers["location"].startswith(scalekit_emulator.url)
    assert "scalekit_session" not in browser.cookies
    assert (scalekit_emulator.session(session_id) or {})["status"].lower() != "active"
    assert (await browser.get("/api/me", headers=JSON)).status_code == 401


async def test_logout_form_ends_the_session(
    browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(browser, scalekit_emulator)
    assert (await browser.get("/logout", headers=HTML)).status_code == 405
    out = await browser.post("/logout", headers=ORIGIN)
    assert out.status_code == 302
    assert "post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2F" in out.headers["location"]
    assert "Sign in" in (await browser.get("/", headers=HTML)).text


async def test_admin_page_403_for_bob_200_for_alice(
    browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(browser, scalekit_emulator, email="bob@acme.test")
    denied = await browser.get("/admin", headers=HTML)
    assert denied.status_code == 403 and "text/html" in denied.headers["content-type"]
    browser.cookies.clear()
    await login(browser, scalekit_emulator)
    allowed = await browser.get("/admin", headers=HTML)
    assert allowed.status_code == 200 and "org_acme" in allowed.text


async def test_api_me_accepts_bearer_tokens(
    browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    token = scalekit_emulator.mint_access_token("carol@globex.test")
    me = await browser.get("/api/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["is_bearer"] is True
    assert me.json()["organization_id"] == "org_globex"


async def test_user_values_are_escaped(sample: FastAPI, browser: httpx.AsyncClient) -> None:
    from scalekit_fastapi.testing import login_as

    login_as(browser, sample.state.auth, name="<script>x</script>", email="<b>@x.test")
    page = await browser.get("/", headers=HTML)
    assert "<script>x</script>" not in page.text and "&lt;script&gt;" in page.text
    assert "<b>@x.test" not in page.text
