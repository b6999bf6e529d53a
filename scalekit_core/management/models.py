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
    "Connection",
    "ConnectionsPage",
    "DefaultRoles",
    "Directory",
    "DirectoryGroup",
    "DirectoryGroupsPage",
    "DirectoryUser",
    "DirectoryUsersPage",
    "Domain",
    "Invite",
    "Membership",
    "Organization",
    "OrganizationsPage",
    "Permission",
    "PermissionsPage",
    "PortalLink",
    "RevokedSessions",
    "Role",
    "Session",
    "SessionDevice",
    "SessionLocation",
    "SessionPolicy",
    "SessionsPage",
    "Toggle",
    "User",
    "UserManagementSettings",
    "UserProfile",
    "UsersPage",
    "permission_list",
    "role_list",
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


def _paging(data: Mapping[str, Any]) -> tuple[str, str, int]:
    """A page's ``next_page_token``, ``prev_page_token`` and ``total_size``."""
    return (
        _text(data, "next_page_token") or "",
        _text(data, "prev_page_token") or "",
        _total(data.get("total_size")),
    )


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
            *_paging(data),
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
            *_paging(data),
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


def _bool(data: Mapping[str, Any], name: str) -> bool:
    return data.get(name) is True


def _int(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    if isinstance(value, dict):  # a wrapper type (Int32Value) in its object form
        value = value.get("value")
    if value is None:
        return None
    return _total(value)


@dataclass(frozen=True, slots=True)
class Permission:
    """A permission (``name`` such as ``users:read``)."""

    name: str
    id: str | None = None
    description: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    is_scalekit_permission: bool = False
    role_name: str | None = None  # set when listed as a role's (effective) permission
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: object) -> Permission | None:
        if isinstance(data, str):
            return cls(data)
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return None
        return cls(
            name=data["name"],
            id=_text(data, "id"),
            description=_text(data, "description"),
            create_time=parse_rfc3339(data.get("create_time")),
            update_time=parse_rfc3339(data.get("update_time")),
            is_scalekit_permission=_bool(data, "is_scalekit_permission"),
            role_name=_text(data, "role_name"),
            raw=dict(data),
        )


def permission_list(value: object) -> tuple[Permission, ...]:
    items = [Permission.from_json(p) for p in value] if isinstance(value, list) else []
    return tuple(p for p in items if p is not None)


@dataclass(frozen=True, slots=True)
class Role:
    """A role; in a membership only ``name`` and ``display_name`` are set."""

    name: str
    display_name: str | None = None
    id: str | None = None
    description: str | None = None
    default_creator: bool = False
    default_member: bool = False
    extends: str | None = None
    permissions: tuple[Permission, ...] = ()
    dependent_roles_count: int = 0
    is_org_role: bool = False

    @classmethod
    def from_json(cls, data: object) -> Role | None:
        if isinstance(data, str):
            return cls(data)
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return None
        return cls(
            name=data["name"],
            display_name=_text(data, "display_name"),
            id=_text(data, "id"),
            description=_text(data, "description"),
            default_creator=_bool(data, "default_creator"),
            default_member=_bool(data, "default_member"),
            extends=_text(data, "extends") or None,
            permissions=permission_list(data.get("permissions")),
            dependent_roles_count=_total(data.get("dependent_roles_count")),
            is_org_role=_bool(data, "is_org_role"),
        )


def role_list(value: object) -> tuple[Role, ...]:
    items = [Role.from_json(r) for r in value] if isinstance(value, list) else []
    return tuple(r for r in items if r is not None)


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
        return cls(
            organization_id=_text(data, "organization_id"),
            membership_status=_text(data, "membership_status"),
            roles=role_list(data.get("roles")),
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
            *_paging(data),
        )


@dataclass(frozen=True, slots=True)
class Invite:
    """An invitation of a user to an organization (``resend_invite``'s answer)."""

    organization_id: str | None = None
    user_id: str | None = None
    inviter_email: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None
    resent_at: datetime | None = None
    resent_count: int = 0
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Invite:
        return cls(
            organization_id=_text(data, "organization_id"),
            user_id=_text(data, "user_id"),
            inviter_email=_text(data, "inviter_email"),
            status=_text(data, "status"),
            created_at=parse_rfc3339(data.get("created_at")),
            expires_at=parse_rfc3339(data.get("expires_at")),
            resent_at=parse_rfc3339(data.get("resent_at")),
            resent_count=_total(data.get("resent_count")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """An organization's session policy: ``APPLICATION`` (the defaults) or ``CUSTOM``."""

    policy_source: str | None = None
    absolute_session_timeout: int | None = None
    absolute_session_timeout_unit: str | None = None
    idle_session_timeout_enabled: bool | None = None
    idle_session_timeout: int | None = None
    idle_session_timeout_unit: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionPolicy:
        idle = data.get("idle_session_timeout_enabled")
        if isinstance(idle, dict):
            idle = idle.get("value")
        return cls(
            policy_source=_text(data, "policy_source"),
            absolute_session_timeout=_int(data, "absolute_session_timeout"),
            absolute_session_timeout_unit=_text(data, "absolute_session_timeout_unit"),
            idle_session_timeout_enabled=idle if isinstance(idle, bool) else None,
            idle_session_timeout=_int(data, "idle_session_timeout"),
            idle_session_timeout_unit=_text(data, "idle_session_timeout_unit"),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class UserManagementSettings:
    """An organization's user-management settings (``None``: no limit)."""

    max_allowed_users: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserManagementSettings:
        return cls(_int(data, "max_allowed_users"))


@dataclass(frozen=True, slots=True)
class Toggle:
    """The answer of an enable/disable call."""

    enabled: bool
    error_message: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Toggle:
        return cls(_bool(data, "enabled"), _text(data, "error_message") or None)


@dataclass(frozen=True, slots=True)
class Domain:
    """A domain of an organization; ``verification_status`` is ``PENDING``, ``VERIFIED`` …"""

    id: str
    domain: str | None = None
    organization_id: str | None = None
    environment_id: str | None = None
    domain_type: str | None = None
    verification_status: str | None = None
    verification_method: str | None = None
    txt_record_key: str | None = None
    txt_record_secret: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Domain:
        return cls(
            id=_required_id(data, "id", "domain"),
            domain=_text(data, "domain"),
            organization_id=_text(data, "organization_id"),
            environment_id=_text(data, "environment_id"),
            domain_type=_text(data, "domain_type"),
            verification_status=_text(data, "verification_status"),
            verification_method=_text(data, "verification_method"),
            txt_record_key=_text(data, "txt_record_key"),
            txt_record_secret=_text(data, "txt_record_secret"),
            create_time=parse_rfc3339(data.get("create_time")),
            update_time=parse_rfc3339(data.get("update_time")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class Connection:
    """An SSO (or social, passwordless …) connection. Listings fill the common fields only."""

    id: str
    provider: str | None = None
    type: str | None = None
    status: str | None = None
    enabled: bool = False
    organization_id: str | None = None
    organization_name: str | None = None
    ui_button_title: str | None = None
    key_id: str | None = None
    provider_key: str | None = None
    domains: tuple[str, ...] = ()
    create_time: datetime | None = None
    update_time: datetime | None = None
    oidc_config: dict[str, Any] | None = None
    saml_config: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Connection:
        domains = [d.get("domain") if isinstance(d, dict) else d for d in data.get("domains") or []]
        return cls(
            id=_required_id(data, "id", "connection"),
            provider=_text(data, "provider"),
            type=_text(data, "type"),
            status=_text(data, "status"),
            enabled=_bool(data, "enabled"),
            organization_id=_text(data, "organization_id") or None,
            organization_name=_text(data, "organization_name"),
            ui_button_title=_text(data, "ui_button_title"),
            key_id=_text(data, "key_id") or None,
            provider_key=_text(data, "provider_key") or None,
            domains=tuple(d for d in domains if isinstance(d, str)),
            create_time=parse_rfc3339(data.get("create_time") or data.get("created_at")),
            update_time=parse_rfc3339(data.get("update_time")),
            oidc_config=_object(data.get("oidc_config")),
            saml_config=_object(data.get("saml_config")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class ConnectionsPage:
    """One page of connections (``list_connections`` answers every one on one page)."""

    connections: tuple[Connection, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConnectionsPage:
        connections = tuple(Connection.from_json(c) for c in _objects(data.get("connections")))
        return cls(
            connections,
            _text(data, "next_page_token") or "",
            _text(data, "prev_page_token") or "",
            _total(data.get("total_size")) or len(connections),
        )


@dataclass(frozen=True, slots=True)
class Directory:
    """A directory (SCIM …) of an organization."""

    id: str
    name: str | None = None
    organization_id: str | None = None
    directory_type: str | None = None
    directory_provider: str | None = None
    enabled: bool = False
    status: str | None = None
    directory_endpoint: str | None = None
    total_users: int = 0
    total_groups: int = 0
    last_synced_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Directory:
        return cls(
            id=_required_id(data, "id", "directory"),
            name=_text(data, "name"),
            organization_id=_text(data, "organization_id"),
            directory_type=_text(data, "directory_type"),
            directory_provider=_text(data, "directory_provider"),
            enabled=_bool(data, "enabled"),
            status=_text(data, "status"),
            directory_endpoint=_text(data, "directory_endpoint"),
            total_users=_total(data.get("total_users")),
            total_groups=_total(data.get("total_groups")),
            last_synced_at=parse_rfc3339(data.get("last_synced_at")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class DirectoryGroup:
    id: str
    display_name: str | None = None
    total_users: int = 0
    updated_at: datetime | None = None
    group_detail: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DirectoryGroup:
        return cls(
            id=_required_id(data, "id", "directory group"),
            display_name=_text(data, "display_name"),
            total_users=_total(data.get("total_users")),
            updated_at=parse_rfc3339(data.get("updated_at")),
            group_detail=_object(data.get("group_detail")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    id: str
    email: str | None = None
    preferred_username: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    emails: tuple[str, ...] = ()
    groups: tuple[DirectoryGroup, ...] = ()
    updated_at: datetime | None = None
    user_detail: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DirectoryUser:
        return cls(
            id=_required_id(data, "id", "directory user"),
            email=_text(data, "email"),
            preferred_username=_text(data, "preferred_username"),
            given_name=_text(data, "given_name"),
            family_name=_text(data, "family_name"),
            emails=_strings(data.get("emails")),
            groups=tuple(DirectoryGroup.from_json(g) for g in _objects(data.get("groups"))),
            updated_at=parse_rfc3339(data.get("updated_at")),
            user_detail=_object(data.get("user_detail")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class DirectoryUsersPage:
    users: tuple[DirectoryUser, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DirectoryUsersPage:
        return cls(
            tuple(DirectoryUser.from_json(u) for u in _objects(data.get("users"))),
            *_paging(data),
        )


@dataclass(frozen=True, slots=True)
class DirectoryGroupsPage:
    groups: tuple[DirectoryGroup, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DirectoryGroupsPage:
        return cls(
            tuple(DirectoryGroup.from_json(g) for g in _objects(data.get("groups"))),
            *_paging(data),
        )


@dataclass(frozen=True, slots=True)
class PermissionsPage:
    permissions: tuple[Permission, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PermissionsPage:
        return cls(
            permission_list(data.get("permissions")),
            *_paging(data),
        )


@dataclass(frozen=True, slots=True)
class DefaultRoles:
    """The roles a new organization's creator and its new members get."""

    default_creator: Role | None = None
    default_member: Role | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DefaultRoles:
        return cls(
            Role.from_json(data.get("default_creator")), Role.from_json(data.get("default_member"))
        )
