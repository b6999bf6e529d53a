"""Test helpers: sign a Flask test client in without a login round trip.

>>> def test_dashboard(app):  # doctest: +SKIP
...     client = app.test_client()
...     login_as(client, email="ada@example.test", permissions=["users:read"])
...     assert client.get("/dashboard").status_code == 200
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from scalekit_core.testing import make_session_cookies

from .extension import state_of

__all__ = ["login_as"]


def login_as(client: FlaskClient, **claims: Any) -> dict[str, str]:
    """Give ``client`` the cookies of a signed-in session; returns them.

    Keyword arguments are those of ``scalekit_core.testing.make_session_cookies``
    (``user_id``, ``email``, ``roles``, ``permissions``, ``organization_id``, ``expires_in``...).
    The access token inside is not valid for Scalekit's own APIs.
    """
    cookies = make_session_cookies(state_of(client.application).settings, **claims)
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return cookies
