"""Responses that write session cookies are never cacheable by a shared cache, and the
callback and error pages never leak their URL through ``Referer`` (WSGI and ASGI)."""

from __future__ import annotations

import pytest
from django.test import AsyncClient, Client, override_settings

from scalekit_emulator import EmulatorHandle

from .conftest import HTML, asign_in, sign_in

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="tests.test_django.urls_cache")
def test_view_marked_public_is_private_when_session_cookies_are_written(
    scalekit: EmulatorHandle,
) -> None:
    client = Client()
    client.cookies["scalekit_session"] = "not-a-sealed-session"
    response = client.get("/cached", **HTML)
    assert response.status_code == 200
    assert response.cookies["scalekit_session"]["max-age"] == 0  # cleared
    assert response["Cache-Control"] == "private, no-store"
    assert response["Vary"] == "Accept-Encoding, Cookie"


@override_settings(ROOT_URLCONF="tests.test_django.urls_cache")
def test_view_keeps_its_cache_headers_when_no_cookie_is_written(scalekit: EmulatorHandle) -> None:
    response = Client().get("/cached", **HTML)
    assert response["Cache-Control"] == "public, max-age=3600"
    assert not response.cookies


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF="tests.test_django.urls_cache")
async def test_async_view_marked_public_is_private_when_session_cookies_are_written(
    async_scalekit: EmulatorHandle,
) -> None:
    client = AsyncClient()
    client.cookies["scalekit_session"] = "not-a-sealed-session"
    response = await client.get("/cached", headers={"accept": "text/html"})
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]


def test_callback_response_is_private_and_sends_no_referrer(scalekit: EmulatorHandle) -> None:
    done = sign_in(Client(), scalekit)
    assert done.status_code == 302
    assert done["Cache-Control"] == "private, no-store"
    assert "Cookie" in done["Vary"]
    assert done["Referrer-Policy"] == "no-referrer"


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_async_callback_response_is_private_and_sends_no_referrer(
    async_scalekit: EmulatorHandle,
) -> None:
    done = await asign_in(AsyncClient(), async_scalekit)
    assert done.status_code == 302
    assert done["Cache-Control"] == "private, no-store"
    assert done["Referrer-Policy"] == "no-referrer"


def test_callback_error_page_sends_no_referrer(scalekit: EmulatorHandle) -> None:
    page = Client().get("/auth/callback?code=abc&state=x", **HTML)
    assert page.status_code == 400
    assert page["Referrer-Policy"] == "no-referrer"
