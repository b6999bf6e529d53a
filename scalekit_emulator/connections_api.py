"""SSO connections: an organization's, the environment's, and app connections."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from .emulator import Emulator
from .errors import invalid_argument, not_found
from .management import _json_body, _org, _paginate, _string, endpoint
from .records import Connection
from .shapes import rfc3339

PROVIDERS = (
    "OKTA", "GOOGLE", "MICROSOFT_AD", "AUTH0", "ONELOGIN", "PING_IDENTITY", "JUMPCLOUD",
    "CUSTOM", "GITHUB", "GITLAB", "LINKEDIN", "SALESFORCE", "MICROSOFT", "IDP_SIMULATOR",
    "SCALEKIT", "ADFS",
)  # fmt: skip
TYPES = ("OIDC", "SAML", "PASSWORD", "OAUTH", "PASSWORDLESS")
# Settings an update may change, kept as sent (the emulator does not run these protocols).
SETTINGS = (
    "debug_enabled", "ui_button_title", "configuration_type", "attribute_mapping",
    "oidc_config", "saml_config", "oauth_config", "passwordless_config", "static_config",
    "webauthn_config",
)  # fmt: skip


def connection_json(emu: Emulator, conn: Connection, *, listing: bool = False) -> dict[str, Any]:
    org = emu.state.organizations.get(conn.organization_id)
    body: dict[str, Any] = {
        "id": conn.id,
        "provider": conn.provider,
        "type": conn.type,
        "status": conn.status,
        "enabled": conn.enabled,
        "organization_id": conn.organization_id,
        "ui_button_title": conn.settings.get("ui_button_title", f"Sign in with {conn.provider}"),
        "key_id": conn.key_id or "",
        "provider_key": conn.provider_key or "",
        "auth_mode": "USER",
    }
    if listing:
        body["domains"] = list(conn.domains)
        body["organization_name"] = org.display_name if org else ""
        body["created_at"] = rfc3339(conn.create_time)
        return body
    body["domains"] = [{"domain": d, "organization_id": conn.organization_id} for d in conn.domains]
    body["create_time"] = rfc3339(conn.create_time)
    body["update_time"] = rfc3339(conn.update_time)
    body["test_connection_uri"] = f"{emu.issuer}/connections/{conn.id}/test"
    body.update({k: v for k, v in conn.settings.items() if k != "ui_button_title"})
    body.setdefault("debug_enabled", False)
    return body


def _choice(data: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = data.get(name, default)
    if value not in allowed:
        raise invalid_argument(f"{name} must be one of {', '.join(allowed)}")
    return str(value)


def _new_connection(emu: Emulator, data: dict[str, Any], organization_id: str) -> Connection:
    now = emu.now()
    return Connection(
        id="conn_" + str(secrets.randbelow(10**17) + 10**16),
        organization_id=organization_id,
        provider=_choice(data, "provider", PROVIDERS, ""),
        domains=(),
        type=_choice(data, "type", TYPES, "OIDC"),
        enabled=False,  # like Scalekit: a new connection is configured, then enabled
        status="DRAFT",
        key_id=_string(data, "key_id") or None,
        provider_key=_string(data, "provider_key") or None,
        create_time=now,
        update_time=now,
    )


def _org_connection(emu: Emulator, request: Request) -> Connection:
    org = _org(emu, request.path_params["org_id"])
    conn = emu.state.connections.get(request.path_params["conn_id"])
    if conn is None or conn.organization_id != org.id:
        raise not_found("connection", request.path_params["conn_id"])
    return conn


def _env_connection(emu: Emulator, connection_id: str) -> Connection:
    conn = emu.state.connections.get(connection_id)
    if conn is None or conn.organization_id:
        raise not_found("connection", connection_id)
    return conn


async def create_connection(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "connection")
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        conn = _new_connection(emu, data, org.id)
        emu.state.connections[conn.id] = conn
        return {"connection": connection_json(emu, conn)}


async def create_environment_connection(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "connection")
    is_app = request.query_params.get("flags.is_app", "").lower() == "true"
    with emu.lock:
        conn = dataclasses.replace(_new_connection(emu, data, ""), is_app=is_app)
        emu.state.connections[conn.id] = conn
        return {"connection": connection_json(emu, conn)}


async def get_connection(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"connection": connection_json(emu, _org_connection(emu, request))}


async def get_environment_connection(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        conn = _env_connection(emu, request.path_params["conn_id"])
        return {"connection": connection_json(emu, conn)}


async def update_environment_connection(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "connection")
    with emu.lock:
        conn = _env_connection(emu, request.path_params["conn_id"])
        settings = {**conn.settings, **{k: data[k] for k in SETTINGS if k in data}}
        conn = dataclasses.replace(
            conn,
            provider=_choice(data, "provider", PROVIDERS, conn.provider),
            type=_choice(data, "type", TYPES, conn.type),
            key_id=_string(data, "key_id") or conn.key_id,
            provider_key=_string(data, "provider_key") or conn.provider_key,
            settings=settings,
            status="COMPLETED",
            update_time=emu.now(),
        )
        emu.state.connections[conn.id] = conn
        return {"connection": connection_json(emu, conn)}


async def list_connections(request: Request, emu: Emulator) -> Any:
    """By ``organization_id`` or ``domain``; only enabled ones unless ``include=all``."""
    query = request.query_params
    everything = query.get("include", "").lower() == "all"
    org_id, domain = query.get("organization_id"), (query.get("domain") or "").strip().lower()
    if not org_id and not domain:
        raise invalid_argument("organization_id or domain is required")
    with emu.lock:
        if org_id:
            _org(emu, org_id)
        orgs_of_domain = {
            d.organization_id
            for d in emu.state.domains.values()
            if d.domain == domain and d.verification_status == "VERIFIED"
        }
        found = [
            c
            for c in emu.state.connections.values()
            if c.organization_id
            and (everything or c.enabled)
            and (
                c.organization_id == org_id
                if org_id
                else domain in c.domains or c.organization_id in orgs_of_domain
            )
        ]
        found.sort(key=lambda c: (c.create_time, c.id))
        return {"connections": [connection_json(emu, c, listing=True) for c in found]}


async def list_app_connections(request: Request, emu: Emulator) -> Any:
    provider = request.query_params.get("provider")
    text = (request.query_params.get("query") or "").strip().lower()
    if text and not 3 <= len(text) <= 100:
        raise invalid_argument("query must be 3 to 100 characters")
    with emu.lock:
        found = sorted(
            (
                c
                for c in emu.state.connections.values()
                if c.is_app
                and (not provider or c.provider == provider.upper())
                and (not text or text in (c.key_id or "").lower() or text in c.provider.lower())
            ),
            key=lambda c: (c.create_time, c.id),
        )
        page, meta = _paginate(request, found)
        return {"connections": [connection_json(emu, c, listing=True) for c in page], **meta}


def _toggle(enable: bool) -> Any:
    async def toggle(request: Request, emu: Emulator) -> Any:
        with emu.lock:
            conn = _org_connection(emu, request)
            conn = dataclasses.replace(conn, enabled=enable, update_time=emu.now())
            emu.state.connections[conn.id] = conn
        return {"enabled": enable, "error_message": ""}

    return toggle


async def delete_connection(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        del emu.state.connections[_org_connection(emu, request).id]
    return {}


P = "/api/v1"
ORG_CONN = P + "/organizations/{org_id}/connections"
routes = [
    Route(P + "/connections", endpoint(create_environment_connection), methods=["POST"]),
    Route(P + "/connections", endpoint(list_connections), methods=["GET"]),
    Route(P + "/connections/app", endpoint(list_app_connections), methods=["GET"]),
    Route(P + "/connections/{conn_id}", endpoint(get_environment_connection), methods=["GET"]),
    Route(P + "/connections/{conn_id}", endpoint(update_environment_connection), methods=["PATCH"]),
    Route(ORG_CONN, endpoint(create_connection), methods=["POST"]),
    Route(ORG_CONN + "/{conn_id}:enable", endpoint(_toggle(True)), methods=["PATCH"]),
    Route(ORG_CONN + "/{conn_id}:disable", endpoint(_toggle(False)), methods=["PATCH"]),
    Route(ORG_CONN + "/{conn_id}", endpoint(get_connection), methods=["GET"]),
    Route(ORG_CONN + "/{conn_id}", endpoint(delete_connection), methods=["DELETE"]),
]
