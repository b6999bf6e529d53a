"""View decorators (sync and async views): 302 to login or 401 JSON, 403 when lacking.

>>> @require_permission("users:read")  # doctest: +SKIP
... def users(request): ...
>>> @scalekit_login_required  # doctest: +SKIP
... async def profile(request): ...
>>> @machine_required(scopes=["events:write"])  # doctest: +SKIP
... def ingest(request): return JsonResponse({"client": request.scalekit_machine.client_id})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, overload

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest

from .guards import check_machine_request, check_request

__all__ = [
    "api_login_required",
    "machine_required",
    "require_organization",
    "require_permission",
    "require_recent_login",
    "require_role",
    "require_scope",
    "scalekit_login_required",
    "scalekit_required",
]

V = TypeVar("V", bound=Callable[..., Any])


def scalekit_required(
    *,
    scopes: Iterable[str] = (),
    permissions: Iterable[str] = (),
    roles: Iterable[str] = (),
    organization_id: str | None = None,
    api: bool = False,
    max_age: int | None = None,
) -> Callable[[V], V]:
    """A signed-in Scalekit user having every scope, permission and role listed
    (``api=True``: a JSON endpoint, answered 401/403 JSON, never redirected; ``max_age``:
    authenticated at most that many seconds ago)."""
    needs: dict[str, Any] = {
        "scopes": tuple(scopes),
        "permissions": tuple(permissions),
        "roles": tuple(roles),
        "organization_id": organization_id,
        "api": api,
        "max_age": max_age,
    }

    def decorate(view: V) -> V:
        if iscoroutinefunction(view):

            @wraps(view)
            async def async_guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                denied = check_request(request, **needs)
                return denied if denied is not None else await view(request, *args, **kwargs)

            return async_guarded  # type: ignore[return-value]

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            denied = check_request(request, **needs)
            return denied if denied is not None else view(request, *args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def _guarded(view: V, check: Callable[[HttpRequest], Any]) -> V:
    if iscoroutinefunction(view):

        @wraps(view)
        async def async_guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            denied = check(request)
            return denied if denied is not None else await view(request, *args, **kwargs)

        return async_guarded  # type: ignore[return-value]

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        denied = check(request)
        return denied if denied is not None else view(request, *args, **kwargs)

    return guarded  # type: ignore[return-value]


@overload
def machine_required(view: V) -> V: ...
@overload
def machine_required(
    view: None = None, *, scopes: Iterable[str] = (), organization_id: str | None = None
) -> Callable[[V], V]: ...
def machine_required(
    view: V | None = None, *, scopes: Iterable[str] = (), organization_id: str | None = None
) -> V | Callable[[V], V]:
    """Machine clients only (client-credentials bearer tokens, never users): 401/403 JSON
    otherwise. The view reads ``request.scalekit_machine`` (``client_id``,
    ``organization_id``, ``scopes``). With or without parentheses."""
    needs = tuple(scopes)

    def decorate(target: V) -> V:
        return _guarded(
            target,
            lambda request: check_machine_request(
                request, scopes=needs, organization_id=organization_id
            ),
        )

    return decorate(view) if view is not None else decorate


@overload
def scalekit_login_required(view: V) -> V: ...
@overload
def scalekit_login_required(view: None = None) -> Callable[[V], V]: ...
def scalekit_login_required(view: V | None = None) -> V | Callable[[V], V]:
    """A signed-in Scalekit user (session or bearer); with or without parentheses."""
    decorate: Callable[[V], V] = scalekit_required()
    return decorate(view) if view is not None else decorate


def api_login_required(view: V) -> V:
    """Like ``scalekit_login_required`` for JSON endpoints: anonymous callers always get
    401 JSON, even a browser navigating to the URL (no redirect to the login page)."""
    decorate: Callable[[V], V] = scalekit_required(api=True)
    return decorate(view)


def require_recent_login(max_age: int = 300, *, api: bool = False) -> Callable[[V], V]:
    """A Scalekit user who authenticated at most ``max_age`` seconds ago (a sensitive page):
    a browser goes through a forced sign-in (``prompt=login``) and comes back; an API call
    (or ``api=True``) gets 401 ``insufficient_user_authentication`` (RFC 9470)."""
    return scalekit_required(api=api, max_age=max_age)


def require_permission(*permissions: str) -> Callable[[V], V]:
    """Every Scalekit permission listed (e.g. ``"users:read"``)."""
    return scalekit_required(permissions=permissions)


def require_role(*roles: str) -> Callable[[V], V]:
    """Every Scalekit role listed."""
    return scalekit_required(roles=roles)


def require_scope(*scopes: str) -> Callable[[V], V]:
    """Every OAuth scope listed (bearer tokens and sessions alike)."""
    return scalekit_required(scopes=scopes)


def require_organization(organization_id: str) -> Callable[[V], V]:
    """A user of the given Scalekit organization."""
    return scalekit_required(organization_id=organization_id)
