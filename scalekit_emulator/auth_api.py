"""AuthService's login hand-off (custom login pages) and WebAuthnService's passkey list.

Registering a passkey needs a browser authenticator, so tests add credentials with
:func:`add_webauthn_credential` (``EmulatorHandle.add_webauthn_credential``).
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from .emulator import Emulator
from .errors import invalid_argument, not_found
from .events_api import record_event
from .management import _json_body, _string, _user, endpoint
from .shapes import rfc3339

USER_FIELDS = frozenset(
    {
        "sub",
        "email",
        "given_name",
        "family_name",
        "email_verified",
        "phone_number",
        "phone_number_verified",
        "name",
        "preferred_username",
        "picture",
        "gender",
        "locale",
        "groups",
        "custom_attributes",
        "organization_external_id",
        "roles",
        "organization_external_name",
        "login_failed",
    }
)


async def update_login_user_details(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "user")
    unknown = sorted(set(data) - USER_FIELDS)
    if unknown:
        raise invalid_argument(f"unknown user fields: {', '.join(unknown)}")
    if not data.get("login_failed") and not (_string(data, "email", max_len=254) or "").strip():
        raise invalid_argument("email is required (or login_failed)")
    connection_id = request.path_params["connection_id"]
    login_request_id = request.path_params["login_request_id"]
    with emu.lock:
        connection = emu.state.connections.get(connection_id)
        if connection is None:
            raise not_found("connection", connection_id)
        auth_request_id = "ar_" + secrets.token_hex(10)
        emu.state.login_requests[login_request_id] = {
            "login_request_id": login_request_id,
            "connection_id": connection.id,
            "auth_request_id": auth_request_id,
            "user": data,
            "updated_at": rfc3339(emu.now()),
        }
        record_event(
            emu,
            "user.login_details_received",
            {"connection_id": connection.id, "auth_request_id": auth_request_id},
            organization_id=connection.organization_id,
            object_type="AuthRequest",
        )
    return {"auth_request_id": auth_request_id}


def add_webauthn_credential(
    emu: Emulator, user_id: str, display_name: str = "Passkey"
) -> dict[str, Any]:
    """A registered passkey of ``user_id``, as a finished registration would leave it."""
    with emu.lock:
        now = rfc3339(emu.now())
        row: dict[str, Any] = {
            "id": "wac_" + secrets.token_hex(8),
            "user_id": user_id,
            "credential_id": base64.urlsafe_b64encode(secrets.token_bytes(16)).decode(),
            "attestation_type": "none",
            "authenticator": {"aaguid": "00000000-0000-0000-0000-000000000000", "name": ""},
            "transports": ["internal", "hybrid"],
            "authenticator_flags": {
                "user_present": True,
                "user_verified": True,
                "backup_eligible": True,
                "backup_state": True,
            },
            "created_at": now,
            "updated_at": now,
            "user_agent": {"raw": "scalekit-emulator", "browser": "", "os": ""},
            "client_info": {"ip": "127.0.0.1"},
            "display_name": display_name,
        }
        emu.state.webauthn_credentials[row["id"]] = row
        return row


async def list_credentials(request: Request, emu: Emulator) -> Any:
    user_id = request.query_params.get("user_id") or ""
    with emu.lock:
        user = _user(emu, user_id)
        rows = [r for r in emu.state.webauthn_credentials.values() if r["user_id"] == user.id]
    return {
        "credentials": rows,
        "all_accepted_credentials_options": {
            "rp_id": "localhost",
            "user_id": user.id,
            "all_accepted_credential_ids": [r["credential_id"] for r in rows],
        },
    }


def _credential(emu: Emulator, credential_id: str) -> dict[str, Any]:
    row = emu.state.webauthn_credentials.get(credential_id)
    if row is None:
        raise not_found("credential", credential_id)
    return row


async def update_credential(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    name = (_string(data, "display_name", max_len=100) or "").strip()
    if not name:
        raise invalid_argument("display_name is required")
    with emu.lock:
        row = _credential(emu, request.path_params["credential_id"])
        row = {**row, "display_name": name, "updated_at": rfc3339(emu.now())}
        emu.state.webauthn_credentials[row["id"]] = row
    return {"credential": row}


async def delete_credential(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        row = _credential(emu, request.path_params["credential_id"])
        del emu.state.webauthn_credentials[row["id"]]
    return {
        "success": True,
        "unknown_credential_options": {"rp_id": "localhost", "credential_id": row["credential_id"]},
    }


P = "/api/v1"
routes = [
    Route(
        P + "/connections/{connection_id}/auth-requests/{login_request_id}/user",
        endpoint(update_login_user_details),
        methods=["POST"],
    ),
    Route(P + "/webauthn/credentials", endpoint(list_credentials), methods=["GET"]),
    Route(
        P + "/webauthn/credentials/{credential_id}", endpoint(update_credential), methods=["PATCH"]
    ),
    Route(
        P + "/webauthn/credentials/{credential_id}",
        endpoint(delete_credential),
        methods=["DELETE"],
    ),
]
