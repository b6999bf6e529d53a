"""Code written in the official SDK's style runs on scalekit_core with only the imports changed.

Each test body reads like the official ``scalekit-sdk-python`` documentation: positional
``(env_url, client_id, client_secret)``, option objects filled attribute by attribute, dict
access on results, official keywords, official exception classes in ``except`` clauses. Only
the ``from scalekit_core import ...`` lines differ. Everything runs against the emulator over
real HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from scalekit_core import (
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    ScalekitBadRequestException,
    ScalekitClient,
    ScalekitException,
    ScalekitNotFoundException,
    ScalekitServerException,
    ScalekitValidateTokenFailureException,
    TokenValidationOptions,
    WebhookVerificationError,
)
from scalekit_core.management import EventFilter
from scalekit_core.management import M2MClientSpec as OrganizationClient
from scalekit_emulator import EmulatorHandle

REDIRECT = "http://127.0.0.1:5999/auth/callback"


@pytest.fixture
def scalekit_client(scalekit_emulator: EmulatorHandle) -> Iterator[ScalekitClient]:
    env_url = scalekit_emulator.url
    client = ScalekitClient(env_url, scalekit_emulator.client_id, scalekit_emulator.client_secret)
    yield client
    client.close()


def _code(emu: EmulatorHandle, url: str) -> str:
    query = parse_qs(urlsplit(emu.sign_in(url, email="bob@acme.test")).query)
    return query["code"][0]


def test_login_refresh_and_claims_read_as_dicts(
    scalekit_client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    options = AuthorizationUrlOptions()
    options.state = "state-123"
    options.scopes = ["openid", "profile", "email", "offline_access"]
    authorization_url = scalekit_client.get_authorization_url(
        redirect_uri=REDIRECT, options=options
    )
    code = _code(scalekit_emulator, authorization_url)

    auth_result = scalekit_client.authenticate_with_code(
        code=code, redirect_uri=REDIRECT, options=CodeAuthenticationOptions()
    )
    user = auth_result["user"]
    assert user["email"] == "bob@acme.test"
    assert auth_result["access_token"] and auth_result["id_token"]
    assert auth_result["organization_id"] == "org_acme"
    assert auth_result["connection_id"]
    assert isinstance(auth_result["expires_in"], int)
    assert auth_result.get("refresh_token")
    assert set(auth_result) == {
        "user",
        "id_token",
        "access_token",
        "refresh_token",
        "connection_id",
        "organization_id",
        "expires_in",
    }
    # The typed attributes stay: new code type-checks.
    assert auth_result.access_token == auth_result["access_token"]

    token_response = scalekit_client.refresh_access_token(auth_result["refresh_token"])
    new_access_token = token_response["access_token"]
    assert new_access_token and token_response["refresh_token"]

    options = TokenValidationOptions(audience=[scalekit_emulator.client_id])
    claims = scalekit_client.validate_access_token_and_get_claims(
        token=new_access_token, options=options, audience=None
    )
    assert claims["sub"] == user["id"]
    assert scalekit_client.validate_access_token(token=new_access_token) is True
    assert scalekit_client.validate_access_token("not-a-token") is False
    id_claims = scalekit_client.validate_token(auth_result["id_token"])
    assert id_claims["email"] == "bob@acme.test"


def test_client_token_is_a_string_and_scopes_are_checked(
    scalekit_client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    access_token = scalekit_client.get_client_access_token()
    assert isinstance(access_token, str) and access_token.count(".") == 2
    token = scalekit_client.generate_client_token(
        client_id=scalekit_emulator.client_id,
        client_secret=scalekit_emulator.client_secret,
        scopes=["read:orders"],
    )
    assert scalekit_client.verify_scopes(token, required_scopes=["read:orders"]) is True
    try:
        scalekit_client.verify_scopes(token, ["write:orders"])
    except ScalekitValidateTokenFailureException as error:
        assert "write:orders" in str(error)
    else:
        pytest.fail("a missing scope must raise")


def test_official_exceptions_catch_management_errors(scalekit_client: ScalekitClient) -> None:
    try:
        scalekit_client.organization.get_organization("org_does_not_exist")
    except ScalekitNotFoundException as error:
        assert error.http_status == 404
        assert error.grpc_status.name == "NOT_FOUND"
        assert error.error_code == "ORGANIZATION_NOT_FOUND"
        assert isinstance(error, ScalekitServerException)
        assert isinstance(error, ScalekitException)
    else:
        pytest.fail("a missing organization must raise")


def test_idp_initiated_login_claims_read_as_a_dict(
    scalekit_client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    idp_initiated_login_token = scalekit_emulator.emulator.idp_initiated_token(
        organization_id="org_acme",
        connection_id="conn_acme",
        login_hint="bob@acme.test",
        relay_state="/dashboard",
    )
    claims = scalekit_client.get_idp_initiated_login_claims(
        idp_initiated_login_token=idp_initiated_login_token
    )
    assert claims["connection_id"] == "conn_acme"
    assert claims["organization_id"] == "org_acme"
    assert claims["login_hint"] == "bob@acme.test"
    assert claims.get("relay_state") == "/dashboard"
    assert claims.relay_state == "/dashboard"
    try:
        scalekit_client.get_idp_initiated_login_claims(idp_initiated_login_token + "x")
    except ScalekitValidateTokenFailureException:
        pass
    else:
        pytest.fail("a tampered login token must raise")


def _signed(secret: str, prefix: str, body: str) -> dict[str, str]:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    message_id, timestamp = "msg_" + secrets.token_hex(4), str(int(time.time()))
    digest = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256)
    return {
        f"{prefix}-id": message_id,
        f"{prefix}-timestamp": timestamp,
        f"{prefix}-signature": "v1," + base64.b64encode(digest.digest()).decode(),
    }


def test_webhook_and_interceptor_payloads(scalekit_client: ScalekitClient) -> None:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    payload = '{"type": "organization.created"}'
    headers = _signed(secret, "webhook", payload)
    assert scalekit_client.verify_webhook_payload(secret=secret, headers=headers, payload=payload)
    interceptor_headers = _signed(secret, "interceptor", payload)
    assert scalekit_client.verify_interceptor_payload(
        secret=secret, headers=interceptor_headers, payload=payload.encode()
    )
    # The interceptor check also takes the webhook-* names, as the official SDK does.
    assert scalekit_client.verify_interceptor_payload(secret, headers, payload)
    try:
        scalekit_client.verify_interceptor_payload(secret, interceptor_headers, payload + " ")
    except WebhookVerificationError:
        pass
    else:
        pytest.fail("a changed payload must raise")


def test_official_constructor_keywords(scalekit_emulator: EmulatorHandle) -> None:
    client = ScalekitClient(
        scalekit_emulator.url,
        scalekit_emulator.client_id,
        scalekit_emulator.client_secret,
        keepalive_time_ms=60000,
        keepalive_timeout_ms=10000,
        call_timeout_s=7,
        tool_call_timeout_s=60,
    )
    try:
        assert client.config.read_timeout == 7.0
        assert isinstance(client.get_client_access_token(), str)
    finally:
        client.close()


def test_machine_clients_tokens_passwordless_and_events(
    scalekit_client: ScalekitClient, scalekit_emulator: EmulatorHandle
) -> None:
    # The official SDK answers `(response, call)`: here `response = ...` (see the guide).
    response = scalekit_client.m2m_client.create_organization_client(
        organization_id="org_acme",
        m2m_client=OrganizationClient(name="reports", scopes=["read:reports"]),
    )
    client_id = response.client.client_id
    plain_secret = response.plain_secret
    token = scalekit_client.generate_client_token(client_id, plain_secret)
    claims = scalekit_client.validate_token(token, audience=scalekit_emulator.client_id)
    assert claims["oid"] == "org_acme"

    created = scalekit_client.tokens.create_token(
        organization_id="org_acme", custom_claims={"plan": "pro"}, description="reports key"
    )
    validated = scalekit_client.tokens.validate_token(token=created.token)
    assert validated.organization_id == "org_acme"
    assert validated.custom_claims["plan"] == "pro"
    scalekit_client.tokens.invalidate_token(token=created.token)
    try:
        scalekit_client.tokens.validate_token(created.token)
    except ScalekitValidateTokenFailureException:
        pass
    else:
        pytest.fail("an invalidated token must raise")

    sent = scalekit_client.passwordless.send_passwordless_email(
        email="bob@acme.test", template="SIGNIN", expires_in=300
    )
    try:
        scalekit_client.passwordless.verify_passwordless_email(
            code="not-it", auth_request_id=sent.auth_request_id
        )
    except ScalekitBadRequestException:
        pass
    else:
        pytest.fail("a wrong code must raise")
    code = scalekit_emulator.mail("bob@acme.test")[0]["code"]
    verified = scalekit_client.passwordless.verify_passwordless_email(
        code=code, auth_request_id=sent.auth_request_id
    )
    assert verified.email == "bob@acme.test"

    events = scalekit_client.events.list_events_paginated(
        page_size=10, filter=EventFilter(event_types=["api_token.created"])
    )
    assert [event.type for event in events.events] == ["api_token.created"]
