"""The administration sub-clients against the emulator over real HTTP: one test per area,
every method called, sync and async; tokens read the same roles and permissions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt
import pytest

from scalekit_core import (
    AlreadyExistsError,
    AsyncScalekitClient,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ScalekitClient,
    ScalekitError,
)
from scalekit_core.management import (
    ConnectionProvider,
    ConnectionType,
    CreateConnection,
    CreateDirectory,
    CreateMembership,
    CreateOrganizationRole,
    CreatePermission,
    CreateRole,
    CreateUser,
    CreateUserProfile,
    DirectoryType,
    DomainType,
    Flags,
    Timestamp,
    Toggle,
    UpdateConnection,
    UpdateDefaultOrganizationRolesRequest,
    UpdateMembership,
    UpdateOrganization,
    UpdateRole,
    UpdateUser,
)
from scalekit_emulator import Emulator, EmulatorServer
from scalekit_emulator.errors import OAuthError
from scalekit_emulator.seed import CLIENT_ID, CLIENT_SECRET

from .management_helpers import FAST_RETRY


@pytest.fixture
def client(scalekit_emulator: Any) -> Iterator[ScalekitClient]:
    emu = scalekit_emulator
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret, retry=FAST_RETRY) as c:
        yield c


@pytest.fixture
async def aclient(scalekit_emulator: Any) -> AsyncIterator[AsyncScalekitClient]:
    emu = scalekit_emulator
    async with AsyncScalekitClient(
        emu.url, emu.client_id, emu.client_secret, retry=FAST_RETRY
    ) as c:
        yield c


def claims_of(emu: Any, email: str, organization_id: str | None = None) -> dict[str, Any]:
    """The access token's claims of a fresh sign-in of ``email``."""
    tokens = emu.emulator.issue_tokens(email, ("openid",), organization_id=organization_id)
    claims: dict[str, Any] = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    return claims


# --- organization -------------------------------------------------------------------------------


def test_organization_additions(client: ScalekitClient) -> None:
    org = client.organization
    by_ext = org.update_organization_by_external_id("acme", UpdateOrganization(display_name="A"))
    assert by_ext.id == "org_acme" and by_ext.display_name == "A"
    assert (
        org.update_organization("org_acme", organization={"display_name": "B"}).display_name == "B"
    )

    changed = org.update_organization_settings("org_acme", [{"name": "dir_sync", "enabled": False}])
    features = {f["name"]: f["enabled"] for f in changed.settings["features"]}
    assert features == {"sso": True, "dir_sync": False}
    with pytest.raises(InvalidArgumentError):
        org.update_organization_settings("org_acme", [{"name": "teleport", "enabled": True}])

    assert org.upsert_user_management_settings("org_globex", 1).max_allowed_users == 1
    with pytest.raises(RateLimitError):  # Scalekit's RESOURCE_EXHAUSTED: the org is full
        client.users.create_user_and_membership("org_globex", CreateUser(email="x@globex.test"))
    assert org.upsert_user_management_settings("org_globex").max_allowed_users is None

    assert org.get_organization_session_policy("org_acme").policy_source == "APPLICATION"
    policy = org.update_organization_session_policy(
        "org_acme", "CUSTOM", 12, "HOURS", True, 30, "MINUTES"
    )
    assert (policy.policy_source, policy.absolute_session_timeout) == ("CUSTOM", 12)
    assert policy.idle_session_timeout_unit == "MINUTES" and policy.idle_session_timeout_enabled
    assert org.get_organization_session_policy("org_acme") == policy
    with pytest.raises(InvalidArgumentError):
        org.update_organization_session_policy("org_acme", "CUSTOM", 0)

    assert org.generate_portal_link("org_acme", features=["sso", "dir_sync"]).location
    with pytest.raises(NotFoundError):
        org.generate_portal_link("org_nope", features=["sso"])


@pytest.mark.anyio
async def test_organization_additions_async(aclient: AsyncScalekitClient) -> None:
    org = aclient.organization
    assert (await org.update_organization_by_external_id("globex", display_name="G")).id == (
        "org_globex"
    )
    assert (await org.update_organization_settings("org_globex", [])).id == "org_globex"
    assert (await org.upsert_user_management_settings("org_globex", 5)).max_allowed_users == 5
    policy = await org.update_organization_session_policy("org_globex", "APPLICATION")
    assert policy == await org.get_organization_session_policy("org_globex")
    assert (await org.generate_portal_link("org_globex", ["sso"])).location


# --- users and memberships ----------------------------------------------------------------------


def test_users_by_external_id(client: ScalekitClient) -> None:
    users = client.users
    made = users.create_user_and_membership(
        "org_acme",
        CreateUser(
            email="erin@acme.test",
            external_id="ext-erin",
            user_profile=CreateUserProfile(first_name="Erin", last_name="Eve"),
            membership=CreateMembership(roles=[{"name": "admin"}]),
        ),
        send_invitation_email=False,
    )
    assert users.get_user_by_external_id("ext-erin").id == made.id
    assert made.user_profile is not None and made.user_profile.name == "Erin Eve"
    assert [r.name for r in made.memberships[0].roles] == ["admin"]
    updated = users.update_user_by_external_id("ext-erin", UpdateUser(metadata={"k": "v"}))
    assert updated.metadata == {"k": "v"}
    assert users.update_user(made.id, UpdateUser(user_profile={"name": "E"})).user_profile
    users.delete_user_by_external_id("ext-erin")
    with pytest.raises(NotFoundError):
        users.get_user_by_external_id("ext-erin")
    with pytest.raises(InvalidArgumentError):  # roles must exist
        users.create_user_and_membership("org_acme", email="f@acme.test", roles=["wizard"])


def test_memberships_invites_roles_and_tokens(
    client: ScalekitClient, scalekit_emulator: Any
) -> None:
    users = client.users
    bob = users.create_membership(
        "org_globex", "usr_bob", CreateMembership(roles=[{"name": "admin"}]), True
    )
    assert [m.organization_id for m in bob.memberships] == ["org_acme", "org_globex"]
    assert bob.memberships[1].membership_status == "PENDING_INVITE"
    with pytest.raises(AlreadyExistsError):
        users.create_membership("org_globex", "usr_bob", CreateMembership())

    invite = users.resend_invite("org_globex", "usr_bob")
    assert invite.resent_count == 1 and invite.expires_at is not None
    assert [r.name for r in users.list_user_roles("org_globex", "usr_bob")] == ["admin"]
    names = {p.name for p in users.list_user_permissions("org_globex", "usr_bob")}
    assert names == {"organization:settings", "users:read", "users:write"}
    # The token of a sign-in into Globex carries the same roles and permissions.
    claims = claims_of(scalekit_emulator, "bob@acme.test", "org_globex")
    assert claims["roles"] == ["admin"] and set(claims["permissions"]) == names
    assert claims_of(scalekit_emulator, "bob@acme.test")["roles"] == ["member"]

    users.update_membership("org_globex", "usr_bob", UpdateMembership(roles=[{"name": "member"}]))
    assert [r.name for r in users.list_user_roles("org_globex", "usr_bob")] == ["member"]
    users.update_membership("org_acme", "usr_bob", UpdateMembership(roles=["admin"]))
    assert claims_of(scalekit_emulator, "bob@acme.test")["roles"] == ["admin"]
    assert "usr_bob" in {u.id for u in users.list_organization_users("org_globex").users}
    users.delete_membership("org_globex", "usr_bob")
    with pytest.raises(NotFoundError):
        users.list_user_roles("org_globex", "usr_bob")
    with pytest.raises(InvalidArgumentError):  # the only membership left
        users.delete_membership("org_acme", "usr_bob")

    users.update_user("usr_bob", external_id="ext-bob")
    users.create_membership_by_external_id("org_globex", "ext-bob", {"roles": ["member"]}, False)
    assert users.get_user("usr_bob").memberships[1].membership_status == "ACTIVE"
    moved = users.update_membership_by_external_id("org_globex", "ext-bob", {"roles": ["admin"]})
    assert [r.name for r in moved.memberships[1].roles] == ["admin"]
    users.delete_membership_by_external_id("org_globex", "ext-bob")
    assert len(users.get_user("usr_bob").memberships) == 1


@pytest.mark.anyio
async def test_users_async(aclient: AsyncScalekitClient) -> None:
    users = aclient.users
    made = await users.create_user_and_membership(
        "org_acme", email="al@acme.test", external_id="al"
    )
    assert (await users.get_user_by_external_id("al")).id == made.id
    await users.update_user_by_external_id("al", first_name="Al")
    await users.create_membership("org_globex", made.id, {"roles": ["member"]})
    await users.resend_invite("org_globex", made.id)
    assert [r.name for r in await users.list_user_roles("org_globex", made.id)] == ["member"]
    assert [p.name for p in await users.list_user_permissions("org_globex", made.id)] == [
        "users:read"
    ]
    await users.update_membership("org_globex", made.id, {"roles": ["admin"]})
    await users.update_membership_by_external_id("org_globex", "al", {"roles": ["member"]})
    await users.delete_membership_by_external_id("org_globex", "al")
    await users.create_membership("org_globex", made.id, {})
    await users.delete_membership("org_globex", made.id)
    await users.delete_user_by_external_id("al")
    with pytest.raises(NotFoundError):
        await users.get_user(made.id)


# --- connections --------------------------------------------------------------------------------


def test_connections(client: ScalekitClient, scalekit_emulator: Any) -> None:
    conn = client.connection
    okta = conn.get_connection("org_acme", "conn_acme_okta")
    assert (okta.provider, okta.type, okta.enabled, okta.domains) == (
        "OKTA",
        "OIDC",
        True,
        ("acme.test",),
    )
    assert [c.id for c in conn.list_connections("org_acme").connections] == ["conn_acme_okta"]
    assert [c.id for c in conn.list_connections_by_domain("globex.test").connections] == [
        "conn_globex_entra"
    ]
    made = conn.create_connection("org_acme", CreateConnection(provider="GOOGLE", type="OIDC"))
    assert made.organization_id == "org_acme" and not made.enabled and made.status == "DRAFT"
    assert len(conn.list_connections("org_acme").connections) == 1  # enabled ones only
    assert len(conn.list_connections("org_acme", include="all").connections) == 2
    assert conn.enable_connection("org_acme", made.id).enabled
    assert conn.disable_connection("org_acme", "conn_acme_okta") == Toggle(False)
    # A disabled connection no longer signs anyone in; the organization's enabled one does.
    with pytest.raises(OAuthError):
        scalekit_emulator.emulator.resolve_target(
            organization_id=None, connection_id="conn_acme_okta", domain_hint=None
        )
    assert claims_of(scalekit_emulator, "alice@acme.test")["oid"] == "org_acme"
    conn.delete_connection("org_acme", made.id)
    with pytest.raises(NotFoundError):
        conn.get_connection("org_acme", made.id)
    with pytest.raises(NotFoundError):  # another organization's connection
        conn.get_connection("org_globex", "conn_acme_okta")
    with pytest.raises(InvalidArgumentError) as bad:
        conn.create_connection("org_acme", {"provider": "FAX"})
    assert bad.value.details[0]["error_code"] == "INVALID_ARGUMENT"

    env = conn.create_environment_connection(
        CreateConnection(provider=ConnectionProvider.SALESFORCE, type=ConnectionType.OAUTH,
                         key_id="salesforce-crm"),
        Flags(is_app=True),
    )  # fmt: skip
    assert env.organization_id is None and conn.get_environment_connection(env.id).id == env.id
    changed = conn.update_environment_connection(
        env.id, UpdateConnection(ui_button_title="CRM", oauth_config={"scopes": ["api"]})
    )
    assert changed.ui_button_title == "CRM" and changed.raw["oauth_config"] == {"scopes": ["api"]}
    conn.create_environment_connection({"provider": "GITHUB", "type": "OAUTH"}, {"is_app": True})
    page = conn.list_app_connections(page_size=1)
    assert page.total_size == 2 and len(page.connections) == 1 and page.next_page_token
    assert len(list(conn.iter_app_connections(page_size=1))) == 2
    assert [c.id for c in conn.list_app_connections(provider="SALESFORCE").connections] == [env.id]
    assert [c.id for c in conn.list_app_connections(query="crm").connections] == [env.id]
    with pytest.raises(NotFoundError):  # an organization's connection is not the environment's
        conn.get_environment_connection("conn_globex_entra")


@pytest.mark.anyio
async def test_connections_async(aclient: AsyncScalekitClient) -> None:
    conn = aclient.connection
    made = await conn.create_connection("org_globex", {"provider": "OKTA", "type": "SAML"})
    assert (await conn.get_connection("org_globex", made.id)).type == "SAML"
    assert (await conn.enable_connection("org_globex", made.id)).enabled
    assert not (await conn.disable_connection("org_globex", made.id)).enabled
    assert len((await conn.list_connections("org_globex", "all")).connections) == 2
    assert len((await conn.list_connections_by_domain("acme.test")).connections) == 1
    env = await conn.create_environment_connection({"provider": "GITLAB"}, Flags(is_app=True))
    assert (await conn.get_environment_connection(env.id)).provider == "GITLAB"
    await conn.update_environment_connection(env.id, {"ui_button_title": "Lab"})
    assert [c.id async for c in conn.iter_app_connections()] == [env.id]
    assert (await conn.list_app_connections()).connections[0].id == env.id
    await conn.delete_connection("org_globex", made.id)


# --- domains ------------------------------------------------------------------------------------


def test_domains(client: ScalekitClient, scalekit_emulator: Any) -> None:
    domains = client.domain
    [acme] = domains.list_domains("org_acme")
    assert (acme.domain, acme.verification_status, acme.domain_type) == (
        "acme.test",
        "VERIFIED",
        "ORGANIZATION_DOMAIN",
    )
    made = domains.create_domain("org_globex", "globex-labs.test")
    allowed = domains.create_domain("org_globex", "partner.test", DomainType.ALLOWED_EMAIL_DOMAIN)
    assert domains.get_domain("org_globex", made.id) == made
    assert [d.id for d in domains.list_domains("org_globex", "ALLOWED_EMAIL_DOMAIN")] == [
        allowed.id
    ]
    # A verified domain routes sign-ins: the Globex connection answers for it.
    target = scalekit_emulator.emulator.resolve_target(
        organization_id=None, connection_id=None, domain_hint="ada@globex-labs.test"
    )
    assert target.organization_id == "org_globex"
    assert [
        c.id for c in client.connection.list_connections_by_domain("globex-labs.test").connections
    ] == ["conn_globex_entra"]
    with pytest.raises(AlreadyExistsError):
        domains.create_domain("org_acme", "globex-labs.test")
    with pytest.raises(InvalidArgumentError):
        domains.create_domain("org_acme", "not a domain")
    with pytest.raises(ScalekitError):  # checked before sending
        domains.list_domains("org_acme", "PARKED_DOMAIN")
    domains.delete_domain("org_globex", made.id)
    with pytest.raises(NotFoundError):
        domains.get_domain("org_globex", made.id)
    with pytest.raises(NotFoundError):  # not Acme's
        domains.delete_domain("org_acme", allowed.id)


@pytest.mark.anyio
async def test_domains_async(aclient: AsyncScalekitClient) -> None:
    made = await aclient.domain.create_domain("org_acme", "acme-eu.test", "ORGANIZATION_DOMAIN")
    assert (await aclient.domain.get_domain("org_acme", made.id)).domain == "acme-eu.test"
    assert len(await aclient.domain.list_domains("org_acme")) == 2
    await aclient.domain.delete_domain("org_acme", made.id)
    assert len(await aclient.domain.list_domains("org_acme")) == 1


# --- directories --------------------------------------------------------------------------------


def test_directories(client: ScalekitClient) -> None:
    directory = client.directory
    primary = directory.get_primary_directory_by_organization_id("org_acme")
    assert (primary.id, primary.directory_provider, primary.enabled) == (
        "dir_acme_okta",
        "OKTA",
        True,
    )
    assert (primary.total_users, primary.total_groups) == (2, 2)
    assert [d.id for d in directory.list_directories("org_acme")] == ["dir_acme_okta"]
    assert directory.get_directory("org_acme", "dir_acme_okta").name == "Acme Okta SCIM"

    users = directory.list_directory_users("org_acme", "dir_acme_okta", include_detail=True)
    assert [u.email for u in users.users] == ["alice@acme.test", "bob@acme.test"]
    alice = users.users[0]
    assert {g.display_name for g in alice.groups} == {"Engineering", "Admins"}
    assert alice.user_detail is not None and alice.user_detail["active"] is True
    plain = directory.list_directory_users("org_acme", "dir_acme_okta", page_size=1)
    assert plain.users[0].user_detail is None and plain.total_size == 2 and plain.next_page_token
    assert [u.id for u in directory.iter_directory_users("org_acme", "dir_acme_okta", 1)] == [
        "diruser_alice",
        "diruser_bob",
    ]
    future = datetime.now(timezone.utc) + timedelta(days=1)
    assert (
        directory.list_directory_users("org_acme", "dir_acme_okta", updated_after=future).users
        == ()
    )
    groups = directory.list_directory_groups("org_acme", "dir_acme_okta", include_detail=True)
    assert {(g.display_name, g.total_users) for g in groups.groups} == {
        ("Engineering", 2),
        ("Admins", 1),
    }
    assert len(list(directory.iter_directory_groups("org_acme", "dir_acme_okta", 1))) == 2
    past = Timestamp()
    past.FromDatetime(datetime(2020, 1, 1))
    assert (
        directory.list_directory_groups("org_acme", "dir_acme_okta", updated_after=past).total_size
        == 2
    )
    with pytest.raises(InvalidArgumentError):
        directory.list_directory_groups("org_acme", "dir_acme_okta", updated_after="yesterday")

    made = directory.create_directory(
        "org_globex",
        CreateDirectory(directory_type=DirectoryType.SCIM, directory_provider="MICROSOFT_AD"),
    )
    assert made.organization_id == "org_globex" and not made.enabled
    assert directory.enable_directory("org_globex", made.id).enabled
    assert not directory.disable_directory("org_globex", made.id).enabled
    with pytest.raises(InvalidArgumentError):
        directory.create_directory("org_globex", {"directory_type": "SCIM"})
    directory.delete_directory("org_globex", made.id)
    with pytest.raises(NotFoundError):
        directory.get_primary_directory_by_organization_id("org_globex")
    with pytest.raises(NotFoundError):
        directory.get_directory("org_globex", "dir_acme_okta")


@pytest.mark.anyio
async def test_directories_async(aclient: AsyncScalekitClient) -> None:
    directory = aclient.directory
    made = await directory.create_directory(
        "org_acme", {"directory_type": "SCIM", "directory_provider": "GOOGLE"}
    )
    assert len(await directory.list_directories("org_acme")) == 2
    assert (
        await directory.get_primary_directory_by_organization_id("org_acme")
    ).id == "dir_acme_okta"
    assert (await directory.enable_directory("org_acme", made.id)).enabled
    assert not (await directory.disable_directory("org_acme", made.id)).enabled
    assert (await directory.get_directory("org_acme", made.id)).directory_provider == "GOOGLE"
    users = await directory.list_directory_users("org_acme", "dir_acme_okta")
    assert users.total_size == 2
    assert len([u async for u in directory.iter_directory_users("org_acme", "dir_acme_okta")]) == 2
    groups = await directory.list_directory_groups("org_acme", "dir_acme_okta")
    assert groups.total_size == 2
    assert len([g async for g in directory.iter_directory_groups("org_acme", "dir_acme_okta")]) == 2
    await directory.delete_directory("org_acme", made.id)


# --- roles and permissions ----------------------------------------------------------------------


def test_roles_and_permissions(client: ScalekitClient, scalekit_emulator: Any) -> None:
    roles, permissions = client.roles, client.permissions
    assert {r.name for r in roles.list_roles()} == {"admin", "member"}
    member = roles.get_role("member")
    assert member.default_member and [p.name for p in member.permissions] == ["users:read"]
    assert roles.get_role_users_count("member") == 1 and roles.get_role_users_count("admin") == 2

    assert permissions.create_permission(CreatePermission(name="reports:read")).id
    assert permissions.get_permission("reports:read").name == "reports:read"
    assert (
        permissions.update_permission(
            "reports:read", CreatePermission(name="reports:read", description="Read reports")
        ).description
        == "Read reports"
    )
    page = permissions.list_permissions(page_size=2)
    assert page.total_size == 4 and len(page.permissions) == 2
    assert len(list(permissions.iter_permissions(page_size=3))) == 4
    with pytest.raises(AlreadyExistsError):
        permissions.create_permission({"name": "reports:read"})

    analyst = roles.create_role(
        CreateRole(name="analyst", display_name="Analyst", extends="member",
                   permissions=["reports:read"])
    )  # fmt: skip
    assert analyst.extends == "member"
    assert [r.name for r in roles.list_dependent_roles("member")] == ["analyst"]
    assert [p.name for p in permissions.list_role_permissions("analyst")] == ["reports:read"]
    effective = permissions.list_effective_role_permissions("analyst")
    assert [p.name for p in effective] == ["reports:read", "users:read"]
    with pytest.raises(InvalidArgumentError):  # a cycle
        roles.update_role("member", UpdateRole(extends="analyst"))
    with pytest.raises(InvalidArgumentError):  # unknown permission
        roles.create_role({"name": "ghost", "permissions": ["nothing:here"]})

    # Tokens read the same records: a permission added to "member" reaches Bob's next token.
    permissions.add_permissions_to_role("member", ["reports:read"])
    assert "reports:read" in claims_of(scalekit_emulator, "bob@acme.test")["permissions"]
    permissions.remove_permission_from_role("member", "reports:read")
    assert claims_of(scalekit_emulator, "bob@acme.test")["permissions"] == ["users:read"]
    with pytest.raises(NotFoundError):
        permissions.remove_permission_from_role("member", "reports:read")

    updated = roles.update_role("analyst", UpdateRole(display_name="Data analyst"))
    assert updated.display_name == "Data analyst" and updated.extends == "member"
    roles.delete_role_base("analyst")
    assert roles.get_role("analyst").extends is None and roles.list_dependent_roles("member") == ()
    defaults = roles.update_default_roles(default_member_role="analyst")
    assert defaults.default_member is not None and defaults.default_member.name == "analyst"
    made = client.users.create_user_and_membership("org_acme", email="new@acme.test")
    assert [r.name for r in made.memberships[0].roles] == ["analyst"]
    roles.update_default_roles("admin", "member")
    with pytest.raises(InvalidArgumentError):  # it has a user
        roles.delete_role("analyst")
    roles.delete_role("analyst", reassign_role_name="member")
    assert [r.name for r in client.users.list_user_roles("org_acme", made.id)] == ["member"]
    permissions.delete_permission("reports:read")
    with pytest.raises(NotFoundError):
        permissions.get_permission("reports:read")


def test_organization_roles(client: ScalekitClient, scalekit_emulator: Any) -> None:
    roles = client.roles
    auditor = roles.create_organization_role(
        "org_acme", CreateOrganizationRole(name="auditor", display_name="Auditor",
                                           permissions=["users:read"])
    )  # fmt: skip
    assert auditor.is_org_role
    assert {r.name for r in roles.list_organization_roles("org_acme")} == {
        "admin",
        "auditor",
        "member",
    }
    assert {r.name for r in roles.list_organization_roles("org_globex")} == {"admin", "member"}
    assert roles.get_organization_role("org_acme", "auditor").display_name == "Auditor"
    changed = roles.update_organization_role(
        "org_acme", "auditor", UpdateRole(extends="member", description="Reads")
    )
    assert changed.description == "Reads" and changed.extends == "member"
    roles.delete_organization_role_base("org_acme", "auditor")
    assert roles.get_organization_role("org_acme", "auditor").extends is None
    defaults = roles.update_default_organization_roles(
        "org_acme", UpdateDefaultOrganizationRolesRequest(default_member_role="auditor")
    )
    assert defaults.default_member is not None and defaults.default_member.name == "auditor"
    # A new Acme user, signing in for the first time, gets Acme's default role.
    assert claims_of(scalekit_emulator, "zoe@acme.test")["roles"] == ["auditor"]
    assert roles.get_organization_role_users_count("org_acme", "auditor") == 1
    with pytest.raises(NotFoundError):
        roles.get_organization_role("org_globex", "auditor")
    roles.update_default_organization_roles("org_acme", {"default_member_role": "member"})
    roles.delete_organization_role("org_acme", "auditor", "member")
    with pytest.raises(NotFoundError):
        roles.get_organization_role("org_acme", "auditor")


@pytest.mark.anyio
async def test_roles_and_permissions_async(aclient: AsyncScalekitClient) -> None:
    roles, permissions = aclient.roles, aclient.permissions
    await permissions.create_permission({"name": "billing:read"})
    assert (await permissions.get_permission("billing:read")).name == "billing:read"
    await permissions.update_permission("billing:read", {"description": "Bills"})
    assert (await permissions.list_permissions()).total_size == 4
    assert len([p async for p in permissions.iter_permissions(2)]) == 4
    await roles.create_role({"name": "billing", "extends": "member"})
    assert (await roles.get_role("billing")).extends == "member"
    assert len(await roles.list_roles()) == 3
    await roles.update_role("billing", {"display_name": "Billing"})
    assert [r.name for r in await roles.list_dependent_roles("member")] == ["billing"]
    assert await roles.get_role_users_count("billing") == 0
    await permissions.add_permissions_to_role("billing", ["billing:read"])
    assert len(await permissions.list_role_permissions("billing")) == 1
    assert len(await permissions.list_effective_role_permissions("billing")) == 2
    await permissions.remove_permission_from_role("billing", "billing:read")
    await roles.delete_role_base("billing")
    assert (await roles.update_default_roles(None, "member")).default_member is not None
    await roles.delete_role("billing")
    await permissions.delete_permission("billing:read")
    org_role = await roles.create_organization_role("org_globex", {"name": "ops"})
    assert (await roles.get_organization_role("org_globex", "ops")).name == org_role.name
    assert len(await roles.list_organization_roles("org_globex")) == 3
    await roles.update_organization_role("org_globex", "ops", {"extends": "member"})
    await roles.delete_organization_role_base("org_globex", "ops")
    assert await roles.get_organization_role_users_count("org_globex", "ops") == 0
    await roles.update_default_organization_roles("org_globex", {"default_member_role": "ops"})
    await roles.update_default_organization_roles("org_globex", {"default_member_role": "member"})
    await roles.delete_organization_role("org_globex", "ops")


# --- persistence --------------------------------------------------------------------------------


def test_admin_records_survive_a_restart_with_data(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    with (
        EmulatorServer(Emulator(data_path=data)) as server,
        ScalekitClient(server.url, CLIENT_ID, CLIENT_SECRET, retry=FAST_RETRY) as c,
    ):
        c.permissions.create_permission({"name": "reports:read"})
        c.roles.create_role({"name": "analyst", "permissions": ["reports:read"]})
        c.users.create_membership("org_globex", "usr_bob", {"roles": ["analyst"]})
        c.domain.create_domain("org_globex", "globex-labs.test")
        c.directory.create_directory(
            "org_globex", {"directory_type": "SCIM", "directory_provider": "OKTA"}
        )
        c.connection.create_connection("org_globex", {"provider": "OKTA"})
        c.organization.update_organization_session_policy("org_globex", "CUSTOM", 8, "HOURS")
    with (
        EmulatorServer(Emulator(data_path=data)) as server,
        ScalekitClient(server.url, CLIENT_ID, CLIENT_SECRET, retry=FAST_RETRY) as c,
    ):
        assert [p.name for p in c.permissions.list_role_permissions("analyst")] == ["reports:read"]
        assert [r.name for r in c.users.list_user_roles("org_globex", "usr_bob")] == ["analyst"]
        assert {d.domain for d in c.domain.list_domains("org_globex")} == {
            "globex.test",
            "globex-labs.test",
        }
        assert len(c.directory.list_directories("org_globex")) == 1
        assert len(c.connection.list_connections("org_globex", "all").connections) == 2
        assert (
            c.organization.get_organization_session_policy("org_globex").policy_source == "CUSTOM"
        )
        assert c.directory.list_directory_users("org_acme", "dir_acme_okta").total_size == 2


def test_a_data_file_from_before_the_admin_records_gets_the_seed(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    Emulator(data_path=data).save()
    saved = json.loads(data.read_text())
    for table in ("domains", "directories", "directory_groups", "directory_users", "roles"):
        del saved["state"][table]
    data.write_text(json.dumps(saved))
    state = Emulator(data_path=data).state
    assert {r.name for r in state.roles.values()} == {"admin", "member"}
    assert "dir_acme_okta" in state.directories and "dom_acme" in state.domains
