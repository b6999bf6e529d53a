"""The 401/403 rule, explicit API endpoints, and the unsealed-session cache."""

from __future__ import annotations

from scalekit_core import ScalekitClient
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import PermissionDenied, SessionManager, SessionSettings, WebRequest

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
