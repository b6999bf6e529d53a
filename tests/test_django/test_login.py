"""Login, callback, logout, refresh and per-request loading through Django's test client."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.test import Client

from scalekit_django.models import ScalekitIdentity
from scalekit_emulator import EmulatorHandle

from .conftest import HTML, path_of, sign_in

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def session_cookie(response: Any) -> str:
    return str(response.cookies["scalekit_session"].value)


def test_full_login_links_a_django_user(scalekit: EmulatorHandle) -> None:
    client = Client()
    done = sign_in(client, scalekit, "/login?return_to=/dashboard")
    assert done.status_code == 302 and done["Location"] == "/dashboard"
    cookie = done.cookies["scalekit_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie.value
    page = client.get("/dashboard", **HTML)
    assert page.status_code == 200
    assert b"alice@acme.test" in page.content and b"org_acme" in page.content
    identity = ScalekitIdentity.objects.select_related("user").get(subject="usr_alice")
    assert identity.issuer == scalekit.url
    user = identity.user
    assert user.get_username() == "usr_alice" and user.email == "alice@acme.test"
    assert user.last_login is not None
    assert not user.is_staff and not user.is_superuser  # no organization named: no flags
    # A second login reuses the same user.
    sign_in(Client(), scalekit)
    assert ScalekitIdentity.objects.count() == 1


def test_anonymous_navigation_redirects_and_returns(scalekit: EmulatorHandle) -> None:
    client = Client()
    first = client.get("/dashboard?tab=2", **HTML)
    assert first.status_code == 302
    assert first["Location"] == "/login?return_to=%2Fdashboard%3Ftab%3D2"
    done = sign_in(client, scalekit, first["Location"])
    assert done["Location"] == "/dashboard?tab=2"
    assert client.get(done["Location"], **HTML).status_code == 200


def test_api_calls_get_401_json(scalekit: EmulatorHandle) -> None:
    response = Client().get("/api/me", **JSON)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    xhr = Client().get("/dashboard", HTTP_X_REQUESTED_WITH="XMLHttpRequest", **HTML)
    assert xhr.status_code == 401


def test_missing_permission_is_403(scalekit: EmulatorHandle) -> None:
    bob = Client()
    sign_in(bob, scalekit, email="bob@acme.test")
    page = bob.get("/admin", **HTML)
    assert page.status_code == 403 and b"organization:settings" in page.content
    api = bob.get("/admin", **JSON)
    assert api.status_code == 403 and api.json()["reason"] == "missing_permission"
    alice = Client()
    sign_in(alice, scalekit)
    assert alice.get("/admin", **HTML).status_code == 200


def test_bearer_tokens(scalekit: EmulatorHandle) -> None:
    token = scalekit.mint_access_token("bob@acme.test")
    ok = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 200
    body = ok.json()
    assert body["id"] == "usr_bob" and body["is_bearer"] is True
    assert "scalekit_session" not in ok.cookies
    expired = scalekit.mint_access_token(exp=1_000_000)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (expired, forged, "not-a-jwt"):
        response = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {bad}", **HTML)
        assert response.status_code == 401
        assert 'error="invalid_token"' in response["WWW-Authenticate"]


@pytest.mark.parametrize("value", ["garbage", "A" * 5000, "\x00\x01", ""])
def test_tampered_cookies_are_anonymous(scalekit: EmulatorHandle, value: str) -> None:
    client = Client()
    client.cookies["scalekit_session"] = value
    client.cookies["scalekit_session.1"] = value
    assert client.get("/", **HTML).status_code == 200
    assert client.get("/api/me", **JSON).status_code == 401


def test_tampered_real_session_is_anonymous(scalekit: EmulatorHandle) -> None:
    client = Client()
    done = sign_in(client, scalekit)
    value = session_cookie(done)
    client.cookies["scalekit_session"] = value[:-3] + ("xyz" if value[-3:] != "xyz" else "abc")
    response = client.get("/api/me", **JSON)
    assert response.status_code == 401
    assert response.cookies["scalekit_session"]["max-age"] == 0


def test_refresh_after_expiry_writes_cookies(scalekit: EmulatorHandle) -> None:
    scalekit.set_token_lifetimes(access_token=30)  # within the 60 s refresh buffer
    client = Client()
    done = sign_in(client, scalekit)
    before = session_cookie(done)
    assert scalekit.token_calls("refresh_token") == 0
    response = client.get("/api/me", **JSON)
    assert response.status_code == 200
    assert scalekit.token_calls("refresh_token") == 1
    assert session_cookie(response) not in ("", before)


def test_refreshed_cookie_survives_404_and_500(scalekit: EmulatorHandle) -> None:
    scalekit.set_token_lifetimes(access_token=30)  # every request refreshes
    client = Client(raise_request_exception=False)
    before = session_cookie(sign_in(client, scalekit))
    missing = client.get("/no-such-page", **HTML)
    assert missing.status_code == 404 and scalekit.token_calls("refresh_token") == 1
    after_404 = session_cookie(missing)
    assert after_404 not in ("", before)
    failed = client.get("/t/broken", **HTML)
    assert failed.status_code == 500 and scalekit.token_calls("refresh_token") == 2
    assert b"Traceback" not in failed.content and b"a bug in the view" not in failed.content
    assert session_cookie(failed) not in ("", before, after_404)
    assert client.get("/api/me", **JSON).status_code == 200  # the last cookie still works


def test_logout(scalekit: EmulatorHandle) -> None:
    client = Client()
    sign_in(client, scalekit)
    assert client.get("/logout").status_code == 405
    cross = client.post("/logout", HTTP_ORIGIN="https://evil.test")
    assert cross.status_code == 403
    assert client.get("/api/me", **JSON).status_code == 200
    out = client.post("/logout", HTTP_ORIGIN="http://localhost:8000")
    assert out.status_code == 302 and out["Location"].startswith(scalekit.url)
    assert "id_token_hint=" in out["Location"]
    assert out.cookies["scalekit_session"]["max-age"] == 0
    assert client.get("/api/me", **JSON).status_code == 401


def test_two_parallel_logins(scalekit: EmulatorHandle) -> None:
    client = Client()
    one = client.get("/login?return_to=/one", **HTML)
    two = client.get("/login?return_to=/two", **HTML)
    callback_one = scalekit.sign_in(one["Location"])
    callback_two = scalekit.sign_in(two["Location"], email="bob@acme.test")
    assert client.get(path_of(callback_two), **HTML)["Location"] == "/two"
    assert client.get(path_of(callback_one), **HTML)["Location"] == "/one"
    assert client.get("/api/me", **JSON).json()["id"] == "usr_alice"


def test_callback_errors(scalekit: EmulatorHandle) -> None:
    client = Client()
    missing = client.get("/auth/callback?code=abc", **HTML)
    assert missing.status_code == 400 and b"state" in missing.content
    denied = client.get("/auth/callback?error=access_denied&state=xyz", **HTML)
    assert denied.status_code == 400 and b"access_denied" in denied.content
    unknown = client.get("/auth/callback?code=abc&state=" + "s" * 43, **HTML)
    assert unknown.status_code == 302 and unknown["Location"].startswith(scalekit.url)
    assert b"abc" not in unknown.content


def test_replayed_callback_never_reaches_the_token_endpoint_twice(
    scalekit: EmulatorHandle,
) -> None:
    client = Client()
    started = client.get("/login", **HTML)
    transaction: SimpleCookie = SimpleCookie()
    for name, morsel in started.cookies.items():
        transaction[name] = morsel.value
    callback = path_of(scalekit.sign_in(started["Location"]))
    assert client.get(callback, **HTML).status_code == 302
    exchanges = scalekit.token_calls("authorization_code")
    replay = Client()
    replay.cookies = transaction
    response = replay.get(callback, **HTML)
    assert response.status_code == 400
    assert b"already used" in response.content
    assert scalekit.token_calls("authorization_code") == exchanges


def test_provider_down_is_503(scalekit: EmulatorHandle) -> None:
    client = Client()
    started = client.get("/login", **HTML)
    callback = path_of(scalekit.sign_in(started["Location"]))
    scalekit.inject_fault("/oauth/token", status=503, count=10)
    response = client.get(callback, **HTML)
    assert response.status_code == 503 and response["Retry-After"]
    assert b"Traceback" not in response.content
    assert "scalekit_session" not in response.cookies or not session_cookie(response)


def test_api_me_lists_claims_without_tokens(scalekit: EmulatorHandle) -> None:
    client = Client()
    sign_in(client, scalekit)
    body = client.get("/api/me", **JSON).json()
    assert body["email"] == "alice@acme.test" and "users:write" in body["permissions"]
    assert "access_token" not in json.dumps(body)
