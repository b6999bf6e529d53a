"""The administration sub-clients on the wire: each method's verb, path and query as in
Scalekit's REST mapping of its gRPC services; creates are sent once, reads are retried."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from scalekit_core import ScalekitClient, ScalekitError, UpdateUser

from .management_helpers import ENV, FAST_RETRY, FakeScalekit

ORG = "/api/v1/organizations/org_1"
Call = Callable[[ScalekitClient], object]

# (name, call, verb, path, query)
CASES: list[tuple[str, Call, str, str, list[tuple[str, str]]]] = [
    ("org_settings", lambda c: c.organization.update_organization_settings("org_1", []), "PATCH", ORG + "/settings", []),
    ("org_user_mgmt", lambda c: c.organization.upsert_user_management_settings("org_1", 3), "PATCH", ORG + "/settings/usermanagement", []),
    ("org_policy_get", lambda c: c.organization.get_organization_session_policy("org_1"), "GET", ORG + "/session-policy", []),
    ("org_policy_set", lambda c: c.organization.update_organization_session_policy("org_1", 2), "PATCH", ORG + "/session-policy", []),
    ("portal_features", lambda c: c.organization.generate_portal_link("org_1", [3, "dir_sync"]), "PUT", ORG + "/portal_links", [("features", "sso"), ("features", "dir_sync")]),
    ("user_ext", lambda c: c.users.get_user_by_external_id("e/1"), "GET", "/api/v1/users:external/e%2F1", []),
    ("user_ext_update", lambda c: c.users.update_user_by_external_id("e1", UpdateUser(external_id="e2")), "PATCH", "/api/v1/users:external/e1", []),
    ("user_ext_delete", lambda c: c.users.delete_user_by_external_id("e1"), "DELETE", "/api/v1/users:external/e1", []),
    ("membership_create", lambda c: c.users.create_membership("org_1", "usr_1", {"roles": ["admin"]}, False), "POST", "/api/v1/memberships/organizations/org_1/users/usr_1", [("send_invitation_email", "false")]),
    ("membership_create_ext", lambda c: c.users.create_membership_by_external_id("org_1", "e1", {}), "POST", "/api/v1/memberships/organizations/org_1/users:external/e1", [("send_invitation_email", "true")]),
    ("membership_update", lambda c: c.users.update_membership("org_1", "usr_1", {"roles": ["a"]}), "PATCH", "/api/v1/memberships/organizations/org_1/users/usr_1", []),
    ("membership_update_ext", lambda c: c.users.update_membership_by_external_id("org_1", "e1", {}), "PATCH", "/api/v1/memberships/organizations/org_1/users:external/e1", []),
    ("membership_delete", lambda c: c.users.delete_membership("org_1", "usr_1"), "DELETE", "/api/v1/memberships/organizations/org_1/users/usr_1", []),
    ("membership_delete_ext", lambda c: c.users.delete_membership_by_external_id("org_1", "e1"), "DELETE", "/api/v1/memberships/organizations/org_1/users:external/e1", []),
    ("resend_invite", lambda c: c.users.resend_invite("org_1", "usr_1"), "PATCH", "/api/v1/invites/organizations/org_1/users/usr_1/resend", []),
    ("user_roles", lambda c: c.users.list_user_roles("org_1", "usr_1"), "GET", ORG + "/users/usr_1/roles", []),
    ("user_permissions", lambda c: c.users.list_user_permissions("org_1", "usr_1"), "GET", ORG + "/users/usr_1/permissions", []),
    ("conn_get", lambda c: c.connection.get_connection("org_1", "conn_1"), "GET", ORG + "/connections/conn_1", []),
    ("conn_list", lambda c: c.connection.list_connections("org_1", "all"), "GET", "/api/v1/connections", [("organization_id", "org_1"), ("include", "all")]),
    ("conn_by_domain", lambda c: c.connection.list_connections_by_domain("acme.test"), "GET", "/api/v1/connections", [("domain", "acme.test")]),
    ("conn_enable", lambda c: c.connection.enable_connection("org_1", "conn_1"), "PATCH", ORG + "/connections/conn_1:enable", []),
    ("conn_disable", lambda c: c.connection.disable_connection("org_1", "conn_1"), "PATCH", ORG + "/connections/conn_1:disable", []),
    ("conn_create", lambda c: c.connection.create_connection("org_1", {"provider": "OKTA"}), "POST", ORG + "/connections", []),
    ("conn_delete", lambda c: c.connection.delete_connection("org_1", "conn_1"), "DELETE", ORG + "/connections/conn_1", []),
    ("conn_app", lambda c: c.connection.list_app_connections(5, "t", "HUBSPOT", "crm"), "GET", "/api/v1/connections/app", [("page_size", "5"), ("page_token", "t"), ("provider", "HUBSPOT"), ("query", "crm")]),
    ("conn_env_get", lambda c: c.connection.get_environment_connection("conn_1"), "GET", "/api/v1/connections/conn_1", []),
    ("conn_env_create", lambda c: c.connection.create_environment_connection({"provider": "OKTA"}, {"is_app": True}), "POST", "/api/v1/connections", [("flags.is_app", "true")]),
    ("conn_env_update", lambda c: c.connection.update_environment_connection("conn_1", {"key_id": "k"}), "PATCH", "/api/v1/connections/conn_1", []),
    ("domain_create", lambda c: c.domain.create_domain("org_1", "acme.test", 2), "POST", ORG + "/domains", []),
    ("domain_list", lambda c: c.domain.list_domains("org_1", "ALLOWED_EMAIL_DOMAIN"), "GET", ORG + "/domains", [("domain_type", "ALLOWED_EMAIL_DOMAIN")]),
    ("domain_get", lambda c: c.domain.get_domain("org_1", "dom_1"), "GET", ORG + "/domains/dom_1", []),
    ("domain_delete", lambda c: c.domain.delete_domain("org_1", "dom_1"), "DELETE", ORG + "/domains/dom_1", []),
    ("dir_get", lambda c: c.directory.get_directory("org_1", "dir_1"), "GET", ORG + "/directories/dir_1", []),
    ("dir_list", lambda c: c.directory.list_directories("org_1"), "GET", ORG + "/directories", []),
    ("dir_primary", lambda c: c.directory.get_primary_directory_by_organization_id("org_1"), "GET", ORG + "/directories", []),
    ("dir_users", lambda c: c.directory.list_directory_users("org_1", "dir_1", 2, "t", True, datetime(2025, 1, 1, tzinfo=timezone.utc)), "GET", ORG + "/directories/dir_1/users", [("page_size", "2"), ("page_token", "t"), ("include_detail", "true"), ("updated_after", "2025-01-01T00:00:00Z")]),
    ("dir_groups", lambda c: c.directory.list_directory_groups("org_1", "dir_1", include_detail=False), "GET", ORG + "/directories/dir_1/groups", [("include_detail", "false")]),
    ("dir_enable", lambda c: c.directory.enable_directory("org_1", "dir_1"), "PATCH", ORG + "/directories/dir_1:enable", []),
    ("dir_disable", lambda c: c.directory.disable_directory("org_1", "dir_1"), "PATCH", ORG + "/directories/dir_1:disable", []),
    ("dir_create", lambda c: c.directory.create_directory("org_1", {"directory_type": "SCIM"}), "POST", ORG + "/directories", []),
    ("dir_delete", lambda c: c.directory.delete_directory("org_1", "dir_1"), "DELETE", ORG + "/directories/dir_1", []),
    ("role_create", lambda c: c.roles.create_role({"name": "r"}), "POST", "/api/v1/roles", []),
    ("role_get", lambda c: c.roles.get_role("r"), "GET", "/api/v1/roles/r", []),
    ("role_list", lambda c: c.roles.list_roles(), "GET", "/api/v1/roles", []),
    ("role_update", lambda c: c.roles.update_role("r", {"display_name": "R"}), "PUT", "/api/v1/roles/r", []),
    ("role_delete", lambda c: c.roles.delete_role("r", "s"), "DELETE", "/api/v1/roles/r", [("reassign_role_name", "s")]),
    ("role_count", lambda c: c.roles.get_role_users_count("r"), "GET", "/api/v1/roles/r/users:count", []),
    ("role_defaults", lambda c: c.roles.update_default_roles("a", "m"), "PATCH", "/api/v1/roles:set_defaults", []),
    ("role_dependents", lambda c: c.roles.list_dependent_roles("r"), "GET", "/api/v1/roles/r/dependents", []),
    ("role_base", lambda c: c.roles.delete_role_base("r"), "DELETE", "/api/v1/roles/r/base", []),
    ("org_role_create", lambda c: c.roles.create_organization_role("org_1", {"name": "r"}), "POST", ORG + "/roles", []),
    ("org_role_get", lambda c: c.roles.get_organization_role("org_1", "r"), "GET", ORG + "/roles/r", []),
    ("org_role_list", lambda c: c.roles.list_organization_roles("org_1"), "GET", ORG + "/roles", []),
    ("org_role_update", lambda c: c.roles.update_organization_role("org_1", "r", {}), "PUT", ORG + "/roles/r", []),
    ("org_role_delete", lambda c: c.roles.delete_organization_role("org_1", "r"), "DELETE", ORG + "/roles/r", []),
    ("org_role_count", lambda c: c.roles.get_organization_role_users_count("org_1", "r"), "GET", ORG + "/roles/r/users:count", []),
    ("org_role_defaults", lambda c: c.roles.update_default_organization_roles("org_1", {"default_member_role": "m"}), "PATCH", ORG + "/roles:set_defaults", []),
    ("org_role_base", lambda c: c.roles.delete_organization_role_base("org_1", "r"), "DELETE", ORG + "/roles/r/base", []),
    ("perm_create", lambda c: c.permissions.create_permission({"name": "p"}), "POST", "/api/v1/permissions", []),
    ("perm_get", lambda c: c.permissions.get_permission("p:x"), "GET", "/api/v1/permissions/p%3Ax", []),
    ("perm_update", lambda c: c.permissions.update_permission("p", {"description": "d"}), "PUT", "/api/v1/permissions/p", []),
    ("perm_list", lambda c: c.permissions.list_permissions("t", 3), "GET", "/api/v1/permissions", [("page_size", "3"), ("page_token", "t")]),
    ("perm_delete", lambda c: c.permissions.delete_permission("p"), "DELETE", "/api/v1/permissions/p", []),
    ("role_perms", lambda c: c.permissions.list_role_permissions("r"), "GET", "/api/v1/roles/r/permissions", []),
    ("role_perms_add", lambda c: c.permissions.add_permissions_to_role("r", ["p"]), "POST", "/api/v1/roles/r/permissions", []),
    ("role_perm_remove", lambda c: c.permissions.remove_permission_from_role("r", "p"), "DELETE", "/api/v1/roles/r/permissions/p", []),
    ("role_perms_all", lambda c: c.permissions.list_effective_role_permissions("r"), "GET", "/api/v1/roles/r/permissions:all", []),
]  # fmt: skip


@pytest.fixture
def fake() -> FakeScalekit:
    return FakeScalekit()


@pytest.fixture
def client(fake: FakeScalekit) -> Iterator[ScalekitClient]:
    http = httpx.Client(transport=httpx.MockTransport(fake))
    with ScalekitClient(ENV, "skc_1", "s3cret", http_client=http, retry=FAST_RETRY) as c:
        yield c
    http.close()


@pytest.mark.parametrize(
    ("call", "verb", "path", "query"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_verb_path_and_query(
    client: ScalekitClient, fake: FakeScalekit, call: Call, verb: str, path: str, query: Any
) -> None:
    with contextlib.suppress(ScalekitError):  # the fake's answer need not fit this method's
        call(client)
    sent = fake.api_calls()[0]
    assert (sent.method, sent.path, sent.query) == (verb, path, query)


def test_bodies(client: ScalekitClient, fake: FakeScalekit) -> None:
    calls: list[Call] = [
        lambda c: c.organization.update_organization_session_policy("org_1", "CUSTOM", 8, 2),
        lambda c: c.users.create_membership("org_1", "usr_1", {"roles": ["admin"]}),
        lambda c: c.domain.create_domain("org_1", "acme.test", "ALLOWED_EMAIL_DOMAIN"),
        lambda c: c.roles.update_default_organization_roles("org_1", {"default_member_role": "m"}),
        lambda c: c.permissions.add_permissions_to_role("r", ["p", "q"]),
        lambda c: c.organization.upsert_user_management_settings("org_1"),
    ]
    for call in calls:
        with contextlib.suppress(ScalekitError):
            call(client)
    assert [r.body for r in fake.api_calls()] == [
        {"policy_source": "CUSTOM", "absolute_session_timeout": 8, "absolute_session_timeout_unit": "HOURS"},
        {"roles": [{"name": "admin"}]},
        {"domain": "acme.test", "domain_type": "ALLOWED_EMAIL_DOMAIN"},
        {"default_member_role": "m"},
        {"permission_names": ["p", "q"]},
        {"settings": {}},
    ]  # fmt: skip


CREATES: list[tuple[Call, str]] = [
    (lambda c: c.connection.create_connection("org_1", {"provider": "OKTA"}), ORG + "/connections"),
    (lambda c: c.connection.create_environment_connection({}), "/api/v1/connections"),
    (lambda c: c.domain.create_domain("org_1", "acme.test"), ORG + "/domains"),
    (lambda c: c.directory.create_directory("org_1", {}), ORG + "/directories"),
    (lambda c: c.roles.create_role({"name": "r"}), "/api/v1/roles"),
    (lambda c: c.roles.create_organization_role("org_1", {"name": "r"}), ORG + "/roles"),
    (lambda c: c.permissions.create_permission({"name": "p"}), "/api/v1/permissions"),
    (lambda c: c.users.create_membership("org_1", "u", {}), "/api/v1/memberships/organizations/org_1/users/u"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "path"), CREATES)
def test_creates_are_sent_once(
    client: ScalekitClient, fake: FakeScalekit, call: Call, path: str
) -> None:
    fake.script[path] = [httpx.Response(503, json={"code": 14, "message": "busy"})] * 3
    with pytest.raises(ScalekitError):
        call(client)
    assert len(fake.api_calls()) == 1


def test_reads_are_retried(client: ScalekitClient, fake: FakeScalekit) -> None:
    fake.script[ORG + "/domains/dom_1"] = [httpx.Response(503, json={"code": 14})]
    with pytest.raises(ScalekitError):  # the fake's second answer is not a domain
        client.domain.get_domain("org_1", "dom_1")
    assert len(fake.api_calls()) == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.domain.create_domain("org_1", "acme.test", "PARKED"),
        lambda c: c.directory.list_directory_users("org_1", "d", updated_after=3),
        lambda c: c.organization.update_organization_session_policy("org_1", "SOMETIMES"),
        lambda c: c.organization.update_organization_settings("org_1", [{"name": "sso"}]),
        lambda c: c.organization.generate_portal_link("org_1", ["teleport"]),
        lambda c: c.roles.update_default_roles(),
        lambda c: c.permissions.add_permissions_to_role("r", "p"),
        lambda c: c.connection.list_connections(""),
        lambda c: c.connection.create_connection("org_1", {"colour": "red"}),
        lambda c: c.users.create_user_and_membership("org_1", email="x@a.test", colour="red"),
    ],
)
def test_bad_inputs_fail_before_any_request(
    client: ScalekitClient, fake: FakeScalekit, call: Call
) -> None:
    with pytest.raises(ScalekitError):
        call(client)
    assert fake.api_calls() == []


def test_request_messages_behave_like_protobuf_ones() -> None:
    from scalekit_core import ConnectionProvider, CreateConnection, CreateUser, CreateUserProfile

    connection = CreateConnection(provider=ConnectionProvider.OKTA)
    connection.type = "SAML"
    assert connection.to_json() == {"provider": "OKTA", "type": "SAML"}
    assert connection == CreateConnection(provider="OKTA", type="SAML")
    assert repr(connection) == "CreateConnection(provider='OKTA', type='SAML')"
    with pytest.raises(TypeError):
        CreateConnection(colour="red")
    with pytest.raises(AttributeError):
        connection.colour = "red"
    user = CreateUser(email="a@acme.test", user_profile=CreateUserProfile(first_name="A"))
    assert user.to_json() == {"email": "a@acme.test", "user_profile": {"first_name": "A"}}
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert CreateConnection(context={"since": when}).to_json() == {
        "context": {"since": "2025-01-02T03:04:05Z"}
    }


def test_protobuf_is_imported_only_for_a_protobuf_message() -> None:
    code = (
        "import sys, scalekit_core\n"
        "from scalekit_core import CreateConnection, ScalekitClient\n"
        "client = ScalekitClient('https://acme.scalekit.test', 'skc_1', 's')\n"
        "client.connection, client.roles, client.directory, client.domain\n"
        "CreateConnection.coerce({'provider': 'OKTA'}).to_json()\n"
        "print(any(name.startswith('google.protobuf') for name in sys.modules))\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "False"
