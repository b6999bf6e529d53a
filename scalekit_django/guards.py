"""The one guard step shared by decorators, mixins and DRF: ``manager.guard`` -> 302/401/403."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

from scalekit_core.web import AsyncSessionManager, Machine, SessionManager, User

from .conf import get_manager
from .http import to_django_response, web_request

__all__ = [
    "check_machine_request",
    "check_request",
    "manager_for",
    "scalekit_machine",
    "scalekit_user",
]


def scalekit_user(request: HttpRequest) -> User | None:
    """The request's Scalekit user (set by ``ScalekitMiddleware``), or ``None``."""
    user = getattr(request, "scalekit", None)
    return user if isinstance(user, User) else None


def scalekit_machine(request: HttpRequest) -> Machine | None:
    """The request's machine client (a client-credentials bearer token), or ``None``."""
    machine = getattr(request, "scalekit_machine", None)
    return machine if isinstance(machine, Machine) else None


def manager_for(request: HttpRequest) -> SessionManager | AsyncSessionManager:
    """The manager that loaded this request (its pure methods serve both twins)."""
    manager: Any = getattr(request, "scalekit_manager", None)
    if isinstance(manager, (SessionManager, AsyncSessionManager)):
        return manager
    return get_manager()


def check_request(
    request: HttpRequest,
    *,
    scopes: Iterable[str] = (),
    permissions: Iterable[str] = (),
    roles: Iterable[str] = (),
    organization_id: str | None = None,
    api: bool = False,
    max_age: int | None = None,
) -> HttpResponse | None:
    """``None`` when the request may proceed, else the 302/401/403 response to return
    (``api=True``: an API endpoint, answered with JSON only; ``max_age``: signed in at most
    that many seconds ago, else a forced sign-in or 401)."""
    manager = manager_for(request)
    user = scalekit_user(request)
    response = manager.guard(
        web_request(request),
        user,
        scopes=scopes,
        permissions=permissions,
        roles=roles,
        organization_id=organization_id,
        api=api,
        max_age=max_age,
        reason=None if user is not None else getattr(request, "scalekit_reason", None),
    )
    return None if response is None else to_django_response(response, request)


def check_machine_request(
    request: HttpRequest, *, scopes: Iterable[str] = (), organization_id: str | None = None
) -> HttpResponse | None:
    """The machine twin of :func:`check_request`: ``None`` for a machine client with every
    scope (and the organization), else the 401/403 JSON response. Users never pass."""
    response = manager_for(request).guard_machine(
        web_request(request),
        scalekit_machine(request),
        scopes=scopes,
        organization_id=organization_id,
    )
    return None if response is None else to_django_response(response, request)
