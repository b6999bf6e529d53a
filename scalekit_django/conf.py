"""``SCALEKIT_*`` settings, read lazily, and the session managers built from them.

Settings are read on first use and again after any ``SCALEKIT_*`` or ``SECRET_KEY`` change
(``override_settings`` sends ``setting_changed``), so tests can switch environments freely.

>>> from scalekit_django.conf import get_client  # doctest: +SKIP
>>> get_client().session.get_session(session_id=request.scalekit.session_id)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from scalekit_core import AsyncScalekitClient, ScalekitClient
from scalekit_core.web import (
    AsyncSessionManager,
    IntegrationSettings,
    OnLogin,
    SessionManager,
    settings_from_mapping,
)

__all__ = [
    "aclose_async_managers",
    "create_users",
    "get_async_client",
    "get_async_manager",
    "get_client",
    "get_manager",
    "get_settings",
    "on_login_hook",
    "organization_roles",
    "organization_roles_problem",
    "parse_settings",
    "scalekit_values",
    "staff_organizations",
    "superuser_organizations",
]

_lock = threading.Lock()
_integration: IntegrationSettings | None = None
_manager: SessionManager | None = None
# One async manager per event loop: an ``httpx.AsyncClient`` belongs to the loop it ran on.
_async_managers: dict[asyncio.AbstractEventLoop, AsyncSessionManager] = {}
_closing: set[asyncio.Task[None]] = set()


def scalekit_values() -> dict[str, Any]:
    """Every ``SCALEKIT_*`` setting currently defined."""
    return {name: getattr(settings, name) for name in dir(settings) if name.startswith("SCALEKIT_")}


def parse_settings() -> IntegrationSettings:
    """Parse the settings now (raises ``ConfigurationError`` naming every bad key)."""
    return settings_from_mapping(
        scalekit_values(), fallback_secret=getattr(settings, "SECRET_KEY", None)
    )


def get_settings() -> IntegrationSettings:
    """The parsed settings, cached until a ``SCALEKIT_*`` or ``SECRET_KEY`` change."""
    global _integration
    current = _integration
    if current is None:
        current = _integration = parse_settings()
    return current


def create_users() -> bool:
    """``SCALEKIT_CREATE_USERS`` (default ``True``): link Scalekit identities to saved users."""
    return bool(getattr(settings, "SCALEKIT_CREATE_USERS", True))


def organization_roles_problem(value: object) -> str | None:
    """What is wrong with a ``{"org_…": "role"}`` setting, or ``None`` when it is well formed."""
    if not isinstance(value, Mapping):
        return "must be a dict of organization id -> role name"
    for organization, role in value.items():
        if not isinstance(organization, str) or not organization:
            return f"has a key that is not an organization id: {organization!r}"
        if not isinstance(role, str) or not role:
            return f"maps {organization!r} to {role!r}, not to a role name"
    return None


def organization_roles(name: str) -> Mapping[str, str]:
    """The ``{"org_…": "role"}`` setting ``name``; empty when unset or malformed (fail closed:
    a malformed mapping grants nothing, and the system check names it)."""
    value = getattr(settings, name, None)
    if value is None or organization_roles_problem(value) is not None:
        return {}
    return dict(value)


def staff_organizations() -> Mapping[str, str]:
    """``SCALEKIT_STAFF_ORGANIZATIONS`` (default: none): organization id -> the role in that
    organization that makes a user ``is_staff``."""
    return organization_roles("SCALEKIT_STAFF_ORGANIZATIONS")


def superuser_organizations() -> Mapping[str, str]:
    """``SCALEKIT_SUPERUSER_ORGANIZATIONS`` (default: none): organization id -> the role in
    that organization that makes a user ``is_superuser``."""
    return organization_roles("SCALEKIT_SUPERUSER_ORGANIZATIONS")


def on_login_hook() -> Callable[..., Any] | None:
    """``SCALEKIT_ON_LOGIN``: a callable ``(user, auth)`` or its dotted path, or ``None``."""
    value = getattr(settings, "SCALEKIT_ON_LOGIN", None)
    if isinstance(value, str):
        value = import_string(value)
    return value if callable(value) else None


def _sync_on_login() -> OnLogin:
    from .users import on_login

    return on_login


def _async_on_login() -> OnLogin:
    from .users import aon_login

    return aon_login


def get_manager() -> SessionManager:
    """The blocking manager (sync requests, the login routes), built once per settings."""
    global _manager
    manager = _manager
    if manager is None:
        with _lock:
            manager = _manager
            if manager is None:
                integration = get_settings()
                manager = SessionManager(
                    ScalekitClient.from_config(integration.client),
                    integration.session,
                    on_login=_sync_on_login(),
                )
                from .signals import send_webhook_event

                manager.webhook_handlers.add("*", send_webhook_event)
                _manager = manager
    return manager


def get_async_manager() -> AsyncSessionManager:
    """The asyncio manager of the running event loop (async requests and views)."""
    loop = asyncio.get_running_loop()
    integration = get_settings()
    manager = _async_managers.get(loop)
    if manager is not None and manager.settings is not integration.session:
        # Settings changed: close the outdated client on this loop, in the background.
        task = loop.create_task(_aclose(manager))
        _closing.add(task)
        task.add_done_callback(_closing.discard)
        manager = None
    if manager is None:
        manager = AsyncSessionManager(
            AsyncScalekitClient.from_config(integration.client),
            integration.session,
            on_login=_async_on_login(),
        )
        from .signals import asend_webhook_event

        manager.webhook_handlers.add("*", asend_webhook_event)
        for stale in [other for other in _async_managers if other.is_closed()]:
            del _async_managers[stale]
        _async_managers[loop] = manager
    return manager


def get_client() -> ScalekitClient:
    """The blocking ``ScalekitClient`` (management APIs in sync views)."""
    client = get_manager().client
    assert isinstance(client, ScalekitClient)
    return client


def get_async_client() -> AsyncScalekitClient:
    """The running loop's ``AsyncScalekitClient`` (management APIs in async views)."""
    client = get_async_manager().client
    assert isinstance(client, AsyncScalekitClient)
    return client


async def _aclose(manager: AsyncSessionManager) -> None:
    await manager.close_store()
    client = manager.client
    if isinstance(client, AsyncScalekitClient):
        await client.aclose()


async def aclose_async_managers() -> None:
    """Close the running loop's async client (call at shutdown, or at the end of a test)."""
    manager = _async_managers.pop(asyncio.get_running_loop(), None)
    if manager is not None:
        await _aclose(manager)


def reset() -> None:
    """Forget the parsed settings and close the blocking client (settings changed)."""
    global _integration, _manager
    with _lock:
        old, _manager, _integration = _manager, None, None
    if old is not None and isinstance(old.client, ScalekitClient):
        old.client.close()


def settings_changed(*, setting: str, **kwargs: Any) -> None:
    """``setting_changed`` receiver: rebuild on the next use."""
    if setting.startswith("SCALEKIT_") or setting == "SECRET_KEY":
        reset()
