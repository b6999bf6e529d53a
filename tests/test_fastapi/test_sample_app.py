"""The FastAPI sample app's pages against the emulator."""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from sample_apps.fastapi_app.app import create_app, settings_environ
from scalekit_emulator import EmulatorHandle
from tests.processes import ROOT, free_port, start_process, wait_until

from .conftest import BASE, HTML, JSON, SECRET, asgi_client
from .conftest import login as login_at

pytestmark = pytest.mark.anyio

ORIGIN = {"origin": BASE}
SIGN_OUT = '<form method="post" action="/logout" style="display:inline"><button type="submit">'
NAV = '<nav><a href="/">Home</a>'


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
    # The core's message inside the sample's layout: nav, who is signed in, the sign-out form.
    assert NAV in denied.text and SIGN_OUT in denied.text and "bob@acme.test" in denied.text
    assert denied.text.count("<html") == 1
    assert denied.headers["cache-control"] == "private, no-store"
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


async def test_other_error_pages_keep_the_layout(
    browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(browser, scalekit_emulator, email="bob@acme.test")
    missing = await browser.get("/no-such-page", headers=HTML)
    assert missing.status_code == 404 and "Not Found" in missing.text
    wrong_method = await browser.get("/sessions/revoke-all", headers=HTML)
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    logout_get = await browser.get("/logout", headers=HTML)
    assert logout_get.status_code == 405 and logout_get.headers["allow"] == "POST"
    cross = await browser.post("/sessions/revoke-all", headers={**HTML, "origin": "https://x.test"})
    assert cross.status_code == 403 and "Cross-site requests are refused." in cross.text
    for response in (missing, wrong_method, logout_get, cross):
        assert NAV in response.text and SIGN_OUT in response.text, response.text
    # API clients keep FastAPI's JSON.
    assert (await browser.get("/no-such-page", headers=JSON)).json() == {"detail": "Not Found"}


async def test_failed_callback_page_escapes_the_providers_text(
    browser: httpx.AsyncClient,
) -> None:
    failed = await browser.get(
        "/auth/callback?error=access_denied&error_description=%3Cscript%3Ex%3C/script%3E",
        headers=HTML,
    )
    assert failed.status_code == 400 and NAV in failed.text and 'href="/login"' in failed.text
    assert "<script>x" not in failed.text


def test_app_base_url_precedence(scalekit_emulator: EmulatorHandle) -> None:
    configured = {**scalekit_emulator.env(), "SCALEKIT_COOKIE_SECRET": SECRET, "PORT": "9001"}
    both = {**configured, "APP_BASE_URL": "https://app.test", "SCALEKIT_APP_BASE_URL": "https://x"}
    assert settings_environ(both)["SCALEKIT_APP_BASE_URL"] == "https://app.test"
    scalekit_only = {**configured, "SCALEKIT_APP_BASE_URL": "https://x.test"}
    assert settings_environ(scalekit_only)["SCALEKIT_APP_BASE_URL"] == "https://x.test"
    assert settings_environ(configured)["SCALEKIT_APP_BASE_URL"] == "http://127.0.0.1:9001"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_run_py_stops_cleanly_with_its_emulator(signum: signal.Signals, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}
    env.pop("APP_BASE_URL", None)
    env["PORT"] = str(port)
    run_py = ROOT / "sample_apps" / "fastapi_app" / "run.py"
    process = start_process("fastapi_app", [sys.executable, str(run_py)], env, tmp_path, tmp_path)
    try:
        announced = f"Open http://127.0.0.1:{port}"
        wait_until(process, lambda: announced in process.output(), "announcing its URL")
        emulator = re.search(r"bundled Scalekit emulator at (http://\S+)", process.output())
        assert emulator is not None, process.output()
        login_page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert login_page.headers["location"].startswith(emulator.group(1))
        callback = f"http://127.0.0.1:{port}/auth/callback?code=c0de-SECRET&state=st4te-SECRET"
        assert httpx.get(callback, timeout=5).status_code < 500
        wait_until(process, lambda: "/auth/callback" in process.output(), "logging the callback")
    finally:
        code = process.stop(signum)
    output = process.output()
    assert code == 0, output
    # The callback's one-time code never reaches the access log.
    assert "c0de-SECRET" not in output and "st4te-SECRET" not in output, output
    assert "code=[redacted]&state=[redacted]" in output, output
    # One uvicorn shutdown (not the bundled emulator's too), no httpx line per emulator call.
    assert output.count("Finished server process") == 1, output
    assert "HTTP Request:" not in output, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    with pytest.raises(httpx.ConnectError):
        httpx.get(emulator.group(1) + "/.well-known/openid-configuration", timeout=2)


def test_run_py_names_port_when_the_port_is_in_use(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}
        env["PORT"] = str(port)
        run_py = ROOT / "sample_apps" / "fastapi_app" / "run.py"
        process = start_process(
            "fastapi_app", [sys.executable, str(run_py)], env, tmp_path, tmp_path
        )
        code = process.popen.wait(timeout=60)
    output = process.output()
    process.stop()
    assert code == 1, output
    assert f"Port {port} is already in use" in output and f"PORT={port + 1}" in output, output
    assert "Traceback" not in output, output


async def test_docs_work_offline_and_the_public_home_is_not_secured(
    sample: FastAPI, browser: httpx.AsyncClient
) -> None:
    docs = await browser.get("/docs", headers=HTML)
    assert docs.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))["']""", docs.text)
    assert assets, docs.text
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the app itself"
        assert (await browser.get(asset)).status_code == 200, asset
    schema = (await browser.get("/openapi.json")).json()
    assert "security" not in schema["paths"]["/"]["get"]
    assert schema["paths"]["/dashboard"]["get"]["security"]


async def test_navigation_shows_who_is_signed_in(
    browser: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    anonymous = await browser.get("/", headers=HTML)
    nav = anonymous.text.split("<nav>", 1)[1].split("</nav>", 1)[0]
    assert "Sign in" in nav
    await login_at(browser, scalekit_emulator, start="/login")
    signed_in = await browser.get("/", headers=HTML)
    nav = signed_in.text.split("<nav>", 1)[1].split("</nav>", 1)[0]
    assert "Signed in as <strong>alice@acme.test</strong>" in nav and "Sign out" in nav
