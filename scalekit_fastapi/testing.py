"""Test helpers: a signed-in ``httpx`` client without a login round trip.

>>> async def test_dashboard(client, auth):  # doctest: +SKIP
...     login_as(client, auth, email="ada@example.test", permissions=["reports:read"])
...     assert (await client.get("/dashboard")).status_code == 200
"""

from __future__ import annotations

from typing import Any

import httpx

from scalekit_core.testing import make_session_cookies

from .auth import ScalekitAuth

__all__ = ["login_as"]


def login_as(client: httpx.AsyncClient | httpx.Client, auth: ScalekitAuth, **claims: Any) -> None:
    """Put a valid session's cookies on ``client``; ``claims`` are ``make_session_cookies``'s
    keywords (``user_id``, ``email``, ``roles``, ``permissions``, ``organization_id`` ...)."""
    for name, value in make_session_cookies(auth.settings.session, **claims).items():
        client.cookies.set(name, value)
