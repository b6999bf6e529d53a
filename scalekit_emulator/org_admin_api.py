"""Organization settings and policies, users by external id, memberships, invites, user roles."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from .access import (
    check_roles_exist,
    check_room_for_user,
    find_role,
    membership,
    permissions_for,
)
from .emulator import Emulator
from .errors import ApiError, invalid_argument, not_found
from .management import (
    _json_body,
    _metadata,
    _org,
    _roles,
    _string,
    _user,
    endpoint,
    update_user_record,
)
from .records import Membership, User
from .shapes import organization_json, rfc3339, role_ref, user_json
from .state import membership_key

FEATURES = ("sso", "dir_sync")
POLICY_SOURCES = ("APPLICATION", "CUSTOM")
TIME_UNITS = ("MINUTES", "HOURS", "DAYS")
INVITE_LIFETIME = 7 * 24 * 3600


# --- organization settings ------------------------------------------------------------------


async def update_settings(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "settings")
    features = data.get("features")
    if not isinstance(features, list) or not all(
        isinstance(f, dict) and f.get("name") in FEATURES and isinstance(f.get("enabled"), bool)
        for f in features
    ):
        raise invalid_argument(
            'settings.features must be a list of {"name": "sso"|"dir_sync", "enabled": bool}'
        )
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        changed = {**org.features, **{f["name"]: f["enabled"] for f in features}}
        org = dataclasses.replace(org, features=changed, update_time=emu.now())
        emu.state.organizations[org.id] = org
    return {"organization": organization_json(org)}


def _max_users(data: dict[str, Any]) -> int | None:
    value = data.get("max_allowed_users")
    if isinstance(value, dict):  # the Int32Value wrapper's object form
        value = value.get("value")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid_argument("settings.max_allowed_users must be a non-negative integer")
    return value


async def upsert_user_management(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "settings")
    limit = _max_users(data)
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        org = dataclasses.replace(org, max_allowed_users=limit, update_time=emu.now())
        emu.state.organizations[org.id] = org
    return {"settings": {} if limit is None else {"max_allowed_users": limit}}


def _policy_json(policy: dict[str, Any]) -> dict[str, Any]:
    return {"policy_source": "APPLICATION"} if not policy else dict(policy)


async def get_session_policy(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"policy": _policy_json(_org(emu, request.path_params["org_id"]).session_policy)}


def _choice(data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if value not in allowed:
        raise invalid_argument(f"{name} must be one of {', '.join(allowed)}")
    return str(value)


async def update_session_policy(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    source = _choice(data, "policy_source", POLICY_SOURCES)
    if source is None:
        raise invalid_argument("policy_source is required")
    policy: dict[str, Any] = {}
    if source == "CUSTOM":
        policy = {"policy_source": source}
        for name in ("absolute_session_timeout", "idle_session_timeout"):
            value = data.get(name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    raise invalid_argument(f"{name} must be a positive integer")
                policy[name] = value
        for name in ("absolute_session_timeout_unit", "idle_session_timeout_unit"):
            unit = _choice(data, name, TIME_UNITS)
            if unit is not None:
                policy[name] = unit
        enabled = data.get("idle_session_timeout_enabled")
        if enabled is not None:
            if not isinstance(enabled, bool):
                raise invalid_argument("idle_session_timeout_enabled must be a boolean")
            policy["idle_session_timeout_enabled"] = enabled
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        org = dataclasses.replace(org, session_policy=policy, update_time=emu.now())
        emu.state.organizations[org.id] = org
    return {"policy": _policy_json(policy)}


# --- users by external id -------------------------------------------------------------------


def _user_by_external_id(emu: Emulator, external_id: str) -> User:
    user = next((u for u in emu.state.users.values() if u.external_id == external_id), None)
    if user is None:
        raise not_found("user", external_id)
    return user


def _target_user(emu: Emulator, request: Request) -> User:
    params = request.path_params
    if "external_id" in params:
        return _user_by_external_id(emu, params["external_id"])
    return _user(emu, params["user_id"])


async def get_user_by_external_id(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        user = _user_by_external_id(emu, request.path_params["external_id"])
        return {"user": user_json(user, emu.state)}


async def update_user_by_external_id(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "user")
    with emu.lock:
        user = _user_by_external_id(emu, request.path_params["external_id"])
        return {"user": user_json(update_user_record(emu, user, data), emu.state)}


async def delete_user_by_external_id(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        emu.delete_user(_user_by_external_id(emu, request.path_params["external_id"]).id)
    return {}


# --- memberships ----------------------------------------------------------------------------


def _send_invite(request: Request) -> bool:
    return request.query_params.get("send_invitation_email", "").lower() in ("true", "1")


async def create_membership(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "membership")
    roles = _roles({"membership": data})
    metadata = _metadata(data) or {}
    inviter = _string(data, "inviter_email", max_len=254)
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        user = _target_user(emu, request)
        if membership(emu.state, user, org.id) is not None:
            raise ApiError(6, f"user {user.id} is already a member of {org.id}", "ALREADY_MEMBER")
        check_roles_exist(emu.state, org.id, roles)
        check_room_for_user(emu.state, org.id)
        record = Membership(
            org.id,
            user.id,
            roles,
            metadata,
            "PENDING_INVITE" if _send_invite(request) else "ACTIVE",
            emu.now(),
            inviter,
        )
        emu.state.memberships[membership_key(org.id, user.id)] = record
        return {"user": user_json(user, emu.state)}


async def update_membership(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "membership")
    metadata = _metadata(data)
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        user = _target_user(emu, request)
        roles = _roles({"membership": data}) if data.get("roles") is not None else None
        if roles is not None:
            check_roles_exist(emu.state, org.id, roles)
        if user.organization_id == org.id:
            if roles is not None:
                user = dataclasses.replace(user, roles=roles, update_time=emu.now())
                emu.state.users[user.id] = user
        else:
            key = membership_key(org.id, user.id)
            record = emu.state.memberships.get(key)
            if record is None:
                raise not_found("membership", f"{org.id}/{user.id}")
            record = dataclasses.replace(
                record,
                roles=roles if roles is not None else record.roles,
                metadata=metadata if metadata is not None else record.metadata,
            )
            emu.state.memberships[key] = record
        return {"user": user_json(user, emu.state)}


async def delete_membership(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        user = _target_user(emu, request)
        try:
            removed = emu.remove_membership(user.id, org.id)
        except ValueError as error:
            raise invalid_argument(str(error)) from None
        if not removed:
            raise not_found("membership", f"{org.id}/{user.id}")
    return {}


async def resend_invite(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        user = _user(emu, request.path_params["user_id"])
        key = membership_key(org.id, user.id)
        record = emu.state.memberships.get(key)
        if record is None or record.status != "PENDING_INVITE":
            raise invalid_argument(f"user {user.id} has no pending invitation to {org.id}")
        now = emu.now()
        record = dataclasses.replace(record, resent_count=record.resent_count + 1, resent_at=now)
        emu.state.memberships[key] = record
    return {
        "invite": {
            "organization_id": org.id,
            "user_id": user.id,
            "inviter_email": record.inviter_email or "",
            "status": "PENDING_INVITE",
            "created_at": rfc3339(record.create_time),
            "expires_at": rfc3339(now + INVITE_LIFETIME),
            "resent_at": rfc3339(now),
            "resent_count": record.resent_count,
        }
    }


def _member_view(emu: Emulator, request: Request) -> tuple[str, User, tuple[str, ...]]:
    org = _org(emu, request.path_params["org_id"])
    user = _user(emu, request.path_params["user_id"])
    view = membership(emu.state, user, org.id)
    if view is None:
        raise not_found("membership", f"{org.id}/{user.id}")
    return org.id, user, view.roles


async def list_user_roles(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org_id, _, roles = _member_view(emu, request)
        result = []
        for name in roles:
            role = find_role(emu.state, org_id, name)
            ref = role_ref(name)
            if role is not None:
                ref = {"id": role.id, "name": role.name, "display_name": role.display_name}
            result.append(ref)
    return {"roles": result}


async def list_user_permissions(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org_id, user, roles = _member_view(emu, request)
        names = permissions_for(emu.state, user, org_id, roles)
        return {"permissions": [_permission_ref(emu, n) for n in names]}


def _permission_ref(emu: Emulator, name: str) -> dict[str, Any]:
    record = emu.state.permissions.get(name)
    if record is None:
        return {"name": name}
    return {"id": record.id, "name": record.name, "description": record.description}


P = "/api/v1"
MEMBERSHIPS = P + "/memberships/organizations/{org_id}/users"
routes = [
    Route(P + "/organizations/{org_id}/settings", endpoint(update_settings), methods=["PATCH"]),
    Route(
        P + "/organizations/{org_id}/settings/usermanagement",
        endpoint(upsert_user_management),
        methods=["PATCH"],
    ),
    Route(
        P + "/organizations/{org_id}/session-policy",
        endpoint(get_session_policy),
        methods=["GET"],
    ),
    Route(
        P + "/organizations/{org_id}/session-policy",
        endpoint(update_session_policy),
        methods=["PATCH"],
    ),
    Route(
        P + "/organizations/{org_id}/users/{user_id}/roles",
        endpoint(list_user_roles),
        methods=["GET"],
    ),
    Route(
        P + "/organizations/{org_id}/users/{user_id}/permissions",
        endpoint(list_user_permissions),
        methods=["GET"],
    ),
    Route(P + "/users:external/{external_id}", endpoint(get_user_by_external_id), methods=["GET"]),
    Route(
        P + "/users:external/{external_id}",
        endpoint(update_user_by_external_id),
        methods=["PATCH"],
    ),
    Route(
        P + "/users:external/{external_id}",
        endpoint(delete_user_by_external_id),
        methods=["DELETE"],
    ),
    Route(MEMBERSHIPS + ":external/{external_id}", endpoint(create_membership), methods=["POST"]),
    Route(MEMBERSHIPS + ":external/{external_id}", endpoint(update_membership), methods=["PATCH"]),
    Route(MEMBERSHIPS + ":external/{external_id}", endpoint(delete_membership), methods=["DELETE"]),
    Route(MEMBERSHIPS + "/{user_id}", endpoint(create_membership), methods=["POST"]),
    Route(MEMBERSHIPS + "/{user_id}", endpoint(update_membership), methods=["PATCH"]),
    Route(MEMBERSHIPS + "/{user_id}", endpoint(delete_membership), methods=["DELETE"]),
    Route(
        P + "/invites/organizations/{org_id}/users/{user_id}/resend",
        endpoint(resend_invite),
        methods=["PATCH"],
    ),
]
