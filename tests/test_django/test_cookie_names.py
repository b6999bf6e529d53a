"""Django, sync and async: ambiguous session cookies fail closed, https cookie names carry
``__Host-``, and cookies the layer never wrote are never deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient, Client

from scalekit_core.testing import make_session_cookies
from scalekit_django import conf
from scalekit_django.conf import get_settings
from scalekit_emulator import EmulatorHandle

from ..cookie_cases import FOREIGN_COOKIES_WSGI, duplicated, only_core_cookie_names
from .conftest import HTML, path_of

pytestmark = pytest.mark.django_db(transaction=True)

JSON = {"HTTP_ACCEPT": "application/json"}
ORIGIN = "http://localhost:8000"
HTTPS = "https://localhost:8000"
#: The async test client adds its own (empty) ``Cookie`` header after a given one, which
#: Django joins with ","; a last harmless cookie keeps that comma off the session's value.
TAIL = "; theme=dark"


def is_deletion(response: Any, name: str) -> bool:
    return name in response.cookies and response.cookies[name]["max-age"] == 0


def session_cookie() -> tuple[str, str]:
    [(name, value)] = make_session_cookies(get_settings().session).items()
    return name, value


def test_ambiguous_session_cookies_fail_closed(scalekit: EmulatorHandle) -> None:
    client = Client()
    name, value = session_cookie()
    signed_in = client.get("/api/me", HTTP_COOKIE=f"{name}={value}", **JSON)
    assert signed_in.status_code == 200 and signed_in.json()["id"] == "usr_test"
    for header in duplicated(name, value):
        response = client.get("/api/me", HTTP_COOKIE=header, **JSON)
        assert response.status_code == 401, header
        assert is_deletion(response, name)
        assert client.get("/dashboard", HTTP_COOKIE=header, **HTML).status_code == 302


@pytest.mark.anyio
async def test_ambiguous_session_cookies_fail_closed_async(async_scalekit: EmulatorHandle) -> None:
    client = AsyncClient()
    name, value = session_cookie()
    json = {"accept": "application/json"}
    signed_in = await client.get("/api/me", headers={**json, "cookie": f"{name}={value}{TAIL}"})
    assert signed_in.status_code == 200 and signed_in.json()["id"] == "usr_test"
    for header in duplicated(name, value):
        response = await client.get("/api/me", headers={**json, "cookie": header + TAIL})
        assert response.status_code == 401, header
        assert is_deletion(response, name)


def test_session_and_transaction_cookies_use_host_prefix_on_https(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_APP_BASE_URL = HTTPS
    conf.reset()
    client = Client()
    started = client.get("/login", secure=True, **HTML)
    [txn] = started.cookies.values()
    assert txn.key.startswith("__Host-scalekit_txn_")
    assert (txn["secure"], txn["path"], txn["domain"]) == (True, "/", "")
    callback = scalekit.sign_in(started["Location"], email="alice@acme.test")
    done = client.get(path_of(callback), secure=True, **HTML)
    assert done.status_code == 302 and "__Host-scalekit_session" in done.cookies
    me = client.get("/api/me", secure=True, **JSON)
    assert me.status_code == 200 and me.json()["email"] == "alice@acme.test"
    out = client.post("/logout", secure=True, HTTP_ORIGIN=HTTPS)
    assert is_deletion(out, "__Host-scalekit_session")
    assert client.get("/api/me", secure=True, **JSON).status_code == 401


@pytest.mark.anyio
async def test_session_and_transaction_cookies_use_host_prefix_on_https_async(
    async_scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_APP_BASE_URL = HTTPS
    conf.reset()
    client = AsyncClient()
    html, json = {"accept": "text/html"}, {"accept": "application/json"}
    started = await client.get("/login", secure=True, headers=html)
    [txn] = started.cookies.values()
    assert txn.key.startswith("__Host-scalekit_txn_") and txn["secure"] is True
    callback = async_scalekit.sign_in(started["Location"], email="alice@acme.test")
    done = await client.get(path_of(callback), secure=True, headers=html)
    assert done.status_code == 302 and "__Host-scalekit_session" in done.cookies
    me = await client.get("/api/me", secure=True, headers=json)
    assert me.status_code == 200 and me.json()["email"] == "alice@acme.test"
    out = await client.post("/logout", secure=True, headers={"origin": HTTPS})
    assert is_deletion(out, "__Host-scalekit_session")


def test_unusual_cookie_names_are_never_deleted(scalekit: EmulatorHandle) -> None:
    client = Client(raise_request_exception=False)
    cookie = {"HTTP_COOKIE": FOREIGN_COOKIES_WSGI}
    for response in (
        client.get("/login", **HTML, **cookie),
        client.get("/auth/callback?code=abc&state=" + "s" * 32, **HTML, **cookie),
        client.post("/logout", HTTP_ORIGIN=ORIGIN, **cookie),
        client.get("/dashboard", **HTML, **cookie),
        client.get("/api/me", **JSON, **cookie),
    ):
        assert response.status_code in (200, 302, 401), response
        assert only_core_cookie_names(response.cookies), list(response.cookies)


@pytest.mark.anyio
async def test_unusual_cookie_names_are_never_deleted_async(
    async_scalekit: EmulatorHandle,
) -> None:
    client = AsyncClient(raise_request_exception=False)
    html = {"accept": "text/html", "cookie": FOREIGN_COOKIES_WSGI}
    for response in (
        await client.get("/login", headers=html),
        await client.get("/auth/callback?code=abc&state=" + "s" * 32, headers=html),
        await client.post("/logout", headers={"origin": ORIGIN, "cookie": FOREIGN_COOKIES_WSGI}),
        await client.get("/dashboard", headers=html),
        await client.get("/api/me", headers={**html, "accept": "application/json"}),
    ):
        assert response.status_code in (200, 302, 401), response
        assert only_core_cookie_names(response.cookies), list(response.cookies)
