"""The management REST API under /api/v1, in Scalekit's gRPC-gateway JSON shapes."""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .access import check_roles_exist, check_room_for_user, default_member_role
from .emulator import Emulator
from .errors import ApiError, invalid_argument, not_found
from .records import Organization, User
from .shapes import organization_json, parse_rfc3339, rfc3339, session_json, user_json
from .state import membership_key

Handler = Callable[[Request, Emulator], Awaitable[Any]]
T = TypeVar("T")
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
SESSION_STATUSES = ("active", "expired", "revoked", "logout")
PORTAL_LINK_LIFETIME = 7 * 24 * 3600


def _authenticate(request: Request, emu: Emulator) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(16, "missing bearer token", "UNAUTHENTICATED")
    try:
        claims = emu.verify_token(token.strip())
    except jwt.InvalidTokenError as exc:
        raise ApiError(16, f"invalid token: {exc}", "UNAUTHENTICATED") from None
    # Only machine (client-credentials) tokens of our own client may call the API.
    if claims.get("sub") != emu.client_id or "sid" in claims:
        raise ApiError(7, "token is not a client-credentials token", "PERMISSION_DENIED")


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        emu: Emulator = request.app.state.emulator
        try:
            _authenticate(request, emu)
            body = await handler(request, emu)
        except ApiError as exc:
            return JSONResponse(exc.as_json(), status_code=exc.http_status)
        return JSONResponse(body)

    return run


async def _json_body(request: Request, wrapper: str | None = None) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_argument("request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise invalid_argument("request body must be a JSON object")
    # Accept both `{"organization": {...}}` and the bare fields.
    if wrapper and isinstance(data.get(wrapper), dict):
        inner: dict[str, Any] = data[wrapper]
        return inner
    return data


def _string(data: dict[str, Any], name: str, *, max_len: int = 256) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise invalid_argument(f"{name} must be a string of at most {max_len} characters")
    return value


def _metadata(data: dict[str, Any]) -> dict[str, str] | None:
    value = data.get("metadata")
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise invalid_argument("metadata must be an object of strings")
    return dict(value)


def _paginate(request: Request, items: Sequence[T]) -> tuple[list[T], dict[str, Any]]:
    size_text = request.query_params.get("page_size") or "0"
    token = request.query_params.get("page_token") or ""
    try:
        size = int(size_text)
    except ValueError:
        raise invalid_argument("page_size must be an integer") from None
    if size < 0:
        raise invalid_argument("page_size must not be negative")
    size = min(size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    offset = 0
    if token:
        try:
            offset = int(base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii"))
        except (ValueError, UnicodeError):
            raise invalid_argument("page_token is invalid") from None
        if offset < 0 or offset > len(items):
            raise invalid_argument("page_token is invalid")

    def encode(n: int) -> str:
        return base64.urlsafe_b64encode(str(n).encode("ascii")).decode("ascii")

    page = list(items[offset : offset + size])
    return page, {
        "next_page_token": encode(offset + size) if offset + size < len(items) else "",
        "prev_page_token": encode(max(0, offset - size)) if offset > 0 else "",
        "total_size": len(items),
    }


# --- organizations --------------------------------------------------------------------------


def _org(emu: Emulator, org_id: str) -> Organization:
    org = emu.state.organizations.get(org_id)
    if org is None:
        raise not_found("organization", org_id)
    return org


def _check_external_id_free(emu: Emulator, external_id: str | None, own_id: str | None) -> None:
    if external_id and any(
        o.external_id == external_id and o.id != own_id for o in emu.state.organizations.values()
    ):
        raise ApiError(
            6,
            f"organization with external_id {external_id} already exists",
            "ORGANIZATION_ALREADY_EXISTS",
        )


async def create_organization(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "organization")
    name = _string(data, "display_name", max_len=200)
    if not name or not name.strip():
        raise invalid_argument("display_name is required")
    external_id = _string(data, "external_id") or None
    with emu.lock:
        _check_external_id_free(emu, external_id, None)
        now = emu.now()
        org = Organization(
            id="org_" + str(secrets.randbelow(10**17) + 10**16),
            display_name=name,
            external_id=external_id,
            region_code=_string(data, "region_code") or "US",
            metadata=_metadata(data) or {},
            create_time=now,
            update_time=now,
        )
        emu.state.organizations[org.id] = org
    return {"organization": organization_json(org)}


async def list_organizations(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        orgs = sorted(emu.state.organizations.values(), key=lambda o: (o.create_time, o.id))
    page, meta = _paginate(request, orgs)
    return {"organizations": [organization_json(o) for o in page], **meta}


async def get_organization(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"organization": organization_json(_org(emu, request.path_params["org_id"]))}


async def get_organization_by_external_id(request: Request, emu: Emulator) -> Any:
    external_id = request.path_params["external_id"]
    with emu.lock:
        org = next(
            (o for o in emu.state.organizations.values() if o.external_id == external_id), None
        )
    if org is None:
        raise not_found("organization", external_id)
    return {"organization": organization_json(org)}


async def update_organization(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "organization")
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        changes: dict[str, Any] = {}
        name = _string(data, "display_name", max_len=200)
        if name is not None:
            if not name.strip():
                raise invalid_argument("display_name must not be empty")
            changes["display_name"] = name
        if "external_id" in data:
            external_id = _string(data, "external_id") or None
            _check_external_id_free(emu, external_id, org.id)
            changes["external_id"] = external_id
        region = _string(data, "region_code")
        if region:
            changes["region_code"] = region
        metadata = _metadata(data)
        if metadata is not None:
            changes["metadata"] = metadata
        org = dataclasses.replace(org, **changes, update_time=emu.now())
        emu.state.organizations[org.id] = org
    return {"organization": organization_json(org)}


async def delete_organization(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        del emu.state.organizations[org.id]
        state = emu.state
        tables: tuple[dict[str, Any], ...] = (
            state.connections, state.users, state.domains, state.directories,
            state.roles, state.memberships,
        )  # fmt: skip
        for table in tables:
            for key in [k for k, v in table.items() if v.organization_id == org.id]:
                del table[key]
        directories = set(state.directories)
        for dir_table in (state.directory_users, state.directory_groups):
            for key in [k for k, v in dir_table.items() if v.directory_id not in directories]:
                del dir_table[key]
    return {}


async def generate_portal_link(request: Request, emu: Emulator) -> Any:
    features = request.query_params.getlist("features")
    unknown = [f for f in features if f not in ("sso", "dir_sync")]
    if unknown:
        raise invalid_argument(f"unknown portal feature {unknown[0]!r}")
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        link_id = "lnk_" + secrets.token_hex(8)
        expire = emu.now() + PORTAL_LINK_LIFETIME
    return {
        "link": {
            "id": link_id,
            "location": f"{emu.issuer}/magicLink/{link_id}?organization_id={org.id}",
            "expire_time": rfc3339(expire),
        }
    }


# --- users ------------------------------------------------------------------------------------


def _user(emu: Emulator, user_id: str) -> User:
    user = emu.state.users.get(user_id)
    if user is None:
        raise not_found("user", user_id)
    return user


def _sorted_users(emu: Emulator, org_id: str | None = None) -> list[User]:
    users = [
        u
        for u in emu.state.users.values()
        if org_id is None
        or u.organization_id == org_id
        or membership_key(org_id, u.id) in emu.state.memberships
    ]
    return sorted(users, key=lambda u: (u.create_time, u.id))


def _profile_name(data: dict[str, Any], fallback: str) -> str:
    profile = data.get("user_profile")
    if not isinstance(profile, dict):
        return fallback
    name = _string(profile, "name")
    if name:
        return name
    first = _string(profile, "first_name") or ""
    last = _string(profile, "last_name") or ""
    return f"{first} {last}".strip() or fallback


async def list_users(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        page, meta = _paginate(request, _sorted_users(emu))
        return {"users": [user_json(u, emu.state) for u in page], **meta}


async def get_user(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"user": user_json(_user(emu, request.path_params["user_id"]), emu.state)}


async def update_user(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "user")
    with emu.lock:
        user = update_user_record(emu, _user(emu, request.path_params["user_id"]), data)
        return {"user": user_json(user, emu.state)}


def update_user_record(emu: Emulator, user: User, data: dict[str, Any]) -> User:
    """``user`` with the changes of an UpdateUser body, stored."""
    changes: dict[str, Any] = {"name": _profile_name(data, user.name)}
    if "external_id" in data:
        changes["external_id"] = _string(data, "external_id") or None
    metadata = _metadata(data)
    if metadata is not None:
        changes["metadata"] = metadata
    user = dataclasses.replace(user, **changes, update_time=emu.now())
    emu.state.users[user.id] = user
    return user


async def delete_user(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        user = _user(emu, request.path_params["user_id"])
        emu.delete_user(user.id)  # sends user.deleted
    return {}


async def list_organization_users(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        page, meta = _paginate(request, _sorted_users(emu, org.id))
        return {"users": [user_json(u, emu.state) for u in page], **meta}


def _roles(data: dict[str, Any], default: str = "member") -> tuple[str, ...]:
    membership = data.get("membership")
    if not isinstance(membership, dict) or membership.get("roles") is None:
        return (default,)
    roles = membership["roles"]
    names: list[str] = []
    if isinstance(roles, list):
        for role in roles:
            name = role.get("name") if isinstance(role, dict) else role
            if isinstance(name, str) and name:
                names.append(name)
    if not isinstance(roles, list) or len(names) != len(roles):
        raise invalid_argument("membership.roles must be a list of role names")
    return tuple(names)


async def create_organization_user(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "user")
    email = _string(data, "email", max_len=254)
    if not email:
        raise invalid_argument("email is required")
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        roles = _roles(data, default_member_role(emu.state, org.id))
        check_roles_exist(emu.state, org.id, roles)
        check_room_for_user(emu.state, org.id)
        if emu.state.user_by_email(email) is not None:
            raise ApiError(6, f"user with email {email} already exists", "USER_ALREADY_EXISTS")
        try:
            user = emu.find_or_create_user(email, org.id)
        except ValueError:
            raise invalid_argument("email is not a valid email address") from None
        user = dataclasses.replace(
            user,
            name=_profile_name(data, user.name),
            roles=roles,
            external_id=_string(data, "external_id") or None,
            metadata=_metadata(data) or {},
        )
        emu.state.users[user.id] = user
        return {"user": user_json(user, emu.state)}


# --- sessions ---------------------------------------------------------------------------------


async def get_session(request: Request, emu: Emulator) -> Any:
    session = emu.session(request.path_params["session_id"])
    if session is None:
        raise not_found("session", request.path_params["session_id"])
    return session


async def revoke_session(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        record = emu.revoke_session(request.path_params["session_id"])
        if record is None:
            raise not_found("session", request.path_params["session_id"])
        return {"revoked_session": session_json(record, emu.now())}


def _time_filter(request: Request, name: str) -> float | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError:
        raise invalid_argument(f"{name} must be an RFC 3339 timestamp") from None


async def list_user_sessions(request: Request, emu: Emulator) -> Any:
    statuses = {s.strip().lower() for s in request.query_params.getlist("filter.status") if s}
    unknown = statuses - set(SESSION_STATUSES)
    if unknown:
        raise invalid_argument(f"unknown session status {sorted(unknown)[0]!r}")
    start = _time_filter(request, "filter.start_time")
    end = _time_filter(request, "filter.end_time")
    with emu.lock:
        user = _user(emu, request.path_params["user_id"])
        now = emu.now()
        records = sorted(
            (
                s
                for s in emu.state.sessions.values()
                if s.user_id == user.id
                and (not statuses or s.effective_status(now) in statuses)
                and (start is None or s.created_at >= start)
                and (end is None or s.created_at <= end)
            ),
            key=lambda s: (-s.created_at, s.session_id),
        )
        page, meta = _paginate(request, records)
        return {"sessions": [session_json(s, now) for s in page], **meta}


async def revoke_user_sessions(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        user = _user(emu, request.path_params["user_id"])
        now = emu.now()
        revoked = []
        for record in list(emu.state.sessions.values()):
            if record.user_id == user.id and record.effective_status(now) == "active":
                updated = emu.revoke_session(record.session_id)
                assert updated is not None
                revoked.append(session_json(updated, now))
    return {"revoked_sessions": revoked, "total_revoked": len(revoked)}


async def unknown_route(request: Request, emu: Emulator) -> Any:
    raise ApiError(5, f"no such API endpoint: {request.method} {request.url.path}", "NOT_FOUND")


P = "/api/v1"
routes = [
    Route(f"{P}/organizations", endpoint(create_organization), methods=["POST"]),
    Route(f"{P}/organizations", endpoint(list_organizations), methods=["GET"]),
    Route(
        P + "/organizations:external/{external_id}",
        endpoint(get_organization_by_external_id),
        methods=["GET"],
    ),
    Route(P + "/organizations/{org_id}", endpoint(get_organization), methods=["GET"]),
    Route(P + "/organizations/{org_id}", endpoint(update_organization), methods=["PATCH"]),
    Route(P + "/organizations/{org_id}", endpoint(delete_organization), methods=["DELETE"]),
    Route(
        P + "/organizations/{org_id}/portal_links", endpoint(generate_portal_link), methods=["PUT"]
    ),
    Route(P + "/organizations/{org_id}/users", endpoint(list_organization_users), methods=["GET"]),
    Route(
        P + "/organizations/{org_id}/users", endpoint(create_organization_user), methods=["POST"]
    ),
    Route(f"{P}/users", endpoint(list_users), methods=["GET"]),
    Route(P + "/users/{user_id}", endpoint(get_user), methods=["GET"]),
    Route(P + "/users/{user_id}", endpoint(update_user), methods=["PATCH"]),
    Route(P + "/users/{user_id}", endpoint(delete_user), methods=["DELETE"]),
    Route(P + "/users/{user_id}/sessions", endpoint(list_user_sessions), methods=["GET"]),
    Route(P + "/users/{user_id}/sessions/revoke", endpoint(revoke_user_sessions), methods=["POST"]),
    Route(P + "/sessions/{session_id}", endpoint(get_session), methods=["GET"]),
    Route(P + "/sessions/{session_id}/revoke", endpoint(revoke_session), methods=["POST"]),
    Route(
        P + "/{rest:path}",
        endpoint(unknown_route),
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    ),
]
