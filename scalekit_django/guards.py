"""The one guard step shared by decorators, mixins and DRF: ``manager.guard`` -> 302/401/403."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

from scalekit_core.web import AsyncSessionManager, SessionManager, User

from .conf import get_manager
from .http import to_django_response, web_request

__all__ = ["check_request", "manager_for", "scalekit_user"]


def scalekit_user(request: HttpRequest) -> User | None:
    """The request's Scalekit user (set by ``ScalekitMiddleware``), or ``None``."""
    user = getattr(request, "scalekit", None)
    return user if isinstance(user, User) else None


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
) -> HttpResponse | None:
    """``None`` when the request may proceed, else the 302/401/403 response to return
    (``api=True``: an API endpoint, answered with JSON only)."""
    manager = manager_for(request)
    response = manager.guard(
        web_request(request),
        scalekit_user(request),
        scopes=scopes,
        permissions=permissions,
        roles=roles,
        organization_id=organization_id,
        api=api,
    )
    return None if response is None else to_django_response(response, request)
