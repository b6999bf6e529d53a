"""The seeded demo data. Other packages' tests rely on these exact values."""

from __future__ import annotations

from .records import (
    Client,
    Connection,
    Directory,
    DirectoryGroup,
    DirectoryUser,
    Domain,
    Organization,
    Permission,
    Role,
    User,
)

CLIENT_ID = "skc_emulator_client"
CLIENT_SECRET = "emulator-client-secret"
DEFAULT_ORGANIZATION_ID = "org_acme"
# Users typed on the sign-in page land here, with the default member role ("member").

ADMIN_PERMISSIONS = ("organization:settings", "users:read", "users:write")
MEMBER_PERMISSIONS = ("users:read",)
PERMISSION_DESCRIPTIONS = {
    "organization:settings": "Change the organization's settings",
    "users:read": "See the organization's users",
    "users:write": "Invite, change and remove users",
}


def seed_client() -> Client:
    return Client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


def seed_organizations(now: float) -> list[Organization]:
    return [
        Organization("org_acme", "Acme Corp", "acme", "US", {}, now, now),
        Organization("org_globex", "Globex", "globex", "US", {}, now, now),
    ]


def seed_connections(now: float = 0.0) -> list[Connection]:
    def conn(cid: str, org: str, provider: str, domain: str) -> Connection:
        return Connection(cid, org, provider, (domain,), "OIDC", create_time=now, update_time=now)

    return [
        conn("conn_acme_okta", "org_acme", "OKTA", "acme.test"),
        conn("conn_globex_entra", "org_globex", "MICROSOFT_AD", "globex.test"),
    ]


def seed_domains(now: float) -> list[Domain]:
    return [
        Domain("dom_acme", "org_acme", "acme.test", "ORGANIZATION_DOMAIN", "VERIFIED", now, now),
        Domain(
            "dom_globex", "org_globex", "globex.test", "ORGANIZATION_DOMAIN", "VERIFIED", now, now
        ),
    ]


def seed_directories(now: float) -> list[Directory]:
    return [
        Directory("dir_acme_okta", "org_acme", "Acme Okta SCIM", "SCIM", "OKTA", True, now, now)
    ]


def seed_directory_groups(now: float) -> list[DirectoryGroup]:
    return [
        DirectoryGroup("dirgroup_acme_engineering", "dir_acme_okta", "Engineering", now),
        DirectoryGroup("dirgroup_acme_admins", "dir_acme_okta", "Admins", now),
    ]


def seed_directory_users(now: float) -> list[DirectoryUser]:
    eng, admins = "dirgroup_acme_engineering", "dirgroup_acme_admins"
    return [
        DirectoryUser(
            "diruser_alice",
            "dir_acme_okta",
            "alice@acme.test",
            "Alice",
            "Anders",
            (eng, admins),
            now,
        ),
        DirectoryUser("diruser_bob", "dir_acme_okta", "bob@acme.test", "Bob", "Brown", (eng,), now),
    ]


def seed_roles() -> list[Role]:
    return [
        Role(
            "admin", "", "Admin", "Manages the organization", None, ADMIN_PERMISSIONS,
            "role_admin", default_creator=True,
        ),
        Role(
            "member", "", "Member", "Uses the application", None, MEMBER_PERMISSIONS,
            "role_member", default_member=True,
        ),
    ]  # fmt: skip


def seed_permissions(now: float) -> list[Permission]:
    return [
        Permission(name, text, "perm_" + name.replace(":", "_"), now, now)
        for name, text in PERMISSION_DESCRIPTIONS.items()
    ]


def seed_users(now: float) -> list[User]:
    # Their permissions come from their roles (seed_roles).
    def user(uid: str, email: str, name: str, org: str, roles: tuple[str, ...]) -> User:
        return User(uid, email, name, org, roles, (), None, {}, now, now)

    return [
        user(
            "usr_alice",
            "alice@acme.test",
            "Alice Anders",
            "org_acme",
            ("admin",),
        ),
        user("usr_bob", "bob@acme.test", "Bob Brown", "org_acme", ("member",)),
        user(
            "usr_carol",
            "carol@globex.test",
            "Carol Chen",
            "org_globex",
            ("admin",),
        ),
    ]
