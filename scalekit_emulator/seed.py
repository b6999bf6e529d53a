"""The seeded demo data. Other packages' tests rely on these exact values."""

from __future__ import annotations

import dataclasses

from .records import Client, Connection, Membership, Organization, User

CLIENT_ID = "skc_emulator_client"
CLIENT_SECRET = "emulator-client-secret"
DEFAULT_ORGANIZATION_ID = "org_acme"
# Users typed on the sign-in page land here, as a plain member.
DEFAULT_NEW_USER_ROLES: tuple[str, ...] = ("member",)

ADMIN_PERMISSIONS = ("organization:settings", "users:read", "users:write")


def seed_client() -> Client:
    return Client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


def seed_organizations(now: float) -> list[Organization]:
    return [
        Organization("org_acme", "Acme Corp", "acme", "US", {}, now, now),
        Organization("org_globex", "Globex", "globex", "US", {}, now, now),
    ]


def seed_connections() -> list[Connection]:
    return [
        Connection("conn_acme_okta", "org_acme", "OKTA", ("acme.test",)),
        Connection("conn_globex_entra", "org_globex", "MICROSOFT_AD", ("globex.test",)),
    ]


def seed_users(now: float) -> list[User]:
    def user(
        uid: str, email: str, name: str, org: str, roles: tuple[str, ...], perms: tuple[str, ...]
    ) -> User:
        return User(uid, email, name, org, roles, perms, None, {}, now, now)

    return [
        user(
            "usr_alice",
            "alice@acme.test",
            "Alice Anders",
            "org_acme",
            ("admin",),
            ADMIN_PERMISSIONS,
        ),
        user("usr_bob", "bob@acme.test", "Bob Brown", "org_acme", ("member",), ("users:read",)),
        user(
            "usr_carol",
            "carol@globex.test",
            "Carol Chen",
            "org_globex",
            ("admin",),
            ADMIN_PERMISSIONS,
        ),
        # A member of two organizations (organization switching): a plain member of Acme,
        # an admin of Globex.
        dataclasses.replace(
            user(
                "usr_dana", "dana@acme.test", "Dana Diaz", "org_acme", ("member",), ("users:read",)
            ),
            other_memberships=(Membership("org_globex", ("admin",), ADMIN_PERMISSIONS),),
        ),
    ]
