"""ApiTokenService: opaque API tokens of organizations and their users."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from .emulator import Emulator
from .errors import invalid_argument, not_found
from .events_api import record_event
from .management import _json_body, _org, _paginate, _string, endpoint
from .shapes import parse_rfc3339, rfc3339

TOKEN_PREFIX = "skat_"
MAX_CLAIMS = 50


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _claims(data: dict[str, Any]) -> dict[str, str] | None:
    value = data.get("custom_claims")
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or len(value) > MAX_CLAIMS
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        raise invalid_argument("custom_claims must be an object of strings")
    return dict(value)


def token_json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("token_hash", "invalidated", "expires_at")}


def find_token(emu: Emulator, token: str) -> dict[str, Any] | None:
    """The live row of a token or token id (``None``: unknown, invalidated or expired)."""
    key = token if token.startswith("apit_") else None
    if key is None:
        wanted = _hash(token)
        key = next((k for k, r in emu.state.api_tokens.items() if r["token_hash"] == wanted), None)
    row = emu.state.api_tokens.get(key or "")
    if row is None or row.get("invalidated"):
        return None
    expires_at = row.get("expires_at")
    if expires_at is not None and emu.now() >= expires_at:
        return None
    return row


def _live(emu: Emulator, data: dict[str, Any]) -> dict[str, Any]:
    token = _string(data, "token", max_len=512)
    if not token:
        raise invalid_argument("token is required")
    row = find_token(emu, token)
    if row is None:
        raise not_found("token", "(given)")
    return row


async def create_token(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "token")
    expiry = _string(data, "expiry")
    try:
        expires_at = parse_rfc3339(expiry) if expiry else None
    except ValueError:
        raise invalid_argument("expiry must be an RFC 3339 timestamp") from None
    with emu.lock:
        org = _org(emu, _string(data, "organization_id") or "")
        user_id = _string(data, "user_id") or ""
        user = emu.state.users.get(user_id) if user_id else None
        if user_id and (user is None or user.organization_id != org.id):
            raise not_found("user", user_id)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row: dict[str, Any] = {
            "token_id": "apit_" + secrets.token_hex(10),
            "organization_id": org.id,
            "organization_external_id": org.external_id or "",
            "user_id": user_id,
            "user_external_id": (user.external_id or "") if user else "",
            "email": user.email if user else "",
            "roles": list(user.roles) if user else [],
            "custom_claims": _claims(data) or {},
            "expiry": rfc3339(expires_at),
            "expires_at": expires_at,
            "created_at": rfc3339(emu.now()),
            "description": _string(data, "description") or "",
            "token_suffix": token[-4:],
            "token_hash": _hash(token),
        }
        emu.state.api_tokens[row["token_id"]] = row
        record_event(
            emu,
            "api_token.created",
            {"token_id": row["token_id"]},
            organization_id=org.id,
            object_type="ApiToken",
        )
    return {"token": token, "token_id": row["token_id"], "token_info": token_json(row)}


async def validate_token(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    with emu.lock:
        return {"token_info": token_json(_live(emu, data))}


async def invalidate_token(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    token = _string(data, "token", max_len=512)
    if not token:
        raise invalid_argument("token is required")
    with emu.lock:
        row = find_token(emu, token)
        if row is not None:  # idempotent: an unknown or revoked token is not an error
            emu.state.api_tokens[row["token_id"]] = {**row, "invalidated": True}
    return {}


async def update_token(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    with emu.lock:
        row = dict(_live(emu, data))
        claims = _claims(data)
        if claims is not None:
            row["custom_claims"] = claims
        description = _string(data, "description")
        if description is not None:
            row["description"] = description
        emu.state.api_tokens[row["token_id"]] = row
        return {"token_info": token_json(row)}


async def list_tokens(request: Request, emu: Emulator) -> Any:
    user_id = request.query_params.get("user_id") or ""
    with emu.lock:
        org = _org(emu, request.query_params.get("organization_id") or "")
        rows = [
            r
            for r in emu.state.api_tokens.values()
            if r["organization_id"] == org.id
            and not r.get("invalidated")
            and (not user_id or r["user_id"] == user_id)
        ]
    rows.sort(key=lambda r: (r["created_at"], r["token_id"]))
    page, meta = _paginate(request, rows)
    total = meta.pop("total_size")
    return {"tokens": [token_json(r) for r in page], "total_count": total, **meta}


P = "/api/v1"
routes = [
    Route(P + "/tokens", endpoint(create_token), methods=["POST"]),
    Route(P + "/tokens", endpoint(list_tokens), methods=["GET"]),
    Route(P + "/tokens:validate", endpoint(validate_token), methods=["POST"]),
    Route(P + "/tokens:invalidate", endpoint(invalidate_token), methods=["POST"]),
    Route(P + "/tokens:update", endpoint(update_token), methods=["POST"]),
]
