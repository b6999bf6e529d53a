"""Framework-neutral sessions: login, callback, per-request load, logout, guards.

Adapters translate their framework's request into a :class:`WebRequest`, call one method of
:class:`SessionManager` (blocking) or :class:`AsyncSessionManager` (asyncio), and turn the
returned :class:`WebResponse` / :class:`LoadResult` into a framework response, applying each
:class:`CookieWrite` with the framework's own ``set_cookie``.

>>> from scalekit_core.web import SessionSettings
>>> SessionSettings(secrets="s" * 32, base_url="https://app.example").redirect_uri
'https://app.example/auth/callback'
"""

from .configure import IntegrationSettings, settings_from_mapping
from .errors import AuthenticationRequired, PermissionDenied, SessionStoreUnavailable
from .guards import require, require_machine
from .manager import AsyncSessionManager, OnLogin, SessionManager
from .redis_revocation import AsyncRedisRevocations, RedisRevocations
from .redis_store import AsyncRedisSessionStore, RedisSessionStore
from .requests import (
    CookieWrite,
    LoadResult,
    RequestCookies,
    RequestHeaders,
    WebRequest,
    WebResponse,
    environ_headers,
    join_values,
)
from .responses import is_browser_navigation, private_headers
from .return_to import safe_return_to
from .revocation import AsyncRevocations, MemoryRevocations, Revocations
from .session_data import Machine, SessionData, User
from .settings import DEFAULT_SESSION_SCOPES, SessionSettings
from .stores import (
    AnySessionStore,
    AsyncSessionStore,
    CookieSessionStore,
    MemorySessionStore,
    SessionStore,
)

__all__ = [
    "DEFAULT_SESSION_SCOPES",
    "AnySessionStore",
    "AsyncRedisRevocations",
    "AsyncRedisSessionStore",
    "AsyncRevocations",
    "AsyncSessionManager",
    "AsyncSessionStore",
    "AuthenticationRequired",
    "CookieSessionStore",
    "CookieWrite",
    "IntegrationSettings",
    "LoadResult",
    "Machine",
    "MemoryRevocations",
    "MemorySessionStore",
    "OnLogin",
    "PermissionDenied",
    "RedisRevocations",
    "RedisSessionStore",
    "RequestCookies",
    "RequestHeaders",
    "Revocations",
    "SessionData",
    "SessionManager",
    "SessionSettings",
    "SessionStore",
    "SessionStoreUnavailable",
    "User",
    "WebRequest",
    "WebResponse",
    "environ_headers",
    "is_browser_navigation",
    "join_values",
    "private_headers",
    "require",
    "require_machine",
    "safe_return_to",
    "settings_from_mapping",
]
