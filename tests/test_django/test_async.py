"""The async path: ``AsyncClient`` runs the middleware's coroutine with the async client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient

from scalekit_core.web import User
from scalekit_django import conf
from scalekit_django.conf import get_async_manager
from scalekit_django.signals import scalekit_user_logged_in
from scalekit_emulator import EmulatorHandle

from .conftest import asign_in

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]

JSON = {"accept": "application/json"}


async def test_async_login_and_views(async_scalekit: EmulatorHandle) -> None:
    client = AsyncClient()
    done = await asign_in(client, async_scalekit, "/login?return_to=/api/me")
    assert done.status_code == 302 and done["Location"] == "/api/me"
    me = await client.get("/api/me", headers=JSON)
    assert me.status_code == 200 and me.json()["email"] == "alice@acme.test"
    scoped = await client.get("/t/async-scoped", headers=JSON)
    assert scoped.json() == {"username": "usr_alice", "is_staff": False}
    assert (await client.get("/t/async-mixin", headers=JSON)).content == b"async mixin ok"
    page = await client.get("/dashboard", headers={"accept": "text/html"})
    assert page.status_code == 200 and b"org_acme" in page.content
    # The async path used this loop's async manager and client.
    assert get_async_manager().client.config.env_url == async_scalekit.url


async def test_async_anonymous_and_bearer(async_scalekit: EmulatorHandle) -> None:
    client = AsyncClient()
    assert (await client.get("/api/me", headers=JSON)).status_code == 401
    page = await client.get("/dashboard", headers={"accept": "text/html"})
    assert page.status_code == 302 and page["Location"] == "/login?return_to=%2Fdashboard"
    token = async_scalekit.mint_access_token("bob@acme.test")
    me = await client.get("/api/me", headers={"authorization": f"Bearer {token}"})
    assert me.json()["id"] == "usr_bob"
    mixin = await client.get("/t/async-mixin", headers={"authorization": f"Bearer {token}"})
    assert mixin.status_code == 403


async def test_async_refresh_writes_cookies(async_scalekit: EmulatorHandle) -> None:
    async_scalekit.set_token_lifetimes(access_token=30)
    client = AsyncClient()
    done = await asign_in(client, async_scalekit)
    before = done.cookies["scalekit_session"].value
    response = await client.get("/api/me", headers=JSON)
    assert response.status_code == 200
    assert async_scalekit.token_calls("refresh_token") == 1
    assert response.cookies["scalekit_session"].value not in ("", before)


async def test_async_refreshed_cookie_survives_404_and_500(async_scalekit: EmulatorHandle) -> None:
    async_scalekit.set_token_lifetimes(access_token=30)  # every request refreshes
    client = AsyncClient(raise_request_exception=False)
    before = (await asign_in(client, async_scalekit)).cookies["scalekit_session"].value
    missing = await client.get("/no-such-page", headers=JSON)
    assert missing.status_code == 404 and async_scalekit.token_calls("refresh_token") == 1
    after_404 = missing.cookies["scalekit_session"].value
    assert after_404 not in ("", before)
    failed = await client.get("/t/async-broken", headers=JSON)
    assert failed.status_code == 500 and async_scalekit.token_calls("refresh_token") == 2
    assert b"Traceback" not in failed.content
    assert failed.cookies["scalekit_session"].value not in ("", before, after_404)
    assert (await client.get("/api/me", headers=JSON)).status_code == 200


async def test_under_asgi_the_login_routes_run_on_the_async_client(
    async_scalekit: EmulatorHandle,
) -> None:
    received: list[str] = []

    async def receiver(sender: Any, scalekit_user: User, **kwargs: Any) -> None:
        received.append(scalekit_user.id)

    scalekit_user_logged_in.connect(receiver)
    try:
        client = AsyncClient()
        done = await asign_in(client, async_scalekit, "/login?next=/dashboard")
        assert done.status_code == 302 and done["Location"] == "/dashboard"
        assert received == ["usr_alice"]  # the signal, sent by the async callback
        assert (await client.get("/logout")).status_code == 405
        # CsrfViewMiddleware still checks the POST before the async twin runs.
        strict = AsyncClient(enforce_csrf_checks=True)
        refused = await strict.post("/logout", headers={"origin": "http://localhost:8000"})
        assert refused.status_code == 403 and b"CSRF" in refused.content
        out = await client.post("/logout", headers={"origin": "http://localhost:8000"})
        assert out.status_code == 302 and out["Location"].startswith(async_scalekit.url)
        assert out.cookies["scalekit_session"].value == ""
    finally:
        scalekit_user_logged_in.disconnect(receiver)
    # Login, callback and logout never built the blocking manager and its client.
    assert conf._manager is None
