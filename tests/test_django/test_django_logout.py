"""Django's own sign-out (``django.contrib.auth.logout``, the admin's "Log out") ends the
Scalekit session too, for sync and async requests and with either session store."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient, Client

from scalekit_emulator import EmulatorHandle
from tests.redis_server import RedisServer, redis_prefix, redis_server

from .conftest import HTML, asign_in, sign_in

__all__ = ["redis_prefix", "redis_server"]

pytestmark = pytest.mark.django_db

ACME_ADMINS = {"org_acme": "admin"}


def assert_session_deleted(response: Any) -> None:
    cookie = response.cookies["scalekit_session"]
    assert cookie.value == "" and cookie["max-age"] == 0 and cookie["path"] == "/"


def test_django_admin_log_out_ends_the_scalekit_session(
    scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_STAFF_ORGANIZATIONS = ACME_ADMINS
    client = Client()
    sign_in(client, scalekit)
    assert client.get("/django-admin/", **HTML).status_code == 200
    out = client.post("/django-admin/logout/", **HTML)
    assert out.status_code == 200 and b"Logged out" in out.content
    assert_session_deleted(out)
    # The next requests are anonymous: no signed-in admin, no signed-in API user.
    again = client.get("/django-admin/", **HTML)
    assert again.status_code == 302 and again["Location"].startswith("/django-admin/login/")
    assert client.get("/api/me").status_code == 401


def test_djangos_logout_in_a_projects_own_view_ends_the_scalekit_session(
    scalekit: EmulatorHandle,
) -> None:
    client = Client()
    sign_in(client, scalekit)
    out = client.get("/t/django-logout")
    assert out.content == b"signed out, scalekit=None"  # anonymous for the rest of it too
    assert_session_deleted(out)
    assert client.get("/api/me").status_code == 401


def test_djangos_logout_without_a_scalekit_session_is_harmless(scalekit: EmulatorHandle) -> None:
    out = Client().get("/t/django-logout")
    assert out.status_code == 200 and out.content == b"signed out, scalekit=None"


def test_djangos_logout_ends_the_stored_session_in_redis(
    scalekit: EmulatorHandle, settings: Any, redis_server: RedisServer, redis_prefix: str
) -> None:
    settings.SCALEKIT_REDIS_URL = redis_server.url
    settings.SCALEKIT_REDIS_PREFIX = redis_prefix
    client = Client()
    sign_in(client, scalekit)
    stolen = client.cookies["scalekit_session"].value
    assert client.get("/api/me").status_code == 200
    assert_session_deleted(client.get("/t/django-logout"))
    # A copy of the old cookie names a session that no longer exists.
    replay = Client()
    replay.cookies["scalekit_session"] = stolen
    assert replay.get("/api/me").status_code == 401


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_async_djangos_logout_ends_the_scalekit_session(
    async_scalekit: EmulatorHandle, settings: Any
) -> None:
    settings.SCALEKIT_STAFF_ORGANIZATIONS = ACME_ADMINS
    html = {"accept": "text/html"}
    client = AsyncClient()
    await asign_in(client, async_scalekit)
    out = await client.get("/t/async-django-logout")
    assert out.content == b"signed out, user=False"
    assert_session_deleted(out)
    assert (await client.get("/api/me")).status_code == 401
    # The admin's (sync) logout view under the async handler.
    await asign_in(client, async_scalekit)
    assert (await client.get("/django-admin/", headers=html)).status_code == 200
    out = await client.post("/django-admin/logout/", headers=html)
    assert out.status_code == 200 and b"Logged out" in out.content
    assert_session_deleted(out)
    assert (await client.get("/api/me")).status_code == 401
