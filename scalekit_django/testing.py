"""Test helpers: sign a Django test client in without a login round trip.

>>> from django.test import Client  # doctest: +SKIP
>>> client = Client()
>>> login_as(client, user_id="usr_1", permissions=["users:read"])
>>> client.get("/dashboard").status_code
200
"""

from __future__ import annotations

from typing import Any

from django.test import AsyncClient, Client

from scalekit_core.testing import make_session_cookies

from .conf import get_settings

__all__ = ["login_as"]


def login_as(client: Client | AsyncClient, **claims: Any) -> dict[str, str]:
    """Put valid session cookies on ``client``; keyword arguments are those of
    ``scalekit_core.testing.make_session_cookies`` (``user_id``, ``email``, ``roles``,
    ``permissions``, ``organization_id``, ``expires_in``...). Returns the cookies."""
    cookies = make_session_cookies(get_settings().session, **claims)
    for name, value in cookies.items():
        client.cookies[name] = value
    return cookies
