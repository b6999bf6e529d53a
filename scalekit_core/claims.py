"""Reading authorization facts out of token claims, the same way for every kind of user."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import TokenValidationError

__all__ = [
    "check_requirements",
    "is_machine_token",
    "organization_of",
    "permissions_of",
    "roles_of",
    "scopes_of",
]


def _words(value: object) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, (list, tuple)):
        return frozenset([item for item in value if isinstance(item, str)])
    return frozenset()


def scopes_of(claims: Mapping[str, Any]) -> frozenset[str]:
    """Scopes from the standard ``scope`` string and Scalekit's ``scopes`` list, whole words."""
    return _words(claims.get("scope")) | _words(claims.get("scopes"))


def permissions_of(claims: Mapping[str, Any]) -> frozenset[str]:
    return _words(claims.get("permissions"))


def roles_of(claims: Mapping[str, Any]) -> frozenset[str]:
    return _words(claims.get("roles"))


def organization_of(claims: Mapping[str, Any]) -> str | None:
    value = claims.get("oid", claims.get("organization_id"))
    return value if isinstance(value, str) and value else None


def is_machine_token(claims: Mapping[str, Any], client_id: str) -> bool:
    """Whether an access token was issued to a client acting for itself (client credentials),
    not to a user: its subject is a client (RFC 9068 §2.2), i.e. ``sub`` equals its
    ``client_id`` claim (Scalekit's machine tokens) or this app's own client id, or the
    provider marks the grant (``gty: client-credentials``)."""
    sub = claims.get("sub")
    return (
        isinstance(sub, str) and (sub == claims.get("client_id") or sub == client_id)
    ) or claims.get("gty") == "client-credentials"


def check_requirements(
    claims: Mapping[str, Any],
    *,
    scopes: Iterable[str] = (),
    permissions: Iterable[str] = (),
    roles: Iterable[str] = (),
    organization_id: str | None = None,
) -> None:
    """Raise ``TokenValidationError`` (reason ``insufficient_scope``, ``missing_permission``,
    ``missing_role`` or ``wrong_organization``) unless ``claims`` carry everything asked."""
    missing = set(scopes) - scopes_of(claims)
    if missing:
        raise TokenValidationError(
            "insufficient_scope", "missing scope " + " ".join(sorted(missing))
        )
    missing = set(permissions) - permissions_of(claims)
    if missing:
        raise TokenValidationError("missing_permission", "missing " + " ".join(sorted(missing)))
    missing = set(roles) - roles_of(claims)
    if missing:
        raise TokenValidationError("missing_role", "missing role " + " ".join(sorted(missing)))
    if organization_id is not None and organization_of(claims) != organization_id:
        raise TokenValidationError(
            "wrong_organization", "the token belongs to another organization"
        )
