"""``require``: one rule for session and bearer users alike."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import AuthenticationRequired, PermissionDenied, ReauthenticationRequired
from .session_data import Machine, User

__all__ = [
    "AuthenticationRequired",
    "PermissionDenied",
    "ReauthenticationRequired",
    "require",
    "require_machine",
    "require_recent_login",
]


def require(
    user: User | None,
    *,
    scopes: Iterable[str] = (),
    permissions: Iterable[str] = (),
    roles: Iterable[str] = (),
    organization_id: str | None = None,
    api: bool = False,
) -> User:
    """The user, or ``AuthenticationRequired`` (no user) / ``PermissionDenied`` (lacking).

    Users only: a machine (client-credentials token) is never accepted here, see
    :func:`require_machine`.

    ``api=True`` marks the errors as coming from an API endpoint (JSON answers only).

    >>> require(User("usr_1", permissions=frozenset({"users:read"})), permissions=["users:read"]).id
    'usr_1'
    """
    if not isinstance(user, User):
        raise AuthenticationRequired(api=api)
    if not (scopes or permissions or roles or organization_id):
        return user  # signed in is all that is asked: the common case, kept cheap
    try:
        user.check(
            scopes=scopes, permissions=permissions, roles=roles, organization_id=organization_id
        )
    except PermissionDenied as exc:
        exc.api = api
        raise
    return user


def require_recent_login(user: User, max_age: int, now: float, *, api: bool = False) -> User:
    """``user`` when they authenticated at most ``max_age`` seconds before ``now``, else
    ``ReauthenticationRequired`` (also when the session or token carries no ``auth_time``).

    >>> require_recent_login(User("usr_1", auth_time=1000.0), 300, 1200.0).id
    'usr_1'
    """
    auth_time = user.auth_time
    if auth_time is None or now - auth_time > max_age:
        raise ReauthenticationRequired(max_age, api=api)
    return user


def require_machine(
    machine: Machine | None,
    *,
    scopes: Iterable[str] = (),
    organization_id: str | None = None,
) -> Machine:
    """The machine client, or ``AuthenticationRequired`` (none) / ``PermissionDenied``
    (lacking a scope or another organization). Always an API answer (401/403 JSON); users
    are never accepted here.

    >>> require_machine(Machine("m2m_1", scopes=frozenset({"read"})), scopes=["read"]).client_id
    'm2m_1'
    """
    if not isinstance(machine, Machine):
        raise AuthenticationRequired("machine authentication required", api=True)
    if scopes or organization_id:
        try:
            machine.check(scopes=scopes, organization_id=organization_id)
        except PermissionDenied as exc:
            exc.api = True
            raise
    return machine
