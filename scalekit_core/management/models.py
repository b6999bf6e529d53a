"""Frozen result models of the management API.

Every model keeps the JSON object it was read from in ``raw`` (fields Scalekit adds later
stay reachable) and tolerates missing optional fields; timestamps are aware ``datetime``\\ s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import ScalekitError
from .wire import parse_rfc3339

__all__ = [
    "Membership",
    "Organization",
    "OrganizationsPage",
    "PortalLink",
    "RevokedSessions",
    "Role",
    "Session",
    "SessionDevice",
    "SessionLocation",
    "SessionsPage",
    "User",
    "UserProfile",
    "UsersPage",
]


def _text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None


def _required_id(data: Mapping[str, Any], name: str, what: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ScalekitError(f"the management API answered with a {what} without {name!r}")
    return value


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _string_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _objects(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _object(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _total(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():  # proto3 JSON may send int64 as a string
        return int(value)
    return 0


@dataclass(frozen=True, slots=True)
class Organization:
    """An organization (one enterprise customer)."""

    id: str
    display_name: str | None = None
    external_id: str | None = None
    region_code: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    create_time: datetime | None = None
    update_time: datetime | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Organization:
        return cls(
            id=_required_id(data, "id", "organization"),
            display_name=_text(data, "display_name"),
            external_id=_text(data, "external_id") or None,
            region_code=_text(data, "region_code"),
            metadata=_string_map(data.get("metadata")),
            create_time=parse_rfc3339(data.get("create_time")),
            update_time=parse_rfc3339(data.get("update_time")),
            settings=_object(data.get("settings")) or {},
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class OrganizationsPage:
    """One page of organizations; pass ``next_page_token`` back for the next one."""

    organizations: tuple[Organization, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OrganizationsPage:
        return cls(
            tuple(Organization.from_json(o) for o in _objects(data.get("organizations"))),
            _text(data, "next_page_token") or "",
            _text(data, "prev_page_token") or "",
            _total(data.get("total_size")),
        )


@dataclass(frozen=True, slots=True)
class PortalLink:
    """An admin-portal link: ``location`` is the URL to embed or share."""

    id: str
    location: str
    expire_time: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PortalLink:
        location = _text(data, "location")
        if not location:
            raise ScalekitError("the management API answered with a portal link without 'location'")
        return cls(
            id=_text(data, "id") or "",
            location=location,
            expire_time=parse_rfc3339(data.get("expire_time")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class SessionLocation:
    """Where a session's device was, as far as Scalekit could tell (often empty)."""

    city: str | None = None
    region: str | None = None
    region_subdivision: str | None = None
    country: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionLocation:
        return cls(
            city=_text(data, "city"),
            region=_text(data, "region"),
            region_subdivision=_text(data, "region_subdivision"),
            country=_text(data, "country"),
            latitude=_text(data, "latitude"),
            longitude=_text(data, "longitude"),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class SessionDevice:
    """The device a session was opened from."""

    user_agent: str | None = None
    os: str | None = None
    os_version: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    device_type: str | None = None
    ip: str | None = None
    location: SessionLocation | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionDevice:
        location = _object(data.get("location"))
        return cls(
            user_agent=_text(data, "user_agent"),
            os=_text(data, "os"),
            os_version=_text(data, "os_version"),
            browser=_text(data, "browser"),
            browser_version=_text(data, "browser_version"),
            device_type=_text(data, "device_type"),
            ip=_text(data, "ip"),
            location=SessionLocation.from_json(location) if location is not None else None,
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class Session:
    """A Scalekit session. ``status`` is ``active``, ``expired``, ``revoked`` or ``logout``."""

    session_id: str
    user_id: str | None = None
    organization_id: str | None = None
    authenticated_organizations: tuple[str, ...] = ()
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_active_at: datetime | None = None
    idle_expires_at: datetime | None = None
    absolute_expires_at: datetime | None = None
    expired_at: datetime | None = None
    logout_at: datetime | None = None
    device: SessionDevice | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The same as ``session_id``."""
        return self.session_id

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Session:
        device = _object(data.get("device"))
        status = _text(data, "status")
        return cls(
            session_id=_required_id(data, "session_id", "session"),
            user_id=_text(data, "user_id"),
            organization_id=_text(data, "organization_id"),
            authenticated_organizations=_strings(data.get("authenticated_organizations")),
            status=status.lower() if status else None,
            created_at=parse_rfc3339(data.get("created_at")),
            updated_at=parse_rfc3339(data.get("updated_at")),
            last_active_at=parse_rfc3339(data.get("last_active_at")),
            idle_expires_at=parse_rfc3339(data.get("idle_expires_at")),
            absolute_expires_at=parse_rfc3339(data.get("absolute_expires_at")),
            expired_at=parse_rfc3339(data.get("expired_at")),
            logout_at=parse_rfc3339(data.get("logout_at")),
            device=SessionDevice.from_json(device) if device is not None else None,
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class SessionsPage:
    """One page of a user's sessions."""

    sessions: tuple[Session, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionsPage:
        return cls(
            tuple(Session.from_json(s) for s in _objects(data.get("sessions"))),
            _text(data, "next_page_token") or "",
            _text(data, "prev_page_token") or "",
            _total(data.get("total_size")),
        )


@dataclass(frozen=True, slots=True)
class RevokedSessions:
    """What ``revoke_all_user_sessions`` revoked."""

    revoked_sessions: tuple[Session, ...]
    total_revoked: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RevokedSessions:
        sessions = tuple(Session.from_json(s) for s in _objects(data.get("revoked_sessions")))
        total = data.get("total_revoked")
        return cls(sessions, _total(total) if total is not None else len(sessions))


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    display_name: str | None = None

    @classmethod
    def from_json(cls, data: object) -> Role | None:
        if isinstance(data, str):
            return cls(data)
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            return cls(data["name"], _text(data, "display_name"))
        return None


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's membership of one organization."""

    organization_id: str | None = None
    membership_status: str | None = None
    roles: tuple[Role, ...] = ()
    permissions: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Membership:
        raw_roles = data.get("roles")
        roles = [Role.from_json(r) for r in raw_roles] if isinstance(raw_roles, list) else []
        return cls(
            organization_id=_text(data, "organization_id"),
            membership_status=_text(data, "membership_status"),
            roles=tuple(r for r in roles if r is not None),
            permissions=_strings(data.get("permissions")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class UserProfile:
    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    locale: str | None = None
    email_verified: bool | None = None
    phone_number: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    custom_attributes: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserProfile:
        verified = data.get("email_verified")
        return cls(
            id=_text(data, "id"),
            first_name=_text(data, "first_name"),
            last_name=_text(data, "last_name"),
            name=_text(data, "name"),
            locale=_text(data, "locale"),
            email_verified=verified if isinstance(verified, bool) else None,
            phone_number=_text(data, "phone_number"),
            metadata=_string_map(data.get("metadata")),
            custom_attributes=_string_map(data.get("custom_attributes")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class User:
    """A user of the environment, with their organization memberships."""

    id: str
    email: str | None = None
    environment_id: str | None = None
    external_id: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    memberships: tuple[Membership, ...] = ()
    user_profile: UserProfile | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> User:
        profile = _object(data.get("user_profile"))
        return cls(
            id=_required_id(data, "id", "user"),
            email=_text(data, "email"),
            environment_id=_text(data, "environment_id"),
            external_id=_text(data, "external_id") or None,
            create_time=parse_rfc3339(data.get("create_time")),
            update_time=parse_rfc3339(data.get("update_time")),
            metadata=_string_map(data.get("metadata")),
            memberships=tuple(Membership.from_json(m) for m in _objects(data.get("memberships"))),
            user_profile=UserProfile.from_json(profile) if profile is not None else None,
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class UsersPage:
    """One page of users."""

    users: tuple[User, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UsersPage:
        return cls(
            tuple(User.from_json(u) for u in _objects(data.get("users"))),
            _text(data, "next_page_token") or "",
            _text(data, "prev_page_token") or "",
            _total(data.get("total_size")),
        )
