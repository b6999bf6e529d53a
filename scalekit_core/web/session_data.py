"""What a session holds (``SessionData``) and what the app sees of it (``User``)."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from ..claims import check_requirements, organization_of, permissions_of, roles_of, scopes_of
from ..errors import TokenValidationError
from .errors import PermissionDenied

__all__ = [
    "PROFILE_CLAIMS",
    "Machine",
    "SessionData",
    "User",
    "is_jwt",
    "trim_profile",
    "unverified_claims",
]

#: ID-token claims kept in a session (the rest, e.g. ``nonce``, ``at_hash``, is dropped).
PROFILE_CLAIMS = (
    "sub",
    "email",
    "email_verified",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "picture",
    "locale",
    "oid",
    "sid",
    # How and when the user signed in (``require_recent_login``, step-up checks).
    "auth_time",
    "acr",
    "amr",
)


def trim_profile(id_claims: Mapping[str, Any]) -> dict[str, Any]:
    return {name: id_claims[name] for name in PROFILE_CLAIMS if name in id_claims}


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT we stored ourselves (sealed), without checking its signature.

    Only for tokens read back from sealed session data: they were validated when stored, and
    nobody but this app can produce sealed data.
    """
    segments = token.split(".")
    if len(segments) != 3:
        return None
    payload = segments[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    return claims if isinstance(claims, dict) else None


def is_jwt(token: str) -> bool:
    """Whether ``token`` has a JWT's shape. OAuth access tokens may be opaque (some providers
    issue random strings); only a JWT can be validated locally or carry claims."""
    return unverified_claims(token) is not None


def _number(value: object) -> float | None:
    """A finite number as a float; ``None`` for anything else (``NaN``, ``10**400``, text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _check(facts: Mapping[str, Any], **needs: Any) -> None:
    """``check_requirements`` for a principal: a shortfall is ``PermissionDenied`` (403)."""
    try:
        check_requirements(facts, **needs)
    except TokenValidationError as exc:
        raise PermissionDenied(exc.reason, str(exc).removeprefix(exc.reason + ": ")) from None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: object) -> tuple[str, ...]:
    """A list of strings as a tuple (a single string as one item); ``()`` for anything else."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value[:32] if isinstance(item, str))
    return ()


@dataclass(frozen=True)
class SessionData:
    """Tokens and timestamps of one session (what stores keep and cookies seal).

    ``created_at`` drives the absolute timeout and ``last_seen`` the idle timeout; both are
    independent of ``expires_at``, the access token's expiry.

    ``unverified`` names the tokens of a refresh that the provider accepted but whose
    signature could not be checked yet (the JWKS was unreachable): ``"access"`` and/or
    ``"id"``. They are kept (the refresh token was rotated) and checked on a later request;
    meanwhile the user is read from the verified ID-token profile only.
    """

    access_token: str = field(repr=False)
    expires_at: float
    created_at: float
    last_seen: float
    refresh_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)
    profile: Mapping[str, Any] = field(default_factory=dict)
    unverified: frozenset[str] = frozenset()

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "v": 1,
            "at": self.access_token,
            "exp": self.expires_at,
            "ca": self.created_at,
            "ls": self.last_seen,
            "p": dict(self.profile),
        }
        if self.refresh_token:
            payload["rt"] = self.refresh_token
        if self.id_token:
            payload["it"] = self.id_token
        if self.unverified:
            payload["uv"] = sorted(self.unverified)
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> SessionData | None:
        """``None`` for anything that is not a well-formed version-1 payload."""
        if payload.get("v") != 1:
            return None
        access_token = _text(payload.get("at"))
        expires_at = _number(payload.get("exp"))
        created_at = _number(payload.get("ca"))
        last_seen = _number(payload.get("ls"))
        profile = payload.get("p", {})
        refresh_token = payload.get("rt")
        id_token = payload.get("it")
        unverified = payload.get("uv", [])
        if (
            not access_token
            or expires_at is None
            or created_at is None
            or last_seen is None
            or not isinstance(profile, dict)
            or (refresh_token is not None and not isinstance(refresh_token, str))
            or (id_token is not None and not isinstance(id_token, str))
            or not isinstance(unverified, list)
            or not all(item in ("access", "id") for item in unverified)
        ):
            return None
        return cls(
            access_token,
            expires_at,
            created_at,
            last_seen,
            refresh_token,
            id_token,
            profile,
            frozenset(unverified),
        )

    def touched(self, now: float) -> SessionData:
        return replace(self, last_seen=now)

    @cached_property
    def user(self) -> User | None:
        """The ``User`` of this session, read once: from the access token's claims when it is
        a JWT, completed (or, for an opaque token, made) from the ID-token profile."""
        trusted = "access" not in self.unverified
        claims = (unverified_claims(self.access_token) if trusted else None) or {}
        return User.from_claims(claims, self.profile, expires_at=self.expires_at)

    @property
    def user_id(self) -> str | None:
        user = self.user
        return user.id if user is not None else None

    @property
    def scalekit_session_id(self) -> str | None:
        user = self.user
        return user.session_id if user is not None else None


@dataclass(frozen=True)
class User:
    """The signed-in user of a request, the same shape for session and bearer users.

    ``claims`` are the access token's claims; ``profile`` the (trimmed) ID-token claims.
    """

    id: str
    email: str | None = None
    name: str | None = None
    organization_id: str | None = None
    session_id: str | None = None
    roles: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False)
    profile: Mapping[str, Any] = field(default_factory=dict, repr=False)
    expires_at: float | None = None
    is_bearer: bool = False
    #: When the user last authenticated at the identity provider (the ID token's
    #: ``auth_time``, Unix seconds), ``acr`` and ``amr``: ``None`` / ``()`` when not given.
    auth_time: float | None = None
    acr: str | None = None
    amr: tuple[str, ...] = ()

    @classmethod
    def from_claims(
        cls,
        claims: Mapping[str, Any],
        profile: Mapping[str, Any] | None = None,
        *,
        is_bearer: bool = False,
        expires_at: float | None = None,
    ) -> User | None:
        """``None`` when the claims name no subject. ``expires_at`` stands in for a missing
        ``exp`` claim (an opaque access token)."""
        profile = profile or {}
        get, pget = claims.get, profile.get
        subject = _text(get("sub")) or _text(pget("sub"))
        if not subject:
            return None
        # Set straight into ``__dict__``: built for every first-time bearer token and every
        # session read, and the generated ``__init__`` of a frozen dataclass
        # (``object.__setattr__`` per field) costs more than all the reading here.
        user = object.__new__(cls)
        user.__dict__.update(
            id=subject,
            email=_text(pget("email")) or _text(get("email")),
            name=_text(pget("name")) or _text(get("name")),
            organization_id=organization_of(claims) or organization_of(profile),
            session_id=_text(get("sid")) or _text(pget("sid")),
            roles=roles_of(claims),
            permissions=permissions_of(claims),
            scopes=scopes_of(claims),
            claims=dict(claims),
            profile=dict(profile),
            expires_at=_number(get("exp")) or expires_at,
            is_bearer=is_bearer,
            auth_time=_number(pget("auth_time")) or _number(get("auth_time")),
            acr=_text(pget("acr")) or _text(get("acr")),
            amr=_strings(pget("amr")) or _strings(get("amr")),
        )
        if len(user.__dict__) != len(cls.__dataclass_fields__):  # a subclass with more fields
            return cls(**user.__dict__)
        return user

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def has_permission(self, permission: str) -> bool:
        return permission in self.permissions

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def check(
        self,
        *,
        scopes: Iterable[str] = (),
        permissions: Iterable[str] = (),
        roles: Iterable[str] = (),
        organization_id: str | None = None,
    ) -> None:
        """Raise ``PermissionDenied`` unless the user has everything asked (whole words)."""
        facts = {
            "scopes": sorted(self.scopes),
            "permissions": sorted(self.permissions),
            "roles": sorted(self.roles),
            "oid": self.organization_id,
        }
        _check(
            facts,
            scopes=scopes,
            permissions=permissions,
            roles=roles,
            organization_id=organization_id,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable view (for ``/api/me``); tokens are never part of it. Never
        raises, whatever the claims held."""
        return {
            "kind": "user",
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "organization_id": self.organization_id,
            "session_id": self.session_id,
            "roles": sorted(self.roles),
            "permissions": sorted(self.permissions),
            "scopes": sorted(self.scopes),
            "expires_at": _number(self.expires_at),
            "is_bearer": self.is_bearer,
            "auth_time": _number(self.auth_time),
            "acr": self.acr,
            "amr": list(self.amr),
            "profile": _json_safe(self.profile),
        }


def _json_safe(value: object, depth: int = 0) -> Any:
    """``value`` with only what strict JSON can carry (finite numbers, text, lists, objects)."""
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value if _number(value) is not None and abs(value) < 2**53 else None
    if depth > 16:
        return None
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item, depth + 1) for item in value]
    return None


@dataclass(frozen=True)
class Machine:
    """A machine client of a request: a client-credentials access token (bearer only).

    Never a :class:`User`: user guards refuse it; machine guards (``require_machine``)
    accept it with its ``client_id``, ``organization_id`` and ``scopes``.
    """

    client_id: str
    organization_id: str | None = None
    scopes: frozenset[str] = frozenset()
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False)
    expires_at: float | None = None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Machine | None:
        """``None`` when the claims name no client."""
        client_id = _text(claims.get("client_id")) or _text(claims.get("sub"))
        if not client_id:
            return None
        return cls(
            client_id=client_id,
            organization_id=organization_of(claims),
            scopes=scopes_of(claims),
            claims=dict(claims),
            expires_at=_number(claims.get("exp")),
        )

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def check(self, *, scopes: Iterable[str] = (), organization_id: str | None = None) -> None:
        """Raise ``PermissionDenied`` unless the client has every scope and the organization."""
        _check(
            {"scopes": sorted(self.scopes), "oid": self.organization_id},
            scopes=scopes,
            organization_id=organization_id,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable view; tokens are never part of it. Never raises."""
        return {
            "kind": "machine",
            "client_id": self.client_id,
            "organization_id": self.organization_id,
            "scopes": sorted(self.scopes),
            "expires_at": _number(self.expires_at),
        }
