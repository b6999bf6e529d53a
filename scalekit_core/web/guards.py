"""``require``: one rule for session and bearer users alike."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import AuthenticationRequired, PermissionDenied
from .session_data import User

__all__ = ["AuthenticationRequired", "PermissionDenied", "require"]


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

    ``api=True`` marks the errors as coming from an API endpoint (JSON answers only).

    >>> require(User("usr_1", permissions=frozenset({"users:read"})), permissions=["users:read"]).id
    'usr_1'
    """
    if user is None:
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
