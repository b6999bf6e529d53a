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
    Membership,
    Organization,
    RefreshToken,
    SessionRecord,
    SsoLogin,
    User,
)
from .seed import seed_client, seed_connections, seed_organizations, seed_users


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

    @classmethod
    def seeded(cls, now: float) -> EmulatorState:
        return cls(
            client=seed_client(),
            organizations={o.id: o for o in seed_organizations(now)},
            connections={c.id: c for c in seed_connections()},
            users={u.id: u for u in seed_users(now)},
        )

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
            others = tuple(
                Membership(**tuples(m, "roles", "permissions"))
                for m in row.get("other_memberships", [])
            )
            u = User(**{**tuples(row, "roles", "permissions"), "other_memberships": others})
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
        return state


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    # Write then rename, so a crash mid-write never leaves a half file to load next time.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
