"""Unit tests of the session layer's rules, with an injected clock and no provider."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from scalekit_core import AsyncScalekitClient, ConfigurationError, ScalekitClient, TokenResponse
from scalekit_core.errors import OAuthError, ScalekitConnectionError
from scalekit_core.testing import cookie_header, make_session_cookies
from scalekit_core.web import (
    AsyncSessionManager,
    AuthenticationRequired,
    MemorySessionStore,
    PermissionDenied,
    SessionManager,
    SessionSettings,
    User,
    WebRequest,
    is_browser_navigation,
    require,
    safe_return_to,
)
from scalekit_core.web.cookies import CHUNK_SIZE, CookieJar, read_chunked
from scalekit_core.web.refresh import RefreshCoordinator, RefreshFailed, RefreshOutcomes
from scalekit_core.web.sealing import PURPOSE_SESSION, PURPOSE_TRANSACTION, Sealer

SECRET = "unit-test-secret-" + "y" * 32
OLD_SECRET = "old-unit-test-secret-" + "z" * 32
BASE = "http://localhost:8000"
# Nothing listens here: any network call fails fast with a connection error.
DEAD_PROVIDER = "http://127.0.0.1:9"
NOW = 1_700_000_000.0


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_settings(**overrides: Any) -> SessionSettings:
    values: dict[str, Any] = {"secrets": SECRET, "base_url": BASE}
    values.update(overrides)
    return SessionSettings(**values)


@pytest.fixture
def fixed_clock() -> Clock:
    return Clock()


@pytest.fixture
def sync_manager(fixed_clock: Clock) -> SessionManager:
    client = ScalekitClient(DEAD_PROVIDER, "skc_1", "secret", clock=fixed_clock)
    return SessionManager(client, make_settings())


def req(cookies: dict[str, str] | None = None, path: str = "/", **headers: str) -> WebRequest:
    return WebRequest("GET", path, "", headers or {"accept": "text/html"}, cookies or {})


# --- settings ---------------------------------------------------------------------------


def test_settings_defaults_and_refusals() -> None:
    settings = make_settings()
    assert settings.redirect_uri == BASE + "/auth/callback"
    assert settings.post_logout_redirect_uri == BASE + "/"
    assert settings.cookie_secure is False
    assert make_settings(base_url="https://app.example").cookie_secure is True
    assert make_settings(base_url="http://app.example").cookie_secure is True
    assert (settings.idle_timeout, settings.absolute_timeout) == (86400, 7 * 86400)
    assert settings.scopes == ("openid", "profile", "email", "offline_access")
    with pytest.raises(ConfigurationError):
        make_settings(secrets="too-short")
    with pytest.raises(ConfigurationError):
        make_settings(secrets=[SECRET, "short"])
    with pytest.raises(ConfigurationError):
        make_settings(base_url="/relative")
    with pytest.raises(ConfigurationError):
        SessionManager(AsyncScalekitClient(DEAD_PROVIDER, "a", "b"), settings)  # type: ignore[arg-type]


# --- sealing ----------------------------------------------------------------------------


def test_sealing_binds_purpose_name_and_keys() -> None:
    session = Sealer([SECRET], PURPOSE_SESSION)
    sealed = session.seal({"a": 1}, "scalekit_session")
    assert session.unseal(sealed, "scalekit_session") == {"a": 1}
    assert session.unseal(sealed, "scalekit_other") is None
    assert Sealer([SECRET], PURPOSE_TRANSACTION).unseal(sealed, "scalekit_session") is None
    assert Sealer(["n" * 32, SECRET], PURPOSE_SESSION).unseal(sealed, "scalekit_session") == {
        "a": 1
    }
    assert Sealer(["n" * 32], PURPOSE_SESSION).unseal(sealed, "scalekit_session") is None
    flipped = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    for bad in (flipped, sealed[:-5], "", "!!!", "A" * 50_000, sealed + "x"):
        assert session.unseal(bad, "scalekit_session") is None


# --- return-to --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["/", "/reports", "/reports?year=2024&q=a%20b", "/a/b/c#frag", "/%E2%9C%93"],
)
def test_return_to_accepts_relative_paths(value: str) -> None:
    assert safe_return_to(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "//evil.example",
        "/\\evil.example",
        "\\evil",
        "https://evil.example",
        "javascript:alert(1)",
        "/%2F%2Fevil.example",
        "/%2fevil",
        "%2F%2Fevil",
        "/%5Cevil",
        "/%255Cevil",
        "evil",
        "/a\r\nSet-Cookie: x",
        "/a\x00",
        "/" + "a" * 3000,
        "",
        "http:/x",
        "/%0d%0a",
    ],
)
def test_return_to_rejects_unsafe(value: str) -> None:
    assert safe_return_to(value) == "/"


# --- cookies ----------------------------------------------------------------------------


def test_chunking_writes_and_deletes_stale_chunks() -> None:
    jar = CookieJar(make_settings())
    big = "x" * (CHUNK_SIZE * 2 + 10)
    writes = jar.set_chunked({"s": "old", "s.0": "a", "s.5": "b"}, "s", big, 100)
    written = {w.name: w for w in writes}
    assert [n for n, w in written.items() if not w.is_deletion] == ["s.0", "s.1", "s.2"]
    assert {n for n, w in written.items() if w.is_deletion} == {"s", "s.5"}
    assert read_chunked({w.name: w.value for w in writes if not w.is_deletion}, "s") == big
    small = jar.set_chunked({"s.0": "a", "s.1": "b"}, "s", "tiny", 100)
    assert [(w.name, w.is_deletion) for w in small] == [("s", False), ("s.0", True), ("s.1", True)]
    assert all(w.path == "/" and w.httponly and w.samesite == "Lax" for w in writes + small)


# --- browser vs API ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "headers", "navigation"),
    [
        ("GET", {"accept": "text/html,application/xhtml+xml"}, True),
        ("HEAD", {"accept": "text/html"}, True),
        ("GET", {"accept": "application/json"}, False),
        ("GET", {"accept": "*/*"}, False),
        ("POST", {"accept": "text/html"}, False),
        ("GET", {"accept": "text/html", "x-requested-with": "XMLHttpRequest"}, False),
        ("GET", {"accept": "text/html", "authorization": "Bearer abc"}, False),
        ("GET", {"accept": "text/html", "sec-fetch-mode": "cors"}, False),
        ("GET", {"accept": "text/html", "sec-fetch-mode": "navigate"}, True),
    ],
)
def test_unauthenticated_decision_table(
    sync_manager: SessionManager, method: str, headers: dict[str, str], navigation: bool
) -> None:
    request = WebRequest(method, "/reports", "year=2024", headers)
    assert is_browser_navigation(request) is navigation
    response = sync_manager.unauthenticated(request)
    if navigation:
        assert response.status == 302
        assert response.location == "/auth/login?return_to=%2Freports%3Fyear%3D2024"
    else:
        assert response.status == 401
        assert json.loads(response.body)["error"] == "unauthenticated"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.headers["Cache-Control"] == "private, no-store"


def test_unsafe_return_to_never_reaches_login_url(sync_manager: SessionManager) -> None:
    request = WebRequest("GET", "//evil.example/x", "", {"accept": "text/html"})
    assert sync_manager.unauthenticated(request).location == "/auth/login"


def test_forbidden_html_is_escaped_and_api_gets_json(sync_manager: SessionManager) -> None:
    denied = PermissionDenied("missing_permission", "<script>alert(1)</script>")
    page = sync_manager.forbidden(req(), denied)
    assert page.status == 403 and "<script>" not in page.body and "&lt;script&gt;" in page.body
    # The text itself, unescaped, for an app that draws the page in its own layout.
    assert page.title == "Access denied" and "<script>alert(1)</script>" in page.message
    api = sync_manager.forbidden(
        WebRequest("GET", "/api", headers={"accept": "application/json"}), denied
    )
    assert api.status == 403 and json.loads(api.body)["reason"] == "missing_permission"


# --- guards -----------------------------------------------------------------------------


def test_require_and_user_helpers() -> None:
    user = User(
        "usr_1",
        roles=frozenset({"admin"}),
        permissions=frozenset({"users:read"}),
        scopes=frozenset({"openid", "users"}),
        organization_id="org_1",
    )
    assert require(user, permissions=["users:read"], roles=["admin"], scopes=["users"]) is user
    with pytest.raises(AuthenticationRequired):
        require(None)
    cases = [
        ({"permissions": ["users:write"]}, "missing_permission"),
        ({"roles": ["owner"]}, "missing_role"),
        ({"scopes": ["user"]}, "insufficient_scope"),  # whole words only
        ({"organization_id": "org_2"}, "wrong_organization"),
    ]
    for kwargs, reason in cases:
        with pytest.raises(PermissionDenied) as caught:
            require(user, **kwargs)  # type: ignore[arg-type]
        assert caught.value.reason == reason
    assert json.loads(json.dumps(user.to_dict()))["permissions"] == ["users:read"]


# --- load with an injected clock (testing-kit cookies, no provider) ---------------------


def test_testing_kit_cookies_load_without_network(
    sync_manager: SessionManager, fixed_clock: Clock
) -> None:
    cookies = make_session_cookies(
        sync_manager.settings,
        roles=["admin"],
        permissions=["a:b"],
        organization_id="org_9",
        now=fixed_clock.now,
    )
    result = sync_manager.load(req(cookies))
    assert result.user is not None and result.cookies == ()
    assert (result.user.id, result.user.organization_id) == ("usr_test", "org_9")
    assert result.user.has_role("admin") and result.user.has_permission("a:b")
    assert "scalekit_session=" in cookie_header(cookies)


def test_rolling_idle_and_absolute_timeouts(
    sync_manager: SessionManager, fixed_clock: Clock
) -> None:
    cookies = make_session_cookies(
        sync_manager.settings, expires_in=30 * 86400, now=fixed_clock.now
    )
    # Activity every 20 hours keeps the session alive past one idle timeout...
    for _ in range(12):
        fixed_clock.now += 20 * 3600
        result = sync_manager.load(req(cookies))
        if fixed_clock.now - NOW >= 7 * 86400:
            break
        assert result.user is not None
        assert result.cookies and result.cookies[0].max_age is not None
        assert result.cookies[0].max_age <= 86400
        cookies = {c.name: c.value for c in result.cookies if not c.is_deletion}
    # ...but never past the absolute timeout.
    assert result.user is None and all(c.is_deletion for c in result.cookies)
    fresh = make_session_cookies(sync_manager.settings, expires_in=30 * 86400, now=fixed_clock.now)
    fixed_clock.now += 86400 + 1
    idle = sync_manager.load(req(fresh))
    assert idle.user is None and [c.name for c in idle.cookies] == ["scalekit_session"]


def test_no_rewrite_within_a_minute(sync_manager: SessionManager, fixed_clock: Clock) -> None:
    cookies = make_session_cookies(sync_manager.settings, now=fixed_clock.now)
    fixed_clock.now += 30
    assert sync_manager.load(req(cookies)).cookies == ()


def test_expired_without_refresh_token_ends_session(
    sync_manager: SessionManager, fixed_clock: Clock
) -> None:
    cookies = make_session_cookies(sync_manager.settings, expires_in=100, now=fixed_clock.now)
    fixed_clock.now += 200
    result = sync_manager.load(req(cookies))
    assert result.user is None and result.cookies[0].is_deletion


def test_provider_unreachable_keeps_valid_session_then_anonymous(
    sync_manager: SessionManager, fixed_clock: Clock
) -> None:
    cookies = make_session_cookies(
        sync_manager.settings, expires_in=100, refresh_token="rt_1", now=fixed_clock.now
    )
    fixed_clock.now += 50  # within the refresh buffer, still valid
    assert sync_manager.load(req(cookies)).user is not None
    fixed_clock.now += 100  # expired; the provider is still unreachable
    result = sync_manager.load(req(cookies))
    assert result.user is None and result.cookies == ()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: {k: v[:-4] for k, v in c.items()},
        lambda c: {k: v[:10] + ("B" if v[10] == "A" else "A") + v[11:] for k, v in c.items()},
        lambda c: {"scalekit_session": "garbage"},
        lambda c: {"scalekit_session.0": next(iter(c.values()))[:100], "scalekit_session.1": "x"},
    ],
)
def test_tampered_cookies_are_cleared(sync_manager: SessionManager, mutate: Any) -> None:
    cookies = make_session_cookies(sync_manager.settings)
    result = sync_manager.load(req(mutate(cookies)))
    assert result.user is None and result.cookies and all(c.is_deletion for c in result.cookies)


def test_old_secret_still_reads_and_other_app_does_not(fixed_clock: Clock) -> None:
    client = ScalekitClient(DEAD_PROVIDER, "skc_1", "secret", clock=fixed_clock)
    old = make_session_cookies(make_settings(secrets=OLD_SECRET), now=fixed_clock.now)
    rotated = SessionManager(client, make_settings(secrets=[SECRET, OLD_SECRET]))
    assert rotated.load(req(old)).user is not None
    assert SessionManager(client, make_settings()).load(req(old)).user is None


def test_transaction_cookie_is_not_a_session(sync_manager: SessionManager) -> None:
    response = sync_manager.start_login(req())
    [txn] = response.cookies
    assert sync_manager.load(req({"scalekit_session": txn.value})).user is None


def test_memory_store_cookie_is_signed_id(fixed_clock: Clock) -> None:
    store = MemorySessionStore(clock=fixed_clock)
    client = ScalekitClient(DEAD_PROVIDER, "skc_1", "secret", clock=fixed_clock)
    manager = SessionManager(client, make_settings(store=store))
    cookies = make_session_cookies(manager.settings, now=fixed_clock.now)
    assert len(store) == 1 and manager.load(req(cookies)).user is not None
    forged = {"scalekit_session": cookies["scalekit_session"][:-2] + "xx"}
    assert manager.load(req(forged)).user is None
    assert store.delete_user_sessions("usr_test") == 1
    result = manager.load(req(cookies))
    assert result.user is None and result.cookies[0].is_deletion


# --- login transactions and callback errors ---------------------------------------------


def test_at_most_five_transactions(sync_manager: SessionManager, fixed_clock: Clock) -> None:
    cookies: dict[str, str] = {}
    for _ in range(8):
        fixed_clock.now += 1
        for write in sync_manager.start_login(req(cookies)).cookies:
            if write.is_deletion:
                cookies.pop(write.name)
            else:
                cookies[write.name] = write.value
    assert len(cookies) == 5


def test_callback_error_paths(sync_manager: SessionManager, fixed_clock: Clock) -> None:
    start = sync_manager.start_login(req(path="/auth/login"), return_to="/after")
    [txn] = start.cookies
    state = txn.name.removeprefix("scalekit_txn_")
    cookies = {txn.name: txn.value}

    def callback(query: str, jar: dict[str, str] = cookies) -> Any:
        return sync_manager.complete_login(WebRequest("GET", "/auth/callback", query, {}, jar))

    error = callback(f"state={state}&error=access_denied&error_description=%3Cb%3Enope%3C/b%3E")
    assert error.status == 400 and "&lt;b&gt;nope" in error.body and "<b>" not in error.body
    assert [c.name for c in error.cookies] == [txn.name]
    assert callback("code=abc").status == 400
    assert callback(f"state={state}&code=abc&iss=https://evil.example").status == 400
    assert callback(f"state={state}").status == 400
    down = callback(f"state={state}&code=secret-code-123")
    assert down.status == 503 and "secret-code-123" not in down.body
    fixed_clock.now += 601
    expired = callback(f"state={state}&code=abc")
    assert expired.status == 302 and "state=retry." in (expired.location or "")
    restarted = next(c for c in expired.cookies if not c.is_deletion)
    assert restarted.name.startswith("scalekit_txn_retry.")


def test_logout_origin_rules(sync_manager: SessionManager) -> None:
    def logout(**headers: str) -> int:
        return sync_manager.logout(WebRequest("POST", "/auth/logout", "", headers)).status

    assert logout(origin=BASE) == 302
    assert logout(referer=BASE + "/settings") == 302
    assert logout() == 302  # a non-browser client
    assert logout(origin="http://localhost:8001") == 403
    assert logout(origin="null") == 403
    assert logout(referer="https://evil.example/") == 403
    assert logout(**{"sec-fetch-site": "cross-site"}) == 403


# --- single flight ----------------------------------------------------------------------


def test_single_flight_shares_outcomes(fixed_clock: Clock) -> None:
    coordinator = RefreshCoordinator(RefreshOutcomes(30, fixed_clock))
    calls = []
    gate = threading.Event()

    def refresh() -> TokenResponse:
        calls.append(1)
        gate.wait(2)
        return TokenResponse("new-access", 300, refresh_token="rt_2")

    results: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(coordinator.run("rt_1", refresh).access_token)
        )
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert calls == [1] and results == ["new-access"] * 20
    fixed_clock.now += 10  # a late request with the old cookie still gets the new tokens
    assert coordinator.run("rt_1", refresh).refresh_token == "rt_2" and calls == [1]
    fixed_clock.now += 30
    assert coordinator.run("rt_1", refresh) and calls == [1, 1]

    def refused() -> TokenResponse:
        raise OAuthError("invalid_grant", "revoked", 400)

    def unreachable() -> TokenResponse:
        raise ScalekitConnectionError("down")

    with pytest.raises(RefreshFailed) as ended:
        coordinator.run("rt_x", refused)
    assert ended.value.ends_session
    with pytest.raises(RefreshFailed) as transient:
        coordinator.run("rt_y", unreachable)
    assert not transient.value.ends_session


# --- async twin -------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_twin_same_rules(fixed_clock: Clock) -> None:
    async with AsyncScalekitClient(DEAD_PROVIDER, "skc_1", "secret", clock=fixed_clock) as client:
        manager = AsyncSessionManager(client, make_settings())
        cookies = make_session_cookies(
            manager.settings, expires_in=100, refresh_token="rt", now=fixed_clock.now
        )
        assert (await manager.load(req(cookies))).user is not None
        fixed_clock.now += 50
        assert (await manager.load(req(cookies))).user is not None  # refresh failed, still valid
        fixed_clock.now += 100
        result = await manager.load(req(cookies))
        assert result.user is None and result.cookies == ()
        fixed_clock.now += 86400
        ended = await manager.load(req(cookies))
        assert ended.user is None and ended.cookies[0].is_deletion
        start = await manager.start_login(req())
        assert start.status == 302 and len(start.cookies) == 1
        assert (await manager.logout(req())).status == 405
        cb = await manager.complete_login(WebRequest("GET", "/auth/callback", "state=x"))
        assert cb.status == 400


def test_twins_have_the_same_surface() -> None:
    def public(cls: type) -> set[str]:
        return {name for name in dir(cls) if not name.startswith("_")}

    assert public(SessionManager) == public(AsyncSessionManager)


def test_guard_answers_what_require_refuses(sync_manager: SessionManager) -> None:
    alice = User("usr_1", permissions=frozenset({"users:read"}))
    page = WebRequest("GET", "/admin", headers={"accept": "text/html"})
    assert sync_manager.guard(page, alice, permissions=["users:read"]) is None
    assert sync_manager.guard(page, None).location == "/auth/login?return_to=%2Fadmin"
    assert sync_manager.guard(page, None, api=True).status == 401
    denied = sync_manager.guard(page, alice, permissions=["users:write"])
    assert denied is not None and denied.status == 403 and "users:write" in denied.message
