"""ScalekitAuth on a FastAPI app against the emulator, over httpx's ASGI transport."""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import pytest
from fastapi import FastAPI

from scalekit_core import ConfigurationError
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import MemorySessionStore, SessionData, SessionStoreUnavailable
from scalekit_emulator import EmulatorHandle
from scalekit_fastapi import ScalekitAuth
from scalekit_fastapi.testing import login_as

from .conftest import (
    BASE,
    HTML,
    JSON,
    asgi_client,
    build_app,
    login,
    relative,
    set_cookie_names,
    sign_in,
)

pytestmark = pytest.mark.anyio


async def test_full_login_sets_session_and_clears_transaction(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    done = await login(client, scalekit_emulator, "/auth/login?return_to=/me%3Fx%3D1")
    assert done.status_code == 302 and done.headers["location"] == "/me?x=1"
    assert "scalekit_session" in client.cookies
    assert not [name for name in client.cookies if name.startswith("scalekit_txn_")]
    me = (await client.get("/me", headers=JSON)).json()
    assert (me["id"], me["email"], me["organization_id"]) == (
        "usr_alice",
        "alice@acme.test",
        "org_acme",
    )
    assert me["is_bearer"] is False and "users:write" in me["permissions"]
    assert "access_token" not in str(me) and "refresh_token" not in str(me)


async def test_anonymous_navigation_returns_after_login(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    denied = await client.get("/scoped?q=1", headers=HTML)
    assert denied.status_code == 302
    login_path = denied.headers["location"]
    assert urlsplit(login_path).path == "/auth/login"
    assert parse_qs(urlsplit(login_path).query)["return_to"] == ["/scoped?q=1"]
    done = await login(client, scalekit_emulator, login_path)
    assert done.headers["location"] == "/scoped?q=1"
    assert (await client.get("/scoped?q=1", headers=HTML)).json() == "usr_alice"


async def test_api_call_gets_401_json_and_navigation_302(client: httpx.AsyncClient) -> None:
    api = await client.get("/me", headers=JSON)
    assert api.status_code == 401
    assert api.json()["error"] == "unauthenticated"
    assert api.headers["www-authenticate"].startswith("Bearer")
    xhr = await client.get("/me", headers={**HTML, "x-requested-with": "XMLHttpRequest"})
    assert xhr.status_code == 401
    page = await client.get("/me", headers=HTML)
    assert page.status_code == 302 and page.headers["location"] == "/auth/login?return_to=%2Fme"
    assert (await client.get("/maybe")).json() == {"user": None}


async def test_guards_answer_403_html_or_json(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(client, scalekit_emulator, email="bob@acme.test")
    api = await client.get("/admin", headers=JSON)
    assert api.status_code == 403
    assert api.json()["reason"] == "missing_permission"
    page = await client.get("/admin", headers=HTML)
    assert page.status_code == 403 and "text/html" in page.headers["content-type"]
    assert (await client.get("/admins-only", headers=JSON)).status_code == 403
    assert (await client.get("/acme", headers=JSON)).json() == "usr_bob"
    assert (await client.get("/scoped", headers=JSON)).json() == "usr_bob"
    over = await client.get("/over-scoped", headers=JSON)
    assert over.status_code == 403 and over.json()["reason"] == "insufficient_scope"


async def test_guards_pass_for_alice_and_refuse_carol_by_organization(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(client, scalekit_emulator)
    for path in ("/admin", "/admins-only", "/acme"):
        assert (await client.get(path, headers=JSON)).json() == "usr_alice"
    client.cookies.clear()
    await login(client, scalekit_emulator, email="carol@globex.test")
    refused = await client.get("/acme", headers=JSON)
    assert refused.status_code == 403 and refused.json()["reason"] == "wrong_organization"


async def test_bearer_tokens_valid_expired_forged(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    token = scalekit_emulator.mint_access_token("bob@acme.test")
    ok = await client.get("/me", headers={"authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json()["is_bearer"] is True
    assert ok.json()["id"] == "usr_bob"
    expired = scalekit_emulator.mint_access_token(exp=int(time.time()) - 3600)
    for bad in (expired, token[:-6] + "AAAAAA", "not.a.jwt", "x" * 5000):
        refused = await client.get("/me", headers={"authorization": f"Bearer {bad}"})
        assert refused.status_code == 401
        assert 'error="invalid_token"' in refused.headers["www-authenticate"]
        assert bad not in refused.text


async def test_tampered_cookies_are_anonymous_never_500(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(client, scalekit_emulator)
    sealed = client.cookies["scalekit_session"]
    for value in (sealed[:-4] + "AAAA", sealed[: len(sealed) // 2], "garbage", "%%%;;"):
        client.cookies.set("scalekit_session", value)
        response = await client.get("/maybe")
        assert response.status_code == 200 and response.json() == {"user": None}
    client.cookies.set("scalekit_txn_bad", "junk")
    assert (await client.get("/auth/callback?state=bad&code=x", headers=HTML)).status_code < 500


async def test_refresh_after_expiry_writes_cookie_back(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    # Access tokens that live 30 s are inside the 60 s refresh buffer from the start.
    scalekit_emulator.set_token_lifetimes(access_token=30)
    await login(client, scalekit_emulator)
    before = client.cookies["scalekit_session"]
    response = await client.get("/me", headers=JSON)
    assert response.status_code == 200 and response.json()["id"] == "usr_alice"
    assert "scalekit_session" in set_cookie_names(response)
    assert client.cookies["scalekit_session"] != before
    assert scalekit_emulator.token_calls("refresh_token") == 1


@pytest.mark.parametrize(
    ("path", "status"),
    [("/stream", 200), ("/custom", 200), ("/over-scoped", 403), ("/missing", 404)],
)
async def test_every_response_carries_the_refreshed_cookie(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle, path: str, status: int
) -> None:
    scalekit_emulator.set_token_lifetimes(access_token=30)
    await login(client, scalekit_emulator)
    response = await client.get(path, headers=JSON)
    assert response.status_code == status
    assert "scalekit_session" in set_cookie_names(response)
    assert scalekit_emulator.token_calls("refresh_token") == 1
    if path == "/stream":
        assert response.text == "chunk0;chunk1;chunk2;"
    if path == "/custom":
        assert "theme" in set_cookie_names(response)


async def test_a_crash_after_a_refresh_answers_500_with_the_refreshed_cookie(
    app: FastAPI, scalekit_emulator: EmulatorHandle
) -> None:
    scalekit_emulator.set_token_lifetimes(access_token=30)
    async with asgi_client(app, raise_app_exceptions=False) as http:
        await login(http, scalekit_emulator)
        before = http.cookies["scalekit_session"]
        scalekit_emulator.set_token_lifetimes(access_token=3600)  # for the refreshed token
        crashed = await http.get("/boom", headers=HTML)
        assert crashed.status_code == 500
        assert crashed.text == "Internal Server Error"  # Starlette's own body, no traceback
        assert crashed.headers["content-type"].startswith("text/plain")
        assert "scalekit_session" in set_cookie_names(crashed)
        assert http.cookies["scalekit_session"] != before
        # The rotated session reached the browser: the next request needs no refresh.
        assert (await http.get("/me", headers=JSON)).json()["id"] == "usr_alice"
    assert scalekit_emulator.token_calls("refresh_token") == 1


async def test_a_crash_still_reaches_the_server(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    scalekit_emulator.set_token_lifetimes(access_token=30)
    await login(client, scalekit_emulator)
    with pytest.raises(RuntimeError, match="an endpoint bug"):
        await client.get("/boom", headers=HTML)


async def test_a_crash_keeps_the_debug_page_and_the_apps_own_500_handler(
    auth: ScalekitAuth, scalekit_emulator: EmulatorHandle
) -> None:
    from fastapi import Request
    from fastapi.responses import HTMLResponse

    async def oops(request: Request, exc: Exception) -> HTMLResponse:
        return HTMLResponse("<h1>Acme is down</h1>", status_code=500)

    debug_app = build_app(auth)
    debug_app.debug = True
    handled_app = build_app(auth)
    handled_app.add_exception_handler(500, oops)
    scalekit_emulator.set_token_lifetimes(access_token=30)
    for app, expected in ((debug_app, "RuntimeError: an endpoint bug"), (handled_app, "Acme")):
        async with asgi_client(app, raise_app_exceptions=False) as http:
            await login(http, scalekit_emulator)
            crashed = await http.get("/boom", headers=HTML)
        assert crashed.status_code == 500 and expected in crashed.text


async def test_concurrent_requests_share_one_refresh(
    app: FastAPI, client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    scalekit_emulator.set_token_lifetimes(access_token=30)
    await login(client, scalekit_emulator)
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    statuses: list[int] = []
    refreshed: list[bool] = []
    async with asgi_client(app) as jarless:

        async def one() -> None:
            response = await jarless.get("/me", headers={**JSON, "cookie": cookie})
            refreshed.append("scalekit_session" in set_cookie_names(response))
            statuses.append(response.status_code)

        async with anyio.create_task_group() as group:
            for _ in range(50):
                group.start_soon(one)
        # The token was still valid: requests that found the refresh in flight were served
        # with the current session; a later one with the old cookie gets the new tokens.
        late = await jarless.get("/me", headers={**JSON, "cookie": cookie})
    assert statuses == [200] * 50 and any(refreshed)
    assert late.status_code == 200 and "scalekit_session" in set_cookie_names(late)
    assert scalekit_emulator.token_calls("refresh_token") == 1


async def test_logout_post_only_same_origin(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    await login(client, scalekit_emulator)
    assert (await client.get("/auth/logout", headers=HTML)).status_code == 405
    cross = await client.post("/auth/logout", headers={"origin": "https://evil.test"})
    assert cross.status_code == 403
    assert (await client.get("/me", headers=JSON)).status_code == 200
    out = await client.post("/auth/logout", headers={"origin": BASE})
    assert out.status_code == 302
    target = urlsplit(out.headers["location"])
    assert target.geturl().startswith(scalekit_emulator.url)
    assert parse_qs(target.query)["post_logout_redirect_uri"] == [BASE + "/"]
    assert "scalekit_session" in set_cookie_names(out)
    assert "scalekit_session" not in client.cookies
    assert (await client.get("/me", headers=JSON)).status_code == 401


async def test_logout_wins_over_a_refresh_in_the_same_request(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    scalekit_emulator.set_token_lifetimes(access_token=30)
    await login(client, scalekit_emulator)
    out = await client.post("/auth/logout", headers={"origin": BASE})
    assert set_cookie_names(out).count("scalekit_session") == 1
    assert "scalekit_session" not in client.cookies


async def test_two_parallel_logins_both_complete(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    first = await client.get("/auth/login?return_to=/one", headers=HTML)
    second = await client.get("/auth/login?return_to=/two", headers=HTML)
    callback_one = await sign_in(scalekit_emulator, first.headers["location"], "alice@acme.test")
    callback_two = await sign_in(scalekit_emulator, second.headers["location"], "bob@acme.test")
    done_two = await client.get(relative(callback_two), headers=HTML)
    assert done_two.headers["location"] == "/two"
    assert (await client.get("/me", headers=JSON)).json()["id"] == "usr_bob"
    done_one = await client.get(relative(callback_one), headers=HTML)
    assert done_one.headers["location"] == "/one"
    assert (await client.get("/me", headers=JSON)).json()["id"] == "usr_alice"


async def test_callback_error_cases(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    missing = await client.get("/auth/callback?code=abc", headers=HTML)
    assert missing.status_code == 400 and "state" in missing.text
    unknown = await client.get(
        f"/auth/callback?code=abc&state={secrets.token_urlsafe(32)}", headers=HTML
    )
    assert unknown.status_code == 302  # restarts the login once, with a fresh transaction
    assert unknown.headers["location"].startswith(scalekit_emulator.url)
    denied = await client.get(
        "/auth/callback?error=access_denied&error_description=nope", headers=HTML
    )
    assert denied.status_code == 400 and "access_denied" in denied.text


async def test_reused_code_is_refused(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    started = await client.get("/auth/login", headers=HTML)
    transactions = {k: v for k, v in client.cookies.items() if k.startswith("scalekit_txn_")}
    callback = relative(
        await sign_in(scalekit_emulator, started.headers["location"], "alice@acme.test")
    )
    assert (await client.get(callback, headers=HTML)).status_code == 302
    for name, value in transactions.items():
        client.cookies.set(name, value)
    replay = await client.get(callback, headers=HTML)
    assert replay.status_code == 400
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert code not in replay.text


async def test_provider_down_gives_503_page(
    client: httpx.AsyncClient, scalekit_emulator: EmulatorHandle
) -> None:
    started = await client.get("/auth/login", headers=HTML)
    callback = relative(
        await sign_in(scalekit_emulator, started.headers["location"], "alice@acme.test")
    )
    scalekit_emulator.inject_fault("/oauth/token", status=503, count=10)
    down = await client.get(callback, headers=HTML)
    assert down.status_code == 503 and "text/html" in down.headers["content-type"]
    assert "scalekit_session" not in client.cookies


def test_configuration_errors_name_the_missing_keys() -> None:
    with pytest.raises(ConfigurationError) as error:
        ScalekitAuth.from_env({"SCALEKIT_CLIENT_ID": "x"})
    for key in (
        "SCALEKIT_ENVIRONMENT_URL",
        "SCALEKIT_CLIENT_SECRET",
        "SCALEKIT_APP_BASE_URL",
        "SCALEKIT_COOKIE_SECRET",
    ):
        assert key in str(error.value)
    assert "SCALEKIT_CLIENT_ID" not in str(error.value)


async def test_on_login_hook_runs_and_can_refuse(
    env: dict[str, str], scalekit_emulator: EmulatorHandle
) -> None:
    seen: list[str] = []

    async def on_login(user: object, tokens: object) -> None:
        from scalekit_fastapi import PermissionDenied, User

        assert isinstance(user, User)
        seen.append(user.id)
        if user.organization_id != "org_acme":
            raise PermissionDenied("forbidden", "Only Acme may sign in here.")

    auth = ScalekitAuth.from_env(env, on_login=on_login)
    async with auth.lifespan(), asgi_client(build_app(auth)) as http:
        assert (await login(http, scalekit_emulator)).status_code == 302
        http.cookies.clear()
        refused = await login(http, scalekit_emulator, email="carol@globex.test")
        assert refused.status_code == 403 and "Only Acme may sign in here." in refused.text
        assert "scalekit_session" not in http.cookies
    assert seen == ["usr_alice", "usr_carol"]


async def test_branded_error_pages(env: dict[str, str]) -> None:
    from fastapi import Request
    from fastapi.responses import HTMLResponse

    from scalekit_core.web import WebResponse

    def branded(request: Request, result: WebResponse) -> HTMLResponse:
        return HTMLResponse(f"<h1>Acme: error {result.status}</h1>", status_code=result.status)

    auth = ScalekitAuth.from_env(env, render_error=branded)
    async with auth.lifespan(), asgi_client(build_app(auth)) as http:
        login_as(http, auth, permissions=[])
        page = await http.get("/admin", headers=HTML)
        assert page.status_code == 403 and page.text == "<h1>Acme: error 403</h1>"
        failed = await http.get("/auth/callback?error=access_denied", headers=HTML)
        assert failed.status_code == 400 and "Acme: error 400" in failed.text
        # JSON errors keep the core's shape.
        assert (await http.get("/admin", headers=JSON)).json()["reason"] == "missing_permission"


async def test_login_as_testing_helper(auth: ScalekitAuth, client: httpx.AsyncClient) -> None:
    login_as(client, auth, user_id="usr_ada", permissions=["organization:settings"])
    assert (await client.get("/admin", headers=JSON)).json() == "usr_ada"


async def test_openapi_shows_the_bearer_scheme_on_protected_routes(app: FastAPI) -> None:
    schema = app.openapi()
    scheme = schema["components"]["securitySchemes"]["ScalekitBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert schema["paths"]["/me"]["get"]["security"] == [{"ScalekitBearer": []}]
    assert schema["paths"]["/admin"]["get"]["security"] == [{"ScalekitBearer": []}]
    assert "security" not in schema["paths"]["/public"]["get"]
    assert "/auth/login" not in schema["paths"]


async def test_api_endpoint_answers_401_json_even_to_a_browser_navigation(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/api/me", headers=HTML)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get("/me", headers=HTML)).status_code == 302


class _UnreachableStore(MemorySessionStore):
    """A server-side store whose reads fail, as Redis does when it is down."""

    def get(self, session_id: str) -> SessionData | None:
        raise SessionStoreUnavailable("get", "ConnectionError")


async def test_session_store_down_gives_503_and_no_endpoint_runs(env: dict[str, str]) -> None:
    auth = ScalekitAuth.from_env(env, store=_UnreachableStore())
    cookies = make_session_cookies(auth.settings.session, email="alice@acme.test")
    async with asgi_client(build_app(auth)) as http:
        http.cookies.update(cookies)
        page = await http.get("/me", headers=HTML)
        api = await http.get("/me", headers=JSON)
    await auth.aclose()
    assert page.status_code == 503 and "temporarily unavailable" in page.text
    assert api.status_code == 503 and api.json()["error"] == "session_store_unavailable"
    assert page.headers["retry-after"] == "5"
