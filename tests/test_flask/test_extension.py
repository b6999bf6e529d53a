"""The Flask extension with Flask's test client against the emulator over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from scalekit_core import AuthenticationResponse, ConfigurationError
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import (
    MemorySessionStore,
    PermissionDenied,
    SessionData,
    SessionStoreUnavailable,
    User,
    WebResponse,
)
from scalekit_emulator import EmulatorHandle
from scalekit_flask import Scalekit, current_user, get_current_user, state_of
from scalekit_flask.testing import login_as

from .conftest import (
    BASE_URL,
    COOKIE_SECRET,
    HTML,
    JSON,
    build_app,
    finish_login,
    login,
    path_of,
    set_cookie_names,
    start_login,
)

MakeApp = Callable[..., tuple[Flask, Scalekit]]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


# --- registration and configuration ---


def test_init_app_factory_and_extension_state(config: dict[str, Any]) -> None:
    scalekit = Scalekit()
    app = Flask(__name__)
    app.config.update(config)
    scalekit.init_app(app)
    state = app.extensions["scalekit"]
    assert state is state_of(app) and state.extension is scalekit
    with app.app_context():
        assert scalekit.client is state.client and scalekit.manager is state.manager
        assert scalekit.settings.redirect_uri == BASE_URL + "/auth/callback"
    rules = {r.rule: r.endpoint for r in app.url_map.iter_rules()}
    assert rules["/auth/login"] == "scalekit.login"
    assert rules["/auth/callback"] == "scalekit.callback"
    assert rules["/auth/logout"] == "scalekit.logout"
    with pytest.raises(RuntimeError, match="app context"):
        _ = scalekit.client


def test_double_registration_is_refused(config: dict[str, Any]) -> None:
    app, scalekit = build_app(config)
    with pytest.raises(ConfigurationError, match="already registered"):
        scalekit.init_app(app)
    with pytest.raises(ConfigurationError, match="already registered"):
        Scalekit(app)


def test_missing_settings_are_named_at_init_app() -> None:
    app = Flask(__name__)
    app.config["SCALEKIT_CLIENT_ID"] = "skc_1"
    with pytest.raises(ConfigurationError) as caught:
        Scalekit().init_app(app)
    message = str(caught.value)
    for key in (
        "SCALEKIT_ENVIRONMENT_URL",
        "SCALEKIT_CLIENT_SECRET",
        "SCALEKIT_APP_BASE_URL",
        "SCALEKIT_COOKIE_SECRET",
    ):
        assert key in message
    assert "SCALEKIT_CLIENT_ID" not in message
    assert "scalekit" not in app.extensions


def test_malformed_setting_is_named(config: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="SCALEKIT_IDLE_TIMEOUT"):
        build_app({**config, "SCALEKIT_IDLE_TIMEOUT": "soon"})


def test_configured_paths_and_secret_key_fallback(
    config: dict[str, Any], scalekit_emulator: EmulatorHandle
) -> None:
    del config["SCALEKIT_COOKIE_SECRET"]
    app, _ = build_app(
        {
            **config,
            "SECRET_KEY": "flask-secret-key-" + "k" * 32,
            "SCALEKIT_LOGIN_PATH": "/login",
            "SCALEKIT_LOGOUT_PATH": "/logout",
        }
    )
    client = app.test_client()
    assert client.get("/private", headers=HTML).headers["Location"] == "/login?return_to=%2Fprivate"
    assert login(client, scalekit_emulator, start="/login?return_to=/private") == "/private"
    assert client.get("/private").get_data(as_text=True) == "private alice@acme.test"
    assert client.post("/logout").status_code == 302


def test_works_without_flask_session(app: Flask) -> None:
    assert app.secret_key is None
    response = app.test_client().get("/auth/login")
    assert response.status_code == 302
    assert all(not name.startswith("session") for name in set_cookie_names(response))


# --- login ---


def test_full_login(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    authorize = start_login(client)
    assert authorize.startswith(scalekit_emulator.url + "/oauth/authorize?")
    params = query_of(authorize)
    assert params["redirect_uri"] == BASE_URL + "/auth/callback"
    assert params["code_challenge_method"] == "S256"
    callback = scalekit_emulator.sign_in(authorize, email="alice@acme.test")
    response = finish_login(client, callback)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    session_cookies = [
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("scalekit_session")
    ]
    assert session_cookies and all(
        "HttpOnly" in h and "SameSite=Lax" in h and "Path=/" in h for h in session_cookies
    )
    page = client.get("/private", headers=HTML)
    assert page.status_code == 200
    assert page.get_data(as_text=True) == "private alice@acme.test"
    me = client.get("/api/data", headers=JSON).get_json()
    assert (me["id"], me["organization_id"], me["is_bearer"]) == ("usr_alice", "org_acme", False)
    assert "access_token" not in page.get_data(as_text=True)


def test_return_to_after_login(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    response = client.get("/private?tab=2", headers=HTML)
    assert response.status_code == 302
    start = response.headers["Location"]
    assert start == "/auth/login?return_to=%2Fprivate%3Ftab%3D2"
    assert login(client, scalekit_emulator, start=start) == "/private?tab=2"


def test_unsafe_return_to_is_ignored(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    assert login(client, scalekit_emulator, start="/auth/login?return_to=//evil.test/x") == "/"


def test_login_routing_parameters_reach_scalekit(client: FlaskClient) -> None:
    authorize = start_login(
        client, "/auth/login?organization_id=org_acme&login_hint=alice@acme.test"
    )
    params = query_of(authorize)
    assert params["organization_id"] == "org_acme"
    assert params["login_hint"] == "alice@acme.test"


def test_two_parallel_logins(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    first = start_login(client, "/auth/login?return_to=/one")
    second = start_login(client, "/auth/login?return_to=/two")
    assert query_of(first)["state"] != query_of(second)["state"]
    callback_one = scalekit_emulator.sign_in(first)
    callback_two = scalekit_emulator.sign_in(second, email="bob@acme.test")
    done_two = finish_login(client, callback_two)
    done_one = finish_login(client, callback_one)
    assert (done_two.status_code, done_two.headers["Location"]) == (302, "/two")
    assert (done_one.status_code, done_one.headers["Location"]) == (302, "/one")
    assert client.get("/").get_data(as_text=True) == "hello alice@acme.test"


# --- the callback's error cases ---


def test_callback_without_state(client: FlaskClient) -> None:
    response = client.get("/auth/callback?code=abc", headers=HTML)
    assert response.status_code == 400
    assert "Sign-in failed" in response.get_data(as_text=True)


def test_callback_with_unknown_state_restarts_login_once(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    response = client.get("/auth/callback?code=abc&state=" + "s" * 32, headers=HTML)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(scalekit_emulator.url + "/oauth/authorize")


def test_callback_with_access_denied(client: FlaskClient) -> None:
    authorize = start_login(client)
    state = query_of(authorize)["state"]
    response = client.get(
        f"/auth/callback?error=access_denied&error_description=no&state={state}", headers=HTML
    )
    assert response.status_code == 400
    assert "access_denied" in response.get_data(as_text=True)
    assert f"scalekit_txn_{state}" in set_cookie_names(response)


def test_replayed_callback_never_reaches_the_token_endpoint_twice(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    authorize = start_login(client)
    name = "scalekit_txn_" + query_of(authorize)["state"]
    transaction = client.get_cookie(name)
    assert transaction is not None
    callback = scalekit_emulator.sign_in(authorize)
    assert finish_login(client, callback).status_code == 302
    exchanges = scalekit_emulator.token_calls("authorization_code")
    replay = client.application.test_client()  # a copy of the browser before the callback
    replay.set_cookie(name, transaction.value)
    response = finish_login(replay, callback)
    assert response.status_code == 400
    assert "already used" in response.get_data(as_text=True)
    assert scalekit_emulator.token_calls("authorization_code") == exchanges


def test_callback_provider_down_is_503(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    callback = scalekit_emulator.sign_in(start_login(client))
    scalekit_emulator.inject_fault("/oauth/token", status=503, count=10)
    response = finish_login(client, callback)
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "unavailable" in body and "Traceback" not in body
    assert "code=" not in body


def test_junk_callback_parameters_are_a_clean_400(client: FlaskClient) -> None:
    response = client.get("/auth/callback?state=%00%ff&code=" + "x" * 5000, headers=HTML)
    assert response.status_code == 400
    assert client.get("/auth/callback?state=a&state=b", headers=HTML).status_code == 400


# --- hooks ---


def test_on_login_hook_runs_with_the_user(
    make_app: MakeApp, scalekit_emulator: EmulatorHandle
) -> None:
    seen: list[tuple[str, str | None]] = []

    def on_login(user: User, auth: AuthenticationResponse) -> None:
        seen.append((user.id, user.email))

    app, _ = make_app(on_login=on_login)
    login(app.test_client(), scalekit_emulator)
    assert seen == [("usr_alice", "alice@acme.test")]


def test_on_login_hook_can_refuse(make_app: MakeApp, scalekit_emulator: EmulatorHandle) -> None:
    def on_login(user: User, auth: AuthenticationResponse) -> None:
        if user.organization_id != "org_acme":
            raise PermissionDenied("forbidden", "Only Acme employees may sign in.")

    app, _ = make_app(on_login=on_login)
    client = app.test_client()
    response = finish_login(
        client, scalekit_emulator.sign_in(start_login(client), email="carol@globex.test")
    )
    assert response.status_code == 403
    assert "Only Acme employees" in response.get_data(as_text=True)
    assert client.get("/").get_data(as_text=True) == "hello anonymous"


def test_error_page_renderer_brands_core_pages(make_app: MakeApp) -> None:
    def branded(web: WebResponse) -> str:
        return f"<h1>Acme</h1><p>error {web.status}</p>"

    app, _ = make_app(error_handler=branded)
    client = app.test_client()
    response = client.get("/auth/callback?code=abc", headers=HTML)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "<h1>Acme</h1><p>error 400</p>"
    denied = client.get("/auth/logout", headers=HTML)
    assert denied.status_code == 405 and denied.headers["Allow"] == "POST"
    # JSON answers are not pages: they stay JSON.
    assert client.get("/api/data", headers=JSON).is_json


# --- per-request loading, refresh, cookies on every response ---


def test_current_user_and_g_when_anonymous(app: Flask) -> None:
    with app.test_request_context("/"):
        app.preprocess_request()
        assert g.scalekit_user is None and get_current_user() is None
        assert not current_user


def test_refresh_after_expiry_writes_cookies(
    make_app: MakeApp, scalekit_emulator: EmulatorHandle
) -> None:
    clock = Clock()
    app, _ = make_app(client_options={"clock": clock})
    client = app.test_client()
    login(client, scalekit_emulator)
    assert set_cookie_names(client.get("/private")) == []
    clock.offset = 400.0  # past the 300 s access token
    scalekit_emulator.set_clock_offset(400.0)
    response = client.get("/private", headers=HTML)
    assert response.status_code == 200
    assert "scalekit_session" in set_cookie_names(response)
    assert scalekit_emulator.token_calls("refresh_token") == 1
    assert client.get("/private").status_code == 200
    assert scalekit_emulator.token_calls("refresh_token") == 1


def test_cookies_written_on_404_and_500_responses(
    config: dict[str, Any], scalekit_emulator: EmulatorHandle
) -> None:
    clock = Clock()
    app, _ = build_app({**config, "PROPAGATE_EXCEPTIONS": False}, client_options={"clock": clock})
    client = app.test_client()
    login(client, scalekit_emulator)
    clock.offset = 400.0
    scalekit_emulator.set_clock_offset(400.0)
    missing = client.get("/missing")
    assert missing.status_code == 404 and "scalekit_session" in set_cookie_names(missing)
    clock.offset = 800.0
    scalekit_emulator.set_clock_offset(800.0)
    boom = client.get("/boom")
    assert boom.status_code == 500 and "scalekit_session" in set_cookie_names(boom)
    assert "Traceback" not in boom.get_data(as_text=True)
    assert client.get("/private").status_code == 200


@pytest.mark.parametrize("value", ["garbage", "a" * 3000, "v1.%%%", "", "eyJhbGciOiJub25lIn0.e30."])
def test_tampered_session_cookie_is_anonymous(client: FlaskClient, value: str) -> None:
    client.set_cookie("scalekit_session", value)
    home = client.get("/", headers=HTML)
    assert home.status_code == 200 and home.get_data(as_text=True) == "hello anonymous"
    client.set_cookie("scalekit_session", value)
    assert client.get("/private", headers=HTML).status_code == 302
    client.set_cookie("scalekit_session", value)
    assert client.get("/api/data", headers=JSON).status_code == 401


def test_tampered_cookie_is_deleted_on_404(client: FlaskClient) -> None:
    for path in ("/missing", "/no/such/route"):
        client.set_cookie("scalekit_session", "garbage")
        response = client.get(path)
        assert response.status_code == 404
        assert any(
            h.startswith("scalekit_session=;") and "Max-Age=0" in h
            for h in response.headers.getlist("Set-Cookie")
        )


def test_modified_real_cookie_is_anonymous(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    login(client, scalekit_emulator)
    cookie = client.get_cookie("scalekit_session")
    assert cookie is not None
    flipped = cookie.value[:-3] + ("A" if cookie.value[-3] != "A" else "B") + cookie.value[-2:]
    client.set_cookie("scalekit_session", flipped)
    assert client.get("/").get_data(as_text=True) == "hello anonymous"


# --- guards: 302 vs 401, 403 ---


def test_browser_gets_302_and_api_gets_401(client: FlaskClient) -> None:
    page = client.get("/private", headers=HTML)
    assert page.status_code == 302 and page.headers["Location"].startswith("/auth/login")
    api = client.get("/api/data", headers=JSON)
    assert api.status_code == 401 and api.is_json
    assert api.get_json()["error"] == "unauthenticated"
    assert api.headers["WWW-Authenticate"].startswith("Bearer")
    xhr = client.get("/private", headers={**HTML, "X-Requested-With": "XMLHttpRequest"})
    assert xhr.status_code == 401


def test_missing_permission_is_403(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    login(client, scalekit_emulator, email="bob@acme.test")
    page = client.get("/admin", headers=HTML)
    assert page.status_code == 403 and "Access denied" in page.get_data(as_text=True)
    api = client.get("/admin", headers=JSON)
    assert api.status_code == 403 and api.get_json()["reason"] == "missing_permission"
    assert client.get("/role", headers=HTML).status_code == 403
    assert client.get("/acme", headers=HTML).status_code == 200


def test_permission_role_and_organization_granted(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    login(client, scalekit_emulator)
    assert client.get("/admin").get_data(as_text=True) == "admin area"
    assert client.get("/role").get_data(as_text=True) == "admins only"


def test_wrong_organization_is_403(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    login(client, scalekit_emulator, email="carol@globex.test")
    assert client.get("/acme", headers=HTML).status_code == 403
    assert client.get("/role").status_code == 200


def test_login_as_helper(client: FlaskClient) -> None:
    login_as(client, email="ada@example.test", permissions=["organization:settings"])
    assert client.get("/admin").status_code == 200
    assert client.get("/").get_data(as_text=True) == "hello ada@example.test"


# --- bearer tokens ---


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def test_valid_bearer_token(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    token = scalekit_emulator.mint_access_token("alice@acme.test")
    response = client.get("/api/data", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == "usr_alice" and body["is_bearer"] is True
    assert client.get("/admin", headers=bearer(token)).status_code == 200
    assert set_cookie_names(response) == []


def test_bearer_scope_guard(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    scoped = scalekit_emulator.mint_access_token("bob@acme.test", scopes=["users:read"])
    assert client.get("/scope", headers=bearer(scoped)).status_code == 200
    unscoped = scalekit_emulator.mint_access_token("bob@acme.test", scopes=["other"])
    denied = client.get("/scope", headers=bearer(unscoped))
    assert denied.status_code == 403
    assert "insufficient_scope" in denied.headers["WWW-Authenticate"]


def test_expired_bearer_token(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    now = int(time.time())
    token = scalekit_emulator.mint_access_token(iat=now - 7200, exp=now - 3600)
    response = client.get("/api/data", headers=bearer(token))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("forge", ["signature", "junk", "none_alg"])
def test_forged_bearer_token(
    client: FlaskClient, scalekit_emulator: EmulatorHandle, forge: str
) -> None:
    token = scalekit_emulator.mint_access_token()
    header, payload, signature = token.split(".")
    forged = {
        "signature": f"{header}.{payload}.{signature[::-1]}",
        "junk": "not-a-jwt",
        "none_alg": f"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.",
    }[forge]
    response = client.get("/api/data", headers=bearer(forged))
    assert response.status_code == 401
    # A bearer request is never a navigation: no redirect even when it accepts HTML.
    assert (
        client.get("/private", headers={**HTML, "Authorization": f"Bearer {forged}"}).status_code
        == 401
    )


# --- logout ---


def test_logout(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    login(client, scalekit_emulator)
    response = client.post("/auth/logout", headers={"Origin": BASE_URL})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(scalekit_emulator.url)
    params = query_of(location)
    assert params["post_logout_redirect_uri"] == BASE_URL + "/"
    assert "id_token_hint" in params
    deleted = [h for h in response.headers.getlist("Set-Cookie") if "Max-Age=0" in h]
    assert any(h.startswith("scalekit_session=") for h in deleted)
    assert client.get("/private", headers=HTML).status_code == 302
    assert client.get("/").get_data(as_text=True) == "hello anonymous"


def test_logout_is_post_only(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    login(client, scalekit_emulator)
    response = client.get("/auth/logout", headers=HTML)
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert client.get("/private").status_code == 200


def test_cross_origin_logout_is_403(client: FlaskClient, scalekit_emulator: EmulatorHandle) -> None:
    login(client, scalekit_emulator)
    response = client.post("/auth/logout", headers={"Origin": "https://evil.test"})
    assert response.status_code == 403
    assert client.get("/private").status_code == 200
    referer = client.post("/auth/logout", headers={"Referer": "https://evil.test/page"})
    assert referer.status_code == 403


def test_unused_cookie_secret_value_is_never_in_responses(
    client: FlaskClient, scalekit_emulator: EmulatorHandle
) -> None:
    login(client, scalekit_emulator)
    for path in ("/", "/private", "/api/data", "/missing"):
        body = client.get(path).get_data(as_text=True)
        assert COOKIE_SECRET not in body
        assert scalekit_emulator.client_secret not in body


def test_path_helper() -> None:
    assert path_of("http://localhost/auth/callback?code=1") == "/auth/callback?code=1"


class _UnreachableStore(MemorySessionStore):
    """A server-side store whose reads fail, as Redis does when it is down."""

    def get(self, session_id: str) -> SessionData | None:
        raise SessionStoreUnavailable("get", "ConnectionError")


def test_session_store_down_gives_503_and_no_view_runs(config: dict[str, Any]) -> None:
    app, scalekit = build_app(config, session_options={"store": _UnreachableStore()})
    client = app.test_client()
    with app.app_context():
        cookies = make_session_cookies(scalekit.settings, email="alice@acme.test")
    for name, value in cookies.items():
        client.set_cookie(name, value)
    page = client.get("/private", headers=HTML)
    api = client.get("/private", headers=JSON)
    assert page.status_code == 503 and b"temporarily unavailable" in page.data
    assert api.status_code == 503 and api.get_json()["error"] == "session_store_unavailable"
