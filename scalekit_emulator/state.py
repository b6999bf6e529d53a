"""The emulator's mutable in-memory model, and its JSON form for `--data`."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .records import (
    AuthorizationCode,
    Client,
    Connection,
    Device,
    Directory,
    DirectoryGroup,
    DirectoryUser,
    Domain,
    Membership,
    Organization,
    Permission,
    RefreshToken,
    Role,
    SessionRecord,
    SsoLogin,
    User,
)
from .seed import (
    seed_client,
    seed_connections,
    seed_directories,
    seed_directory_groups,
    seed_directory_users,
    seed_domains,
    seed_organizations,
    seed_permissions,
    seed_roles,
    seed_users,
)


def role_key(organization_id: str, name: str) -> str:
    """The key of a role in ``EmulatorState.roles`` (``""``: an environment role)."""
    return f"{organization_id}/{name}"


def membership_key(organization_id: str, user_id: str) -> str:
    return f"{organization_id}/{user_id}"


# Administration tables: name -> (record class, fields stored as tuples).
_ADMIN_TABLES: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "domains": (Domain, ()),
    "directories": (Directory, ()),
    "directory_groups": (DirectoryGroup, ()),
    "directory_users": (DirectoryUser, ("groups",)),
    "roles": (Role, ("permissions",)),
    "permissions": (Permission, ()),
    "memberships": (Membership, ("roles",)),
}


def _record_key(table: str, record: Any) -> str:
    if table == "roles":
        return role_key(record.organization_id, record.name)
    if table == "permissions":
        return str(record.name)
    if table == "memberships":
        return membership_key(record.organization_id, record.user_id)
    return str(record.id)


#: The tables kept as JSON rows (persisted as they are).
JSON_TABLES = (
    "m2m_clients",
    "resources",
    "api_tokens",
    "passwordless",
    "mail",
    "webauthn_credentials",
    "events",
    "login_requests",
)


@dataclass
class EmulatorState:
    """Everything a reset puts back to the seed. Guarded by the Emulator's lock."""

    client: Client
    organizations: dict[str, Organization] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    sso_logins: dict[str, SsoLogin] = field(default_factory=dict)
    domains: dict[str, Domain] = field(default_factory=dict)
    directories: dict[str, Directory] = field(default_factory=dict)
    directory_groups: dict[str, DirectoryGroup] = field(default_factory=dict)
    directory_users: dict[str, DirectoryUser] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)  # keyed by role_key()
    permissions: dict[str, Permission] = field(default_factory=dict)  # keyed by name
    memberships: dict[str, Membership] = field(default_factory=dict)  # keyed by membership_key()
    # Machine clients, API tokens, passwordless, WebAuthn, events, resources, login
    # requests: JSON rows (wire-shaped dicts, replaced on change), see JSON_TABLES.
    m2m_clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    api_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    passwordless: dict[str, dict[str, Any]] = field(default_factory=dict)
    mail: dict[str, dict[str, Any]] = field(default_factory=dict)
    webauthn_credentials: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    login_requests: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def seeded(cls, now: float) -> EmulatorState:
        state = cls(
            client=seed_client(),
            organizations={o.id: o for o in seed_organizations(now)},
            connections={c.id: c for c in seed_connections(now)},
            users={u.id: u for u in seed_users(now)},
        )
        state.add_seed_admin_data(now)
        return state

    def add_seed_admin_data(self, now: float) -> None:
        """Domains, directories, roles and permissions of the seed."""
        seeds: dict[str, list[Any]] = {
            "domains": seed_domains(now),
            "directories": seed_directories(now),
            "directory_groups": seed_directory_groups(now),
            "directory_users": seed_directory_users(now),
            "roles": seed_roles(),
            "permissions": seed_permissions(now),
        }
        for table, records in seeds.items():
            rows: dict[str, Any] = getattr(self, table)
            for record in records:
                rows[_record_key(table, record)] = record

    def user_by_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return next((u for u in self.users.values() if u.email.lower() == wanted), None)

    # --- JSON persistence -------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        def rows(table: dict[str, Any]) -> list[dict[str, Any]]:
            return [dataclasses.asdict(v) for v in table.values()]

        return {
            "client": dataclasses.asdict(self.client),
            "organizations": rows(self.organizations),
            "connections": rows(self.connections),
            "users": rows(self.users),
            "sessions": rows(self.sessions),
            "refresh_tokens": rows(self.refresh_tokens),
            "sso_logins": rows(self.sso_logins),
            **{table: rows(getattr(self, table)) for table in _ADMIN_TABLES},
            **{name: dict(getattr(self, name)) for name in JSON_TABLES},
            # Codes live 60 s: not worth keeping across a restart.
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EmulatorState:
        def tuples(row: dict[str, Any], *names: str) -> dict[str, Any]:
            return {**row, **{n: tuple(row[n]) for n in names}}

        state = cls(client=Client(**data["client"]))
        for row in data.get("organizations", []):
            state.organizations[row["id"]] = Organization(**row)
        for row in data.get("connections", []):
            c = Connection(**tuples(row, "domains"))
            state.connections[c.id] = c
        for row in data.get("users", []):
            u = User(**tuples(row, "roles", "permissions"))
            state.users[u.id] = u
        for row in data.get("sessions", []):
            s = SessionRecord(**{**row, "device": Device(**row["device"])})
            state.sessions[s.session_id] = s
        for row in data.get("refresh_tokens", []):
            r = RefreshToken(**tuples(row, "scopes"))
            state.refresh_tokens[r.token] = r
        for row in data.get("sso_logins", []):
            sso = SsoLogin(**row)
            state.sso_logins[sso.sso_id] = sso
        if "roles" not in data:  # saved before these tables existed: give it the seed's
            state.add_seed_admin_data(
                max((o.create_time for o in state.organizations.values()), default=0.0)
            )
        for table, (record_class, tuple_fields) in _ADMIN_TABLES.items():
            rows: dict[str, Any] = getattr(state, table)
            for row in data.get(table, []):
                record = record_class(**tuples(row, *tuple_fields))
                rows[_record_key(table, record)] = record
        for name in JSON_TABLES:
            setattr(state, name, dict(data.get(name, {})))
        return state


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    # Write then rename, so a crash mid-write never leaves a half file to load next time.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
