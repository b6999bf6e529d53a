"""The 401/403 rule, explicit API endpoints, and the unsealed-session caches."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

from scalekit_core import ScalekitClient
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import (
    LoadResult,
    MemorySessionStore,
    PermissionDenied,
    RequestCookies,
    SessionManager,
    SessionSettings,
    WebRequest,
)

SETTINGS = SessionSettings(secrets="s" * 32, base_url="http://127.0.0.1:5000")
NAVIGATION = {"accept": "text/html,application/xhtml+xml"}


def manager() -> SessionManager:
    return SessionManager(ScalekitClient("https://acme.scalekit.test", "skc_1", "secret"), SETTINGS)


def test_api_endpoints_answer_401_json_even_to_a_browser() -> None:
    request = WebRequest("GET", "/api/me", "", NAVIGATION, {})
    assert manager().unauthenticated(request).status == 302
    response = manager().unauthenticated(request, api=True)
    assert response.status == 401
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_forbidden_html_for_navigations_and_form_posts_json_for_apis() -> None:
    denied = PermissionDenied("missing_permission", "missing organization:settings")
    navigation = WebRequest("GET", "/admin", "", NAVIGATION, {})
    form_post = WebRequest("POST", "/sessions/x/revoke", "", NAVIGATION, {})
    fetch = WebRequest("POST", "/sessions/x/revoke", "", {"accept": "application/json"}, {})
    assert manager().forbidden(navigation, denied).headers["Content-Type"].startswith("text/html")
    assert manager().forbidden(form_post, denied).headers["Content-Type"].startswith("text/html")
    assert manager().forbidden(fetch, denied).headers["Content-Type"] == "application/json"
    assert (
        manager().forbidden(navigation, denied, api=True).headers["Content-Type"]
        == "application/json"
    )
    assert "organization:settings" in manager().forbidden(form_post, denied).body


def test_a_session_value_is_unsealed_once_then_served_from_memory() -> None:
    sessions = manager()
    cookies = make_session_cookies(SETTINGS, email="ada@example.com")
    first = sessions.load(WebRequest("GET", "/", "", NAVIGATION, cookies)).user
    sealed = cookies[SETTINGS.session_cookie]
    cached = sessions._ctx._unsealed[sealed]
    second = sessions.load(WebRequest("GET", "/", "", NAVIGATION, cookies)).user
    assert first is not None and first.email == "ada@example.com"
    assert second is cached.user  # the same User object: nothing parsed again
    tampered = {
        SETTINGS.session_cookie: sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    }
    assert sessions.load(WebRequest("GET", "/", "", NAVIGATION, tampered)).user is None
    assert len(sessions._ctx._unsealed) == 1  # values that do not unseal are not remembered


def from_header(header: str) -> RequestCookies:
    """Cookies as the adapters pass them: parsed lazily from the raw header."""
    return RequestCookies(lambda: {k: m.value for k, m in SimpleCookie(header).items()}, header)


def clocked(now: list[float], settings: SessionSettings = SETTINGS) -> SessionManager:
    """A manager whose clock reads ``now[0]``."""
    return SessionManager(
        ScalekitClient("https://acme.scalekit.test", "skc_1", "secret"),
        settings,
        clock=lambda: now[0],
    )


def header_of(cookies: dict[str, str]) -> str:
    """The raw ``Cookie`` header a browser sends with ``cookies``."""
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def test_a_cookie_header_read_to_a_session_is_remembered_lifetimes_still_checked() -> None:
    now = [1_000_000.0]
    sessions = clocked(now)
    header = header_of(make_session_cookies(SETTINGS, expires_in=10 * 24 * 3600, now=now[0]))

    def load(header: str) -> str | None:
        user = sessions.load(WebRequest("GET", "/", "", NAVIGATION, from_header(header))).user
        return user.id if user else None

    assert load(header) == "usr_test"
    remembered = sessions._ctx._by_header[header]
    assert load(header) == "usr_test" and sessions._ctx._by_header[header] is remembered
    # The same session cookie twice is ambiguous: refused, and never remembered.
    twice = f"{header}; {header}"
    assert load(twice) is None and twice not in sessions._ctx._by_header
    assert load("other=1") is None and "other=1" not in sessions._ctx._by_header
    # A remembered header still passes every lifetime check on each request.
    now[0] += SETTINGS.absolute_timeout
    assert load(header) is None


def test_a_quiet_warm_session_reuses_its_result_until_a_lifetime_check_could_fire() -> None:
    now = [1_000_000.0]
    sessions = clocked(now)

    def load(header: str) -> LoadResult:
        return sessions.load(WebRequest("GET", "/", "", NAVIGATION, from_header(header)))

    def signed_in(**kwargs: Any) -> str:
        return header_of(make_session_cookies(SETTINGS, now=now[0], **kwargs))

    # Rolling idle expiry: nothing to write for a minute, then the session is rewritten.
    header = signed_in(expires_in=10 * 24 * 3600)
    first = load(header)
    assert first.user is not None and first.cookies == ()
    now[0] += 59.0
    assert load(header) is first  # the same result: no lifetime check could have fired
    now[0] += 1.0
    rewritten = load(header)
    assert rewritten.user is not None and rewritten.cookies  # the idle timeout renewed
    # A revocation counts on the very next request, quiet or not.
    header = signed_in(expires_in=10 * 24 * 3600)
    assert load(header).user is not None and load(header).user is not None
    now[0] += 1.0
    sessions.end_user_sessions("usr_test")
    ended = load(header)
    assert ended.user is None and ended.reason == "session_revoked"
    # An access token due for refresh: the refresh buffer ends the quiet time.
    now[0] += 10.0
    header = signed_in(expires_in=int(SETTINGS.refresh_buffer) + 30, refresh_token=None)
    assert load(header).user is not None
    now[0] += 30.0  # within the refresh buffer, no refresh token: still signed in
    assert load(header).user is not None
    now[0] += SETTINGS.refresh_buffer  # expired, no refresh token: the session ends
    assert load(header).user is None
    # A server-side session is looked up on every request: deleted, it is gone at once.
    store = MemorySessionStore()
    settings = SessionSettings(secrets="s" * 32, base_url="http://127.0.0.1:5000", store=store)
    stored = clocked(now, settings)
    header = header_of(make_session_cookies(settings, now=now[0], expires_in=3600))
    request = WebRequest("GET", "/", "", NAVIGATION, from_header(header))
    assert stored.load(request).user is not None
    assert stored.end_user_sessions("usr_test") == 1
    assert stored.load(WebRequest("GET", "/", "", NAVIGATION, from_header(header))).user is None


def test_end_sessions_with_a_server_side_store_and_with_cookies() -> None:
    store = MemorySessionStore()
    settings = SessionSettings(secrets="s" * 32, base_url="http://127.0.0.1:5000", store=store)
    sessions = SessionManager(
        ScalekitClient("https://acme.scalekit.test", "skc_1", "secret"), settings
    )
    ada = make_session_cookies(settings, user_id="usr_ada", claims={"sid": "ses_1"})
    ada_elsewhere = make_session_cookies(settings, user_id="usr_ada", claims={"sid": "ses_2"})
    bob = make_session_cookies(settings, user_id="usr_bob", claims={"sid": "ses_3"})

    def user_of(cookies: dict[str, str]) -> str | None:
        user = sessions.load(WebRequest("GET", "/", "", NAVIGATION, cookies)).user
        return user.id if user else None

    assert sessions.end_scalekit_session("ses_1") == 1
    assert (user_of(ada), user_of(ada_elsewhere), user_of(bob)) == (None, "usr_ada", "usr_bob")
    assert sessions.end_user_sessions("usr_ada") == 1
    assert (user_of(ada_elsewhere), user_of(bob)) == (None, "usr_bob")
    assert len(store) == 1
    assert manager().end_user_sessions("usr_ada") == 0  # cookie store: ends at the next refresh
