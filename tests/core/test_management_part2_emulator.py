"""Machine clients, API tokens, passwordless, WebAuthn, events, resources and auth against
the emulator over real HTTP: every method, sync and async."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from scalekit_core import (
    AsyncScalekitClient,
    InvalidApiTokenError,
    InvalidArgumentError,
    NotFoundError,
    OAuthError,
    ScalekitClient,
    ScalekitError,
    ScalekitValidateTokenFailureException,
)
from scalekit_core.management import EventFilter, M2MClientSpec
from scalekit_emulator import Emulator, EmulatorHandle

from .management_helpers import FAST_RETRY
from .official_sdk import official


@pytest.fixture
def client(scalekit_emulator: EmulatorHandle) -> Iterator[ScalekitClient]:
    emu = scalekit_emulator
    with ScalekitClient(emu.url, emu.client_id, emu.client_secret, retry=FAST_RETRY) as c:
        yield c


@pytest.fixture
async def aclient(scalekit_emulator: EmulatorHandle) -> AsyncIterator[AsyncScalekitClient]:
    emu = scalekit_emulator
    async with AsyncScalekitClient(
        emu.url, emu.client_id, emu.client_secret, retry=FAST_RETRY
    ) as c:
        yield c


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


# --- m2m_client -----------------------------------------------------------------------------


def test_organization_client_lifecycle(client: ScalekitClient) -> None:
    m2m = client.m2m_client
    spec = M2MClientSpec(
        name="billing-sync",
        description="nightly export",
        scopes=["read:invoices", "write:invoices"],
        custom_claims={"tier": "gold"},
        expiry=600,
    )
    created = m2m.create_organization_client("org_acme", spec)
    machine = created.client
    assert machine.client_id.startswith("m2m_") and machine.organization_id == "org_acme"
    assert machine.scopes == ("read:invoices", "write:invoices")
    assert machine.custom_claims == {"tier": "gold"} and machine.expiry == 600
    assert created.plain_secret and len(machine.secrets) == 1
    assert machine.secrets[0].secret_suffix == created.plain_secret[-4:]
    assert "plain_secret" not in repr(created)

    assert m2m.get_organization_client("org_acme", machine.client_id) == machine
    updated = m2m.update_organization_client(
        "org_acme", machine.client_id, M2MClientSpec(description="hourly export")
    )
    assert updated.description == "hourly export" and updated.name == "billing-sync"

    # Its secret gets client-credentials tokens carrying the organization and claims.
    token = client.generate_client_token(
        machine.client_id, created.plain_secret, scopes=["read:invoices"]
    )
    claims = client.validate_access_token_and_get_claims(token)
    assert claims["oid"] == "org_acme" and claims["scopes"] == ["read:invoices"]
    assert claims["tier"] == "gold" and claims["exp"] - claims["iat"] == 600
    with pytest.raises(OAuthError, match="invalid_scope"):
        client.generate_client_token(machine.client_id, created.plain_secret, ["admin"])

    second = m2m.add_organization_client_secret("org_acme", machine.client_id)
    assert second.plain_secret != created.plain_secret and second.secret.id
    assert client.generate_client_token(machine.client_id, second.plain_secret)
    m2m.remove_organization_client_secret("org_acme", machine.client_id, machine.secrets[0].id)
    with pytest.raises(OAuthError, match="invalid_client"):
        client.generate_client_token(machine.client_id, created.plain_secret)
    with pytest.raises(NotFoundError):
        m2m.remove_organization_client_secret("org_acme", machine.client_id, "sec_gone")

    other = m2m.create_organization_client("org_acme", {"name": "second"})
    page = m2m.list_organization_clients("org_acme", page_size=1)
    assert len(page.clients) == 1 and page.total_size == 2 and page.next_page_token
    every = [c.client_id for c in m2m.iter_organization_clients("org_acme", page_size=1)]
    assert every == [machine.client_id, other.client.client_id]
    assert m2m.list_organization_clients("org_globex").clients == ()

    m2m.delete_organization_client("org_acme", machine.client_id)
    with pytest.raises(NotFoundError):
        m2m.get_organization_client("org_acme", machine.client_id)
    with pytest.raises(NotFoundError):  # another organization's client is not found either
        m2m.get_organization_client("org_globex", other.client.client_id)


def test_organization_client_bad_input(client: ScalekitClient) -> None:
    with pytest.raises(InvalidArgumentError):
        client.m2m_client.create_organization_client("org_acme", {"name": " "})
    with pytest.raises(NotFoundError):
        client.m2m_client.create_organization_client("org_missing", {"name": "x"})
    with pytest.raises(NotFoundError):
        client.m2m_client.list_organization_clients("org/../users")


@pytest.mark.anyio
async def test_organization_client_async(aclient: AsyncScalekitClient) -> None:
    m2m = aclient.m2m_client
    created = await m2m.create_organization_client("org_acme", M2MClientSpec(name="a"))
    client_id = created.client.client_id
    assert (await m2m.get_organization_client("org_acme", client_id)).name == "a"
    changed = await m2m.update_organization_client("org_acme", client_id, {"scopes": ["x"]})
    assert changed.scopes == ("x",)
    secret = await m2m.add_organization_client_secret("org_acme", client_id)
    token = await aclient.generate_client_token(client_id, secret.plain_secret)
    assert _claims(token)["oid"] == "org_acme"
    await m2m.remove_organization_client_secret("org_acme", client_id, secret.secret.id)
    assert [c.client_id async for c in m2m.iter_organization_clients("org_acme")] == [client_id]
    assert (await m2m.list_organization_clients("org_acme")).total_size == 1
    await m2m.delete_organization_client("org_acme", client_id)
    with pytest.raises(NotFoundError):
        await m2m.get_organization_client("org_acme", client_id)


def test_machine_clients_persist_with_data(tmp_path: Path) -> None:
    data = tmp_path / "emulator.json"
    first = Emulator(data_path=data)
    with first.lock:
        first.state.m2m_clients["m2m_1"] = {"client_id": "m2m_1", "name": "kept"}
    first.save()
    assert Emulator(data_path=data).state.m2m_clients["m2m_1"]["name"] == "kept"


# --- tokens -----------------------------------------------------------------------------------


def test_api_token_lifecycle(client: ScalekitClient) -> None:
    tokens = client.tokens
    expiry = datetime.now(timezone.utc) + timedelta(days=30)
    created = tokens.create_token(
        "org_acme", custom_claims={"team": "ci", "env": "prod"}, expiry=expiry, description="CI"
    )
    assert created.token and created.token_id.startswith("apit_")
    assert "token=" not in repr(created) and created.token not in repr(created)
    info = created.token_info
    assert info.organization_id == "org_acme" and info.custom_claims == {
        "team": "ci",
        "env": "prod",
    }
    assert info.expiry is not None and abs((info.expiry - expiry).total_seconds()) < 1

    assert tokens.validate_token(created.token) == info
    assert tokens.validate_token(created.token_id).token_id == created.token_id
    updated = tokens.update_token(created.token, custom_claims={"env": "", "tier": "gold"})
    assert updated.custom_claims == {"team": "ci", "tier": "gold"}
    assert tokens.update_token(created.token, description="renamed").description == "renamed"

    user = client.user.list_organization_users("org_acme").users[0]
    for_user = tokens.create_token("org_acme", user_id=user.id)
    assert for_user.token_info.email == user.email and for_user.token_info.user_id == user.id
    page = tokens.list_tokens("org_acme", page_size=1)
    assert len(page.tokens) == 1 and page.total_count == 2 and page.next_page_token
    assert [t.token_id for t in tokens.iter_tokens("org_acme", page_size=1)] == [
        created.token_id,
        for_user.token_id,
    ]
    assert [t.token_id for t in tokens.list_tokens("org_acme", user_id=user.id).tokens] == [
        for_user.token_id
    ]

    tokens.invalidate_token(created.token)
    tokens.invalidate_token(created.token)  # idempotent
    with pytest.raises(ScalekitValidateTokenFailureException) as caught:
        tokens.validate_token(created.token)
    assert isinstance(caught.value, InvalidApiTokenError) and caught.value.status_code == 404
    with pytest.raises(InvalidApiTokenError):
        tokens.validate_token("skat_never-issued")
    with pytest.raises(NotFoundError):
        tokens.create_token("org_missing")
    with pytest.raises(ScalekitError):
        tokens.validate_token("")


@pytest.mark.anyio
async def test_api_tokens_async(aclient: AsyncScalekitClient) -> None:
    tokens = aclient.tokens
    created = await tokens.create_token("org_acme", custom_claims={"a": "1"})
    assert (await tokens.validate_token(created.token)).custom_claims == {"a": "1"}
    changed = await tokens.update_token(created.token, {"b": "2"}, "d")
    assert changed.custom_claims == {"a": "1", "b": "2"} and changed.description == "d"
    assert (await tokens.list_tokens("org_acme")).total_count == 1
    assert [t.token_id async for t in tokens.iter_tokens("org_acme")] == [created.token_id]
    await tokens.invalidate_token(created.token_id)
    with pytest.raises(InvalidApiTokenError):
        await tokens.validate_token(created.token)


# --- passwordless -----------------------------------------------------------------------------


def test_passwordless_code_link_and_resend(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    pl = client.passwordless
    sent = pl.send_passwordless_email(
        "bob@acme.test", template="SIGNIN", state="s-1", expires_in=120
    )
    assert sent.passwordless_type == "OTP" and sent.expires_in == 120
    assert sent.expires_at is not None and sent.expires_at > datetime.now(timezone.utc)
    # The inbox, over HTTP as a sample app reads it.
    inbox = httpx.get(scalekit_emulator.url + "/_emulator/mail", params={"to": "BOB@acme.test"})
    message = inbox.json()["messages"][0]
    assert message["auth_request_id"] == sent.auth_request_id and message["link"] is None
    assert message["code"] in message["text"]

    with pytest.raises(InvalidArgumentError):
        pl.verify_passwordless_email(code="000000x", auth_request_id=sent.auth_request_id)
    verified = pl.verify_passwordless_email(
        code=message["code"], auth_request_id=sent.auth_request_id
    )
    assert verified.email == "bob@acme.test" and verified.state == "s-1"
    assert verified.template == "SIGNIN" and verified.passwordless_type == "OTP"
    with pytest.raises(InvalidArgumentError):  # a code is used once
        pl.verify_passwordless_email(code=message["code"], auth_request_id=sent.auth_request_id)

    linked = pl.send_passwordless_email(
        "carol@acme.test", magiclink_auth_uri="http://127.0.0.1:5999/auth/magic", template=2
    )
    assert linked.passwordless_type == "LINK_OTP"
    first = scalekit_emulator.mail("carol@acme.test")[0]
    again = pl.resend_passwordless_email(linked.auth_request_id)
    assert again.auth_request_id == linked.auth_request_id
    latest = scalekit_emulator.mail("carol@acme.test")[0]
    assert latest["code"] != first["code"] or latest["link"] != first["link"]
    with pytest.raises(InvalidArgumentError):  # the resend replaced the first link
        pl.verify_passwordless_email(link_token=first["link"].split("link_token=")[1])
    token = latest["link"].split("link_token=")[1]
    assert latest["link"].startswith("http://127.0.0.1:5999/auth/magic?link_token=")
    result = pl.verify_passwordless_email(link_token=token)
    assert result.email == "carol@acme.test" and result.template == "SIGNUP"

    expiring = pl.send_passwordless_email("dave@acme.test", expires_in=1)
    code = scalekit_emulator.mail("dave@acme.test")[0]["code"]
    scalekit_emulator.set_clock_offset(5)
    with pytest.raises(InvalidArgumentError):
        pl.verify_passwordless_email(code=code, auth_request_id=expiring.auth_request_id)
    with pytest.raises(NotFoundError):
        pl.resend_passwordless_email("par_unknown")
    with pytest.raises(InvalidArgumentError):
        pl.send_passwordless_email("bob@acme.test", magiclink_auth_uri="javascript:alert(1)")
    with pytest.raises(ScalekitError):
        pl.send_passwordless_email("bob@acme.test", template="LOGIN")
    assert httpx.delete(scalekit_emulator.url + "/_emulator/mail").json() == {"messages": []}
    assert scalekit_emulator.mail() == []


def test_passwordless_code_locks_after_failed_attempts(client: ScalekitClient) -> None:
    sent = client.passwordless.send_passwordless_email("bob@acme.test")
    for _ in range(5):
        with pytest.raises(InvalidArgumentError):
            client.passwordless.verify_passwordless_email("999999x", None, sent.auth_request_id)
    with pytest.raises(InvalidArgumentError, match="expired"):
        client.passwordless.verify_passwordless_email("000000", None, sent.auth_request_id)


@pytest.mark.anyio
async def test_passwordless_async(
    aclient: AsyncScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    sent = await aclient.passwordless.send_passwordless_email("bob@acme.test")
    resent = await aclient.passwordless.resend_passwordless_email(sent.auth_request_id)
    assert resent.auth_request_id == sent.auth_request_id
    code = scalekit_emulator.mail("bob@acme.test")[0]["code"]
    verified = await aclient.passwordless.verify_passwordless_email(
        code=code, auth_request_id=sent.auth_request_id
    )
    assert verified.email == "bob@acme.test"


# --- webauthn, events, auth -------------------------------------------------------------------


def _user_id(client: ScalekitClient) -> str:
    return client.user.list_organization_users("org_acme").users[0].id


def test_webauthn_credentials(client: ScalekitClient, scalekit_emulator: EmulatorHandle) -> None:
    user_id = _user_id(client)
    added = scalekit_emulator.add_webauthn_credential(user_id, "MacBook")
    listed = client.webauthn.list_credentials(user_id)
    assert [c.id for c in listed.credentials] == [added["id"]]
    passkey = listed.credentials[0]
    assert passkey.display_name == "MacBook" and passkey.user_id == user_id
    assert passkey.authenticator_flags["user_verified"] is True and passkey.created_at
    assert listed.all_accepted_credentials_options["all_accepted_credential_ids"] == [
        passkey.credential_id
    ]
    renamed = client.webauthn.update_credential(passkey.id, "Work laptop")
    assert renamed.display_name == "Work laptop" and renamed.id == passkey.id
    deleted = client.webauthn.delete_credential(passkey.id)
    assert deleted.success is True
    assert deleted.unknown_credential_options["credential_id"] == passkey.credential_id
    assert client.webauthn.list_credentials(user_id).credentials == ()
    with pytest.raises(NotFoundError):
        client.webauthn.delete_credential(passkey.id)
    with pytest.raises(NotFoundError):
        client.webauthn.list_credentials("usr_missing")
    with pytest.raises(ScalekitError):
        client.webauthn.update_credential(passkey.id, " ")


@pytest.mark.anyio
async def test_webauthn_async(
    aclient: AsyncScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    user_id = (await aclient.user.list_organization_users("org_acme")).users[0].id
    added = scalekit_emulator.add_webauthn_credential(user_id)
    assert len((await aclient.webauthn.list_credentials(user_id)).credentials) == 1
    assert (await aclient.webauthn.update_credential(added["id"], "Phone")).display_name == "Phone"
    assert (await aclient.webauthn.delete_credential(added["id"])).success


def test_events_filtered_and_paginated(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    client.tokens.create_token("org_acme")
    client.m2m_client.create_organization_client("org_globex", {"name": "sync"})
    scalekit_emulator.record_event("user.login", {"email": "bob@acme.test"}, "org_acme")
    everything = client.events.list_events_paginated()
    assert [e.type for e in everything.events] == [
        "user.login",
        "organization.client.created",
        "api_token.created",
    ]
    newest = everything.events[0]
    assert newest.data == {"email": "bob@acme.test"} and newest.occurred_at is not None
    acme = client.events.list_events_paginated(filter=EventFilter(organization_id="org_acme"))
    assert [e.type for e in acme.events] == ["user.login", "api_token.created"]
    logins = client.events.list_events_paginated(filter={"event_types": ["user.login"]})
    assert [e.id for e in logins.events] == [newest.id]
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert client.events.list_events_paginated(filter=EventFilter(start_time=later)).events == ()
    page = client.events.list_events_paginated(page_size=2)
    assert len(page.events) == 2 and page.next_page_token
    assert [e.id for e in client.events.iter_events(page_size=1)] == [
        e.id for e in everything.events
    ]
    with pytest.raises(ScalekitError):
        client.events.list_events_paginated(filter=EventFilter(event_types="user.login"))


@pytest.mark.anyio
async def test_events_async(
    aclient: AsyncScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    scalekit_emulator.record_event("user.logout", {}, "org_acme")
    page = await aclient.events.list_events_paginated(page_size=5)
    assert [e.type for e in page.events] == ["user.logout"]
    assert [e.type async for e in aclient.events.iter_events()] == ["user.logout"]


def test_update_login_user_details(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    connection_id = next(iter(scalekit_emulator.emulator.state.connections))
    user = {"sub": "u-42", "email": "bob@acme.test", "email_verified": True, "roles": ["admin"]}
    done = client.auth.update_login_user_details(connection_id, "lri_1", user)
    assert done.auth_request_id.startswith("ar_")
    stored = scalekit_emulator.emulator.state.login_requests["lri_1"]
    assert stored["user"] == user and stored["auth_request_id"] == done.auth_request_id
    with pytest.raises(NotFoundError):
        client.auth.update_login_user_details("conn_missing", "lri_1", user)
    with pytest.raises(InvalidArgumentError):
        client.auth.update_login_user_details(connection_id, "lri_2", {"sub": "u-1"})
    with pytest.raises(ScalekitError):
        client.auth.update_login_user_details(connection_id, "lri_2", {"password": "x"})


@pytest.mark.anyio
async def test_update_login_user_details_async(
    aclient: AsyncScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    connection_id = next(iter(scalekit_emulator.emulator.state.connections))
    done = await aclient.auth.update_login_user_details(
        connection_id, "lri_9", {"email": "bob@acme.test"}
    )
    assert done.auth_request_id


# --- resources --------------------------------------------------------------------------------


def _new_resource(client: ScalekitClient, emu: EmulatorHandle, kind: str = "MCP_SERVER") -> str:
    """A resource made through the REST API (the official SDK has no create_resource)."""
    answer = httpx.post(
        emu.url + "/api/v1/resources",
        json={"resource": {"name": "Todo MCP", "resource_type": kind}},
        headers={"authorization": "Bearer " + client.get_client_access_token()},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["resource"]["id"])


def test_resources_clients_secrets_and_consents(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    res = client.resources
    resource_id = _new_resource(client, scalekit_emulator)
    _new_resource(client, scalekit_emulator, "WEB")
    resource = res.get_resource(resource_id)
    assert resource.name == "Todo MCP" and resource.resource_type == "MCP_SERVER"
    assert [r.id for r in res.list_resources("MCP_SERVER").resources] == [resource_id]
    assert [r.id for r in res.list_resources(5, page_size=1).resources] == [resource_id]
    assert len(list(res.iter_resources("WEB"))) == 1
    with pytest.raises(ScalekitError):
        res.list_resources("SPACESHIP")

    created = res.create_resource_client(
        resource_id,
        M2MClientSpec(name="agent", scopes=["todo:read"], redirect_uris=["http://127.0.0.1/cb"]),
    )
    machine = created.client
    assert machine.resource_id == resource_id and machine.redirect_uris == ("http://127.0.0.1/cb",)
    details = res.get_resource_client(resource_id, machine.client_id)
    assert details.client == machine and details.consented_users == ()
    listing = res.list_resource_clients(resource_id)
    assert [c.client_id for c in listing.clients] == [machine.client_id]
    assert listing.total_static_clients == 1

    changed = res.update_resource_client(
        resource_id, machine.client_id, description="reads todos", scopes=["todo:read", "x"]
    )
    assert changed.description == "reads todos" and changed.scopes == ("todo:read", "x")
    assert changed.name == "agent"

    secret = res.create_resource_client_secret(resource_id, machine.client_id)
    assert client.generate_client_token(machine.client_id, secret.plain_secret)
    res.delete_resource_client_secret(resource_id, machine.client_id, secret.secret.id)
    with pytest.raises(OAuthError):
        client.generate_client_token(machine.client_id, secret.plain_secret)

    consent_id = scalekit_emulator.grant_consent(machine.client_id, "user-7", ["todo:read"])
    scalekit_emulator.grant_consent(machine.client_id, "user-8", ["todo:read"])
    consents = res.list_user_consents(resource_id)
    assert {c.external_user_id for c in consents.consents} == {"user-7", "user-8"}
    only = res.list_user_consents(resource_id, user_ids=["user-7"]).consents
    assert [c.id for c in only] == [consent_id] and only[0].client_name == "agent"
    assert [
        c.external_user_id for c in res.list_user_consents(resource_id, search="R-8").consents
    ] == ["user-8"]
    who = res.get_resource_client(resource_id, machine.client_id).consented_users
    assert {u.external_user_id for u in who} == {"user-7", "user-8"}
    res.revoke_user_consent(machine.client_id, consent_id)
    assert len(res.list_user_consents(resource_id).consents) == 1
    with pytest.raises(NotFoundError):
        res.revoke_user_consent(machine.client_id, consent_id)

    res.delete_resource_client(resource_id, machine.client_id)
    with pytest.raises(NotFoundError):
        res.get_resource_client(resource_id, machine.client_id)
    with pytest.raises(NotFoundError):
        res.get_resource("res_missing")


@pytest.mark.anyio
async def test_resources_async(
    aclient: AsyncScalekitClient, client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    res = aclient.resources
    resource_id = _new_resource(client, scalekit_emulator)
    assert (await res.get_resource(resource_id)).id == resource_id
    assert len((await res.list_resources("MCP_SERVER")).resources) == 1
    assert [r.id async for r in res.iter_resources("MCP_SERVER")] == [resource_id]
    created = await res.create_resource_client(resource_id, {"name": "a"})
    client_id = created.client.client_id
    assert (await res.get_resource_client(resource_id, client_id)).client.name == "a"
    assert len((await res.list_resource_clients(resource_id)).clients) == 1
    assert (await res.update_resource_client(resource_id, client_id, name="b")).name == "b"
    secret = await res.create_resource_client_secret(resource_id, client_id)
    await res.delete_resource_client_secret(resource_id, client_id, secret.secret.id)
    consent = scalekit_emulator.grant_consent(client_id, "u1", ["s"])
    assert len((await res.list_user_consents(resource_id)).consents) == 1
    await res.revoke_user_consent(client_id, consent)
    await res.delete_resource_client(resource_id, client_id)
    assert (await res.list_resource_clients(resource_id)).clients == ()


# --- the official SDK's own protobuf messages are accepted as values -------------------------


@pytest.mark.official_sdk
def test_official_protobuf_messages(client: ScalekitClient) -> None:
    clients_pb2 = official("scalekit.v1.clients.clients_pb2")
    events_pb2 = official("scalekit.v1.events.events_pb2")
    message = clients_pb2.OrganizationClient(
        name="from-protobuf",
        scopes=["a:read"],
        custom_claims=[clients_pb2.CustomClaim(key="k", value="v")],
        expiry=900,
    )
    created = client.m2m_client.create_organization_client("org_acme", message)
    assert created.client.name == "from-protobuf" and created.client.scopes == ("a:read",)
    assert created.client.custom_claims == {"k": "v"} and created.client.expiry == 900
    update = clients_pb2.OrganizationClient(description="changed")
    changed = client.m2m_client.update_organization_client(
        "org_acme", created.client.client_id, update
    )
    assert changed.description == "changed" and changed.scopes == ("a:read",)
    event_filter = events_pb2.EventFilter(
        event_types=["organization.client.created"], organization_id="org_acme"
    )
    event_filter.start_time.FromDatetime(datetime.now(timezone.utc) - timedelta(minutes=5))
    page = client.events.list_events_paginated(filter=event_filter)
    assert [e.type for e in page.events] == ["organization.client.created"]
    assert client.events.list_events_paginated(filter=events_pb2.EventFilter()).events


def test_api_token_401_is_retried_with_a_fresh_management_token(
    client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    created = client.tokens.create_token("org_acme")
    unauthenticated = '{"code": 16, "message": "unauthenticated", "details": []}'
    scalekit_emulator.inject_fault("/api/v1/tokens:validate", status=401, body=unauthenticated)
    fetched = scalekit_emulator.token_calls("client_credentials")
    assert client.tokens.validate_token(created.token).token_id == created.token_id
    assert scalekit_emulator.token_calls("client_credentials") == fetched + 1
    scalekit_emulator.inject_fault(
        "/api/v1/tokens:validate", status=401, body=unauthenticated, count=2
    )
    with pytest.raises(InvalidApiTokenError) as caught:  # still 401 with a fresh token
        client.tokens.validate_token(created.token)
    assert caught.value.status_code == 401
