"""Test helpers for apps that use the session layer: signed-in cookies without a login.

>>> from scalekit_core.web import SessionSettings
>>> settings = SessionSettings(secrets="s" * 32, base_url="http://localhost:8000")
>>> cookies = make_session_cookies(settings, roles=["admin"])
>>> sorted(cookies)
['scalekit_session']

In a ``conftest.py``::

    login_cookies = session_cookies_fixture(my_settings)   # a fixture named "login_cookies"

    def test_admin_page(client, login_cookies):
        client.cookies.update(login_cookies(roles=["admin"]))

The session layer trusts its own sealed data (it checks the access token's expiry, not its
signature, on every request), so these cookies work offline. The access token inside is
*not* valid for Scalekit's APIs.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

import jwt

from .errors import ConfigurationError
from .web.context import WebContext
from .web.persistence import seal_session_cookies
from .web.session_data import SessionData, trim_profile
from .web.settings import SessionSettings
from .web.stores import CookieSessionStore, SessionStore

__all__ = ["cookie_header", "make_session_cookies", "session_cookies_fixture"]


class _NoClient:
    """Cookies are sealed without any Scalekit client."""

    config: Any = None

    def create_authorization_request(self, *args: Any, **kwargs: Any) -> Any:
        raise ConfigurationError("the testing kit only seals cookies; it never talks to Scalekit")

    def get_logout_url(self, *args: Any, **kwargs: Any) -> str:
        raise ConfigurationError("the testing kit only seals cookies; it never talks to Scalekit")


def _unverifiable_jwt(claims: Mapping[str, Any]) -> str:
    return jwt.encode(dict(claims), secrets.token_bytes(32), algorithm="HS256")


def make_session_cookies(
    settings: SessionSettings,
    *,
    user_id: str = "usr_test",
    email: str = "user@example.test",
    name: str | None = "Test User",
    claims: Mapping[str, Any] | None = None,
    roles: Iterable[str] = (),
    permissions: Iterable[str] = (),
    scopes: Iterable[str] | None = None,
    organization_id: str | None = None,
    session_id: str = "ses_test",
    expires_in: float = 3600,
    refresh_token: str | None = None,
    now: float | None = None,
) -> dict[str, str]:
    """Cookies (name -> value) of a valid signed-in session, as the app's login would set.

    ``claims`` override or extend the access-token claims. With a ``MemorySessionStore`` the
    session is written into that store and the cookie carries its signed id.
    """
    now = time.time() if now is None else now
    access: dict[str, Any] = {
        "iss": "https://scalekit.invalid",
        "sub": user_id,
        "iat": int(now),
        "exp": int(now + expires_in),
        "sid": session_id,
        "roles": list(roles),
        "permissions": list(permissions),
        "scopes": list(settings.scopes if scopes is None else scopes),
    }
    if organization_id is not None:
        access["oid"] = organization_id
    access.update(claims or {})
    profile_claims: dict[str, Any] = {"sub": user_id, "email": email, "name": name}
    if organization_id is not None:
        profile_claims["oid"] = organization_id
    profile = trim_profile({k: v for k, v in profile_claims.items() if v is not None})
    id_claims = {
        **profile,
        "iss": access["iss"],
        "aud": "test",
        "iat": int(now),
        "exp": int(now + expires_in),
    }
    exp = access.get("exp")
    data = SessionData(
        access_token=_unverifiable_jwt(access),
        expires_at=float(exp) if isinstance(exp, (int, float)) else now + expires_in,
        created_at=now,
        last_seen=now,
        refresh_token=refresh_token,
        id_token=_unverifiable_jwt(id_claims),
        profile=profile,
    )
    ctx = WebContext(settings, _NoClient(), lambda: now)
    store = settings.store
    lifetime = min(settings.idle_timeout, settings.absolute_timeout)
    if store is None or isinstance(store, CookieSessionStore):
        writes = seal_session_cookies(ctx, {}, data, lifetime)
    elif isinstance(store, SessionStore):
        stored_id = secrets.token_urlsafe(32)
        store.set(stored_id, data, ttl=lifetime, user_id=user_id)
        writes = ctx.jar.set_chunked({}, settings.session_cookie, ctx.sign_id(stored_id), lifetime)
    else:
        raise ConfigurationError("make_session_cookies supports cookie and blocking stores")
    return {write.name: write.value for write in writes}


def cookie_header(cookies: Mapping[str, str]) -> str:
    """A ``Cookie`` request header carrying ``cookies``."""
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def session_cookies_fixture(
    settings: SessionSettings | Callable[[], SessionSettings], name: str = "login_cookies"
) -> Any:
    """A pytest fixture (named ``name``) returning ``make_session_cookies`` bound to settings.

    Assign the result to a module-level name in ``conftest.py``.
    """
    import pytest

    @pytest.fixture(name=name)
    def _fixture() -> Callable[..., dict[str, str]]:
        resolved = settings() if callable(settings) else settings
        return partial(make_session_cookies, resolved)

    return _fixture
