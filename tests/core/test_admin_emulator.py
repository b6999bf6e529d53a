"""The administration sub-clients against the emulator over real HTTP: one test per area,
every method called, sync and async; tokens read the same roles and permissions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
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
)
from scalekit_core.management import (
    CreateMembership,
    CreateUser,
    CreateUserProfile,
    UpdateMembership,
    UpdateOrganization,
    UpdateUser,
)

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
