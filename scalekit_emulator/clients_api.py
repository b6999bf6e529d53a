"""ClientService: organizations' machine clients and their secrets, resources, resource
clients and user consents; and the client-credentials tokens of machine clients."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from .emulator import Emulator
from .errors import OAuthError, invalid_argument, not_found
from .events_api import record_event
from .management import _json_body, _org, _paginate, _string, endpoint
from .records import TokenResponse
from .shapes import rfc3339

RESOURCE_TYPES = ("RESOURCE_TYPE_UNSPECIFIED", "WEB", "MOBILE", "DESKTOP", "SERVER", "MCP_SERVER")
MAX_ITEMS = 100


def _strings(data: dict[str, Any], name: str) -> list[str] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise invalid_argument(f"{name} must be a list of at most {MAX_ITEMS} strings")
    if not all(isinstance(v, str) and 0 < len(v) <= 512 for v in value):
        raise invalid_argument(f"{name} must be a list of non-empty strings")
    return list(value)


def _claims(data: dict[str, Any]) -> list[dict[str, str]] | None:
    value = data.get("custom_claims")
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise invalid_argument("custom_claims must be a list of {key, value}")
    claims = []
    for item in value:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("key"), str)
            and item["key"]
            and isinstance(item.get("value"), str)
        ):
            raise invalid_argument("custom_claims must be a list of {key, value} strings")
        claims.append({"key": item["key"], "value": item["value"]})
    return claims


def _expiry(data: dict[str, Any]) -> int | None:
    value = data.get("expiry")
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**9:
        raise invalid_argument("expiry must be a number of seconds")
    return value


def _client_fields(data: dict[str, Any], *, resource: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("name", "description"):
        text = _string(data, name)
        if text is not None:
            fields[name] = text
    for name in ("scopes", "audience", *(("redirect_uris",) if resource else ())):
        items = _strings(data, name)
        if items is not None:
            fields[name] = items
    claims = _claims(data)
    if claims is not None:
        fields["custom_claims"] = claims
    expiry = _expiry(data)
    if expiry is not None:
        fields["expiry"] = expiry
    return fields


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(emu: Emulator) -> tuple[dict[str, Any], str]:
    plain = "sks_" + secrets.token_urlsafe(32)
    now = rfc3339(emu.now())
    row = {
        "id": "sec_" + secrets.token_hex(8),
        "create_time": now,
        "update_time": now,
        "secret_suffix": plain[-4:],
        "created_by": "emulator",
        "status": "ACTIVE",
        "secret_hash": _hash(plain),
    }
    return row, plain


def client_json(row: dict[str, Any]) -> dict[str, Any]:
    """A stored client as the API shows it: secrets by suffix, never their hash."""
    shown = {k: v for k, v in row.items() if k != "secrets"}
    shown["secrets"] = [
        {k: v for k, v in s.items() if k != "secret_hash"} for s in row.get("secrets", [])
    ]
    return shown


def _new_client(emu: Emulator, fields: dict[str, Any], **owner: str) -> tuple[dict[str, Any], str]:
    if not fields.get("name", "").strip():
        raise invalid_argument("name is required")
    secret, plain = _new_secret(emu)
    now = rfc3339(emu.now())
    row: dict[str, Any] = {
        "client_id": "m2m_" + secrets.token_hex(10),
        "name": "",
        "description": "",
        "scopes": [],
        "audience": [],
        "custom_claims": [],
        "expiry": 3600,
        "redirect_uris": [],
        **owner,
        **fields,
        "create_time": now,
        "update_time": now,
        "secrets": [secret],
    }
    emu.state.m2m_clients[row["client_id"]] = row
    return row, plain


def _client(emu: Emulator, client_id: str, **owner: str) -> dict[str, Any]:
    row = emu.state.m2m_clients.get(client_id)
    if row is None or any(row.get(k) != v for k, v in owner.items()):
        raise not_found("client", client_id)
    return row


def _update(emu: Emulator, row: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    updated = {**row, **fields, "update_time": rfc3339(emu.now())}
    emu.state.m2m_clients[row["client_id"]] = updated
    return updated


# --- organization clients -----------------------------------------------------------------


async def create_organization_client(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "client")
    fields = _client_fields(data, resource=False)
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        row, plain = _new_client(emu, fields, organization_id=org.id)
        record_event(
            emu,
            "organization.client.created",
            {"client_id": row["client_id"]},
            organization_id=org.id,
            object_type="OrganizationClient",
        )
        return {"client": client_json(row), "plain_secret": plain}


async def get_organization_client(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        return {
            "client": client_json(
                _client(emu, request.path_params["client_id"], organization_id=org.id)
            )
        }


async def update_organization_client(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "client")
    fields = _client_fields(data, resource=False)
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        row = _client(emu, request.path_params["client_id"], organization_id=org.id)
        return {"client": client_json(_update(emu, row, fields))}


async def delete_organization_client(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        row = _client(emu, request.path_params["client_id"], organization_id=org.id)
        del emu.state.m2m_clients[row["client_id"]]
    return {}


async def list_organization_clients(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        rows = sorted(
            (r for r in emu.state.m2m_clients.values() if r.get("organization_id") == org.id),
            key=lambda r: (r["create_time"], r["client_id"]),
        )
    page, meta = _paginate(request, rows)
    return {"clients": [client_json(r) for r in page], **meta}


def _add_secret(emu: Emulator, row: dict[str, Any]) -> dict[str, Any]:
    secret, plain = _new_secret(emu)
    _update(emu, row, {"secrets": [*row.get("secrets", []), secret]})
    shown = {k: v for k, v in secret.items() if k != "secret_hash"}
    return {"plain_secret": plain, "secret": shown}


def _remove_secret(emu: Emulator, row: dict[str, Any], secret_id: str) -> dict[str, Any]:
    kept = [s for s in row.get("secrets", []) if s["id"] != secret_id]
    if len(kept) == len(row.get("secrets", [])):
        raise not_found("secret", secret_id)
    _update(emu, row, {"secrets": kept})
    return {}


async def add_organization_client_secret(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        row = _client(emu, request.path_params["client_id"], organization_id=org.id)
        return _add_secret(emu, row)


async def remove_organization_client_secret(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        row = _client(emu, request.path_params["client_id"], organization_id=org.id)
        return _remove_secret(emu, row, request.path_params["secret_id"])


# --- resources and their clients ----------------------------------------------------------


def _resource_type(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(RESOURCE_TYPES):
        return RESOURCE_TYPES[value]
    if isinstance(value, str) and value.isdigit() and int(value) < len(RESOURCE_TYPES):
        return RESOURCE_TYPES[int(value)]
    if isinstance(value, str) and value.upper() in RESOURCE_TYPES:
        return value.upper()
    raise invalid_argument(f"resource_type must be one of {', '.join(RESOURCE_TYPES)}")


def _resource(emu: Emulator, resource_id: str) -> dict[str, Any]:
    row = emu.state.resources.get(resource_id)
    if row is None:
        raise not_found("resource", resource_id)
    return row


async def create_resource(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "resource")
    name = _string(data, "name")
    if not name or not name.strip():
        raise invalid_argument("name is required")
    with emu.lock:
        now = rfc3339(emu.now())
        resource_id = "res_" + secrets.token_hex(8)
        row = {
            "id": resource_id,
            "resource_id": resource_id,
            "name": name,
            "description": _string(data, "description") or "",
            "resource_uri": _string(data, "resource_uri", max_len=2048) or "",
            "resource_type": _resource_type(data.get("resource_type", "WEB")),
            "access_token_expiry": 3600,
            "refresh_token_expiry": 86400,
            "disable_dynamic_client_registration": False,
            "create_time": now,
            "update_time": now,
            "scopes": [],
        }
        emu.state.resources[resource_id] = row
        return {"resource": row}


async def get_resource(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"resource": _resource(emu, request.path_params["resource_id"])}


async def list_resources(request: Request, emu: Emulator) -> Any:
    wanted = _resource_type(request.query_params.get("resource_type") or "")
    with emu.lock:
        rows = sorted(
            (r for r in emu.state.resources.values() if r["resource_type"] == wanted),
            key=lambda r: (r["create_time"], r["id"]),
        )
    page, meta = _paginate(request, rows)
    return {"resources": page, **meta}


async def create_resource_client(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "client")
    fields = _client_fields(data, resource=True)
    with emu.lock:
        resource = _resource(emu, request.path_params["resource_id"])
        row, plain = _new_client(emu, fields, resource_id=resource["id"])
        return {"client": client_json(row), "plain_secret": plain}


def _resource_client(request: Request, emu: Emulator) -> dict[str, Any]:
    resource = _resource(emu, request.path_params["resource_id"])
    return _client(emu, request.path_params["client_id"], resource_id=resource["id"])


async def get_resource_client(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        row = _resource_client(request, emu)
        consented = [
            {
                "consent_id": c["id"],
                "external_user_id": c["external_user_id"],
                "scopes": c["scopes"],
            }
            for c in row.get("consents", [])
        ]
        return {"client": client_json(row), "consented_users": consented}


async def list_resource_clients(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        resource = _resource(emu, request.path_params["resource_id"])
        rows = [r for r in emu.state.m2m_clients.values() if r.get("resource_id") == resource["id"]]
    rows.sort(key=lambda r: (r["create_time"], r["client_id"]))
    return {
        "clients": [client_json(r) for r in rows],
        "total_dcr_clients": 0,
        "total_static_clients": len(rows),
    }


async def update_resource_client(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "client")
    fields = _client_fields(data, resource=True)
    mask = request.query_params.get("update_mask")
    if mask:
        allowed = {p.strip() for p in mask.split(",") if p.strip()}
        fields = {k: v for k, v in fields.items() if k in allowed}
    with emu.lock:
        row = _resource_client(request, emu)
        return {"client": client_json(_update(emu, row, fields))}


async def delete_resource_client(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        row = _resource_client(request, emu)
        del emu.state.m2m_clients[row["client_id"]]
    return {}


async def create_client_secret(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return _add_secret(emu, _client(emu, request.path_params["client_id"]))


async def delete_client_secret(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        row = _client(emu, request.path_params["client_id"])
        return _remove_secret(emu, row, request.path_params["secret_id"])


async def list_user_consents(request: Request, emu: Emulator) -> Any:
    resource_id = request.query_params.get("resource_id") or ""
    search = (request.query_params.get("search") or "").lower()
    users = set(request.query_params.getlist("filter.external_user_id"))
    with emu.lock:
        _resource(emu, resource_id)
        consents = [
            {
                "id": c["id"],
                "external_user_id": c["external_user_id"],
                "client_id": row["client_id"],
                "client_name": row["name"],
                "scopes": c["scopes"],
                "granted_at": c["granted_at"],
            }
            for row in emu.state.m2m_clients.values()
            if row.get("resource_id") == resource_id
            for c in row.get("consents", [])
            if (not users or c["external_user_id"] in users)
            and (not search or search in c["external_user_id"].lower())
        ]
    page, meta = _paginate(request, consents)
    return {"consents": page, **meta}


async def revoke_user_consent(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        row = _client(emu, request.path_params["client_id"])
        kept = [c for c in row.get("consents", []) if c["id"] != request.path_params["consent_id"]]
        if len(kept) == len(row.get("consents", [])):
            raise not_found("consent", request.path_params["consent_id"])
        _update(emu, row, {"consents": kept})
    return {}


def grant_consent(emu: Emulator, client_id: str, external_user_id: str, scopes: list[str]) -> str:
    """Record that ``external_user_id`` consented to ``client_id`` (an OAuth consent screen's
    outcome; tests call it through the handle). Returns the consent id."""
    with emu.lock:
        row = _client(emu, client_id)
        consent = {
            "id": "cns_" + secrets.token_hex(8),
            "external_user_id": external_user_id,
            "scopes": list(scopes),
            "granted_at": rfc3339(emu.now()),
        }
        _update(emu, row, {"consents": [*row.get("consents", []), consent]})
        return str(consent["id"])


# --- client-credentials tokens of machine clients -------------------------------------------


def machine_token(
    emu: Emulator, client_id: str | None, client_secret: str | None, scope: str | None
) -> TokenResponse | None:
    """The token of a machine client (``None`` when ``client_id`` names none: the caller then
    authenticates the environment's own client). Carries the organization, scopes (the
    requested ones, each of which the client must hold) and custom claims."""
    with emu.lock:
        row = emu.state.m2m_clients.get(client_id or "")
        if row is None:
            return None
        given = _hash(client_secret or "")
        if not client_secret or not any(
            hmac.compare_digest(given, s["secret_hash"]) for s in row.get("secrets", [])
        ):
            raise OAuthError("invalid_client", "client authentication failed", 401)
        allowed = list(row.get("scopes", []))
        asked = scope.split() if scope else allowed
        if not set(asked) <= set(allowed):
            raise OAuthError("invalid_scope", "the client may not ask for these scopes")
        now = emu.now()
        lifetime = int(row.get("expiry") or emu.lifetimes.client_credentials)
        claims: dict[str, Any] = {
            **{c["key"]: c["value"] for c in row.get("custom_claims", [])},
            "iss": emu.issuer,
            "sub": row["client_id"],
            "aud": list(row.get("audience") or [emu.client_id]),
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now) + lifetime,
            "jti": "tkn_" + secrets.token_hex(12),
            "client_id": row["client_id"],
            "scopes": asked,
        }
        if row.get("organization_id"):
            claims["oid"] = row["organization_id"]
        return TokenResponse(access_token=emu.keys.current.sign(claims), expires_in=lifetime)


P = "/api/v1"
ORG_CLIENT = P + "/organizations/{org_id}/clients/{client_id}"
RESOURCE_CLIENT = P + "/resources/{resource_id}/clients/{client_id}"
routes = [
    Route(
        P + "/organizations/{org_id}/clients",
        endpoint(create_organization_client),
        methods=["POST"],
    ),
    Route(
        P + "/organizations/{org_id}/clients", endpoint(list_organization_clients), methods=["GET"]
    ),
    Route(ORG_CLIENT, endpoint(get_organization_client), methods=["GET"]),
    Route(ORG_CLIENT, endpoint(update_organization_client), methods=["PATCH"]),
    Route(ORG_CLIENT, endpoint(delete_organization_client), methods=["DELETE"]),
    Route(ORG_CLIENT + "/secrets", endpoint(add_organization_client_secret), methods=["POST"]),
    Route(
        ORG_CLIENT + "/secrets/{secret_id}",
        endpoint(remove_organization_client_secret),
        methods=["DELETE"],
    ),
    Route(P + "/resources", endpoint(create_resource), methods=["POST"]),
    Route(P + "/resources", endpoint(list_resources), methods=["GET"]),
    Route(P + "/resources/{resource_id}", endpoint(get_resource), methods=["GET"]),
    Route(
        P + "/resources/{resource_id}/clients", endpoint(create_resource_client), methods=["POST"]
    ),
    Route(P + "/resources/{resource_id}/clients", endpoint(list_resource_clients), methods=["GET"]),
    Route(RESOURCE_CLIENT, endpoint(get_resource_client), methods=["GET"]),
    Route(RESOURCE_CLIENT, endpoint(update_resource_client), methods=["PATCH"]),
    Route(RESOURCE_CLIENT, endpoint(delete_resource_client), methods=["DELETE"]),
    Route(P + "/clients/{client_id}/secrets", endpoint(create_client_secret), methods=["POST"]),
    Route(
        P + "/clients/{client_id}/secrets/{secret_id}",
        endpoint(delete_client_secret),
        methods=["DELETE"],
    ),
    Route(P + "/user_consents", endpoint(list_user_consents), methods=["GET"]),
    Route(
        P + "/clients/{client_id}/consents/{consent_id}",
        endpoint(revoke_user_consent),
        methods=["DELETE"],
    ),
]
