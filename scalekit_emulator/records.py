"""The emulator's stored values: immutable records, replaced (never mutated) on change.

Immutability keeps the lock discipline simple: a reader that grabbed a record keeps a
consistent snapshot even if another thread replaces it a moment later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Organization:
    id: str
    display_name: str
    external_id: str | None
    region_code: str
    metadata: dict[str, str]
    create_time: float
    update_time: float
    features: dict[str, bool] = field(default_factory=lambda: {"sso": True, "dir_sync": True})
    session_policy: dict[str, Any] = field(default_factory=dict)  # empty: APPLICATION
    max_allowed_users: int | None = None
    default_member_role: str | None = None  # None: the environment's default member role


@dataclass(frozen=True)
class Connection:
    """An SSO connection; ``organization_id`` is ``""`` for an environment connection."""

    id: str
    organization_id: str
    provider: str
    domains: tuple[str, ...]
    type: str = "OIDC"
    enabled: bool = True
    status: str = "COMPLETED"
    key_id: str | None = None
    provider_key: str | None = None
    is_app: bool = False
    create_time: float = 0.0
    update_time: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)  # ui_button_title, *_config …


@dataclass(frozen=True)
class Domain:
    id: str
    organization_id: str
    domain: str
    domain_type: str  # ORGANIZATION_DOMAIN or ALLOWED_EMAIL_DOMAIN
    verification_status: str  # PENDING or VERIFIED
    create_time: float
    update_time: float


@dataclass(frozen=True)
class Directory:
    id: str
    organization_id: str
    name: str
    directory_type: str
    directory_provider: str
    enabled: bool
    create_time: float
    last_synced_at: float | None = None


@dataclass(frozen=True)
class DirectoryGroup:
    id: str
    directory_id: str
    display_name: str
    updated_at: float


@dataclass(frozen=True)
class DirectoryUser:
    id: str
    directory_id: str
    email: str
    given_name: str
    family_name: str
    groups: tuple[str, ...]  # DirectoryGroup ids
    updated_at: float


@dataclass(frozen=True)
class Role:
    """A role of the environment (``organization_id=""``) or of one organization."""

    name: str
    organization_id: str
    display_name: str
    description: str
    extends: str | None
    permissions: tuple[str, ...]
    id: str
    default_creator: bool = False
    default_member: bool = False


@dataclass(frozen=True)
class Permission:
    name: str
    description: str
    id: str
    create_time: float
    update_time: float


@dataclass(frozen=True)
class Membership:
    """A user's membership of an organization other than their own (``User.organization_id``)."""

    organization_id: str
    user_id: str
    roles: tuple[str, ...]
    metadata: dict[str, str]
    status: str  # ACTIVE or PENDING_INVITE
    create_time: float
    inviter_email: str | None = None
    resent_count: int = 0
    resent_at: float | None = None


@dataclass(frozen=True)
class User:
    """A user and their own organization's membership (``roles``).

    ``permissions`` is empty for users whose permissions come from their roles (the seeded
    ones and every user created since); a non-empty value replaces them (a test hook).
    """

    id: str
    email: str
    name: str
    organization_id: str
    roles: tuple[str, ...]
    permissions: tuple[str, ...]
    external_id: str | None
    metadata: dict[str, str]
    create_time: float
    update_time: float

    @property
    def given_name(self) -> str:
        return self.name.split(" ", 1)[0] if self.name else ""

    @property
    def family_name(self) -> str:
        parts = self.name.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""


@dataclass(frozen=True)
class Device:
    user_agent: str
    os: str
    browser: str
    device_type: str
    ip: str


@dataclass(frozen=True)
class SessionRecord:
    """A Scalekit session: one per sign-in, shown by the management API."""

    session_id: str
    user_id: str
    organization_id: str
    status: str  # stored status: active, revoked or logout ("expired" is derived from the clock)
    created_at: float
    updated_at: float
    last_active_at: float
    idle_timeout: float
    absolute_expires_at: float
    logout_at: float | None
    revoked_at: float | None
    device: Device

    @property
    def idle_expires_at(self) -> float:
        return self.last_active_at + self.idle_timeout

    def expiry_time(self) -> float:
        return min(self.idle_expires_at, self.absolute_expires_at)

    def effective_status(self, now: float) -> str:
        if self.status == "active" and now >= self.expiry_time():
            return "expired"
        return self.status


@dataclass(frozen=True)
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    code_challenge: str | None
    nonce: str | None
    scopes: tuple[str, ...]
    user_id: str
    organization_id: str
    connection_id: str
    session_id: str
    auth_time: float
    expires_at: float


@dataclass(frozen=True)
class RefreshToken:
    token: str
    client_id: str
    user_id: str
    session_id: str
    organization_id: str
    connection_id: str
    scopes: tuple[str, ...]
    auth_time: float
    expires_at: float
    # Set when the token is rotated; it stays usable until then (Scalekit's reuse grace).
    grace_until: float | None = None


@dataclass(frozen=True)
class SsoLogin:
    """The emulator's own browser session (its SSO cookie points at one of these)."""

    sso_id: str
    user_id: str
    session_id: str
    organization_id: str
    connection_id: str
    auth_time: float


@dataclass(frozen=True)
class Lifetimes:
    """Lifetimes in seconds; defaults match the brief (and Scalekit's usual values)."""

    access_token: int = 300
    id_token: int = 3600
    refresh_token: int = 30 * 24 * 3600
    code: int = 60
    client_credentials: int = 86400
    session_idle: int = 24 * 3600
    session_absolute: int = 7 * 24 * 3600
    idp_initiated: int = 300


@dataclass(frozen=True)
class Fault:
    """An injected failure for the next `remaining` requests whose path starts with `path`."""

    path: str
    remaining: int
    status: int | None = None
    delay: float = 0.0
    body: str | None = None


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    expires_in: int
    id_token: str | None = None
    refresh_token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        if self.id_token is not None:
            body["id_token"] = self.id_token
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        body.update(self.extra)
        return body
