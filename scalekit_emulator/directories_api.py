"""An organization's directories (SCIM) with the users and groups they provisioned."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from .emulator import Emulator
from .errors import invalid_argument, not_found
from .management import _json_body, _org, _paginate, _time_filter, endpoint
from .records import Directory, DirectoryGroup, DirectoryUser
from .shapes import rfc3339

DIRECTORY_TYPES = ("SCIM", "LDAP", "POLL")
DIRECTORY_PROVIDERS = (
    "OKTA", "GOOGLE", "MICROSOFT_AD", "AUTH0", "ONELOGIN", "JUMPCLOUD", "PING_IDENTITY",
)  # fmt: skip


def _members(emu: Emulator, directory_id: str) -> list[DirectoryUser]:
    return [u for u in emu.state.directory_users.values() if u.directory_id == directory_id]


def _groups(emu: Emulator, directory_id: str) -> list[DirectoryGroup]:
    return [g for g in emu.state.directory_groups.values() if g.directory_id == directory_id]


def directory_json(emu: Emulator, directory: Directory) -> dict[str, Any]:
    users, groups = len(_members(emu, directory.id)), len(_groups(emu, directory.id))
    return {
        "id": directory.id,
        "name": directory.name,
        "directory_type": directory.directory_type,
        "organization_id": directory.organization_id,
        "enabled": directory.enabled,
        "directory_provider": directory.directory_provider,
        "last_synced_at": rfc3339(directory.last_synced_at),
        "directory_endpoint": f"{emu.issuer}/api/v1/directories/{directory.id}/scim/v2",
        "total_users": users,
        "total_groups": groups,
        "status": "COMPLETED" if directory.enabled else "IN_PROGRESS",
        "stats": {"total_users": users, "total_groups": groups},
    }


def group_json(emu: Emulator, group: DirectoryGroup, detail: bool) -> dict[str, Any]:
    count = sum(1 for u in _members(emu, group.directory_id) if group.id in u.groups)
    body: dict[str, Any] = {
        "id": group.id,
        "display_name": group.display_name,
        "total_users": count,
        "updated_at": rfc3339(group.updated_at),
    }
    if detail:
        body["group_detail"] = {"displayName": group.display_name, "id": group.id}
    return body


def user_json(emu: Emulator, user: DirectoryUser, detail: bool) -> dict[str, Any]:
    groups = [emu.state.directory_groups.get(g) for g in user.groups]
    body: dict[str, Any] = {
        "id": user.id,
        "email": user.email,
        "preferred_username": user.email,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "updated_at": rfc3339(user.updated_at),
        "emails": [user.email],
        "groups": [group_json(emu, g, False) for g in groups if g is not None],
    }
    if detail:  # the SCIM resource as the identity provider sent it
        body["user_detail"] = {
            "active": True,
            "userName": user.email,
            "name": {"givenName": user.given_name, "familyName": user.family_name},
            "emails": [{"value": user.email, "primary": True}],
        }
    return body


def _find(emu: Emulator, request: Request, key: str = "directory_id") -> Directory:
    org = _org(emu, request.path_params["org_id"])
    directory = emu.state.directories.get(request.path_params[key])
    if directory is None or directory.organization_id != org.id:
        raise not_found("directory", request.path_params[key])
    return directory


def _choice(data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = data.get(name)
    if value not in allowed:
        raise invalid_argument(f"{name} must be one of {', '.join(allowed)}")
    return str(value)


async def create_directory(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "directory")
    kind = _choice(data, "directory_type", DIRECTORY_TYPES)
    provider = _choice(data, "directory_provider", DIRECTORY_PROVIDERS)
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        directory = Directory(
            "dir_" + str(secrets.randbelow(10**17) + 10**16),
            org.id,
            f"{provider.replace('_', ' ').title()} {kind}",
            kind,
            provider,
            False,
            emu.now(),
        )
        emu.state.directories[directory.id] = directory
        return {"directory": directory_json(emu, directory)}


async def get_directory(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"directory": directory_json(emu, _find(emu, request))}


async def list_directories(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        org = _org(emu, request.path_params["org_id"])
        found = sorted(
            (d for d in emu.state.directories.values() if d.organization_id == org.id),
            key=lambda d: (d.create_time, d.id),
        )
        return {"directories": [directory_json(emu, d) for d in found]}


def _toggle(enable: bool) -> Any:
    async def toggle(request: Request, emu: Emulator) -> Any:
        with emu.lock:
            directory = dataclasses.replace(_find(emu, request), enabled=enable)
            emu.state.directories[directory.id] = directory
        return {"enabled": enable, "error_message": ""}

    return toggle


async def delete_directory(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        directory = _find(emu, request)
        del emu.state.directories[directory.id]
        for table in (emu.state.directory_users, emu.state.directory_groups):
            for key in [k for k, v in table.items() if v.directory_id == directory.id]:
                del table[key]
    return {}


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "false").lower()
    if value not in ("true", "false", "1", "0"):
        raise invalid_argument(f"{name} must be true or false")
    return value in ("true", "1")


async def list_directory_users(request: Request, emu: Emulator) -> Any:
    detail = _flag(request, "include_detail")
    after = _time_filter(request, "updated_after")
    group_id = request.query_params.get("directory_group_id")
    with emu.lock:
        directory = _find(emu, request)
        found = sorted(
            (
                u
                for u in _members(emu, directory.id)
                if (after is None or u.updated_at > after)
                and (not group_id or group_id in u.groups)
            ),
            key=lambda u: (u.updated_at, u.id),
        )
        page, meta = _paginate(request, found)
        return {"users": [user_json(emu, u, detail) for u in page], **meta}


async def list_directory_groups(request: Request, emu: Emulator) -> Any:
    detail = _flag(request, "include_detail")
    after = _time_filter(request, "updated_after")
    with emu.lock:
        directory = _find(emu, request)
        found = sorted(
            (g for g in _groups(emu, directory.id) if after is None or g.updated_at > after),
            key=lambda g: (g.updated_at, g.id),
        )
        page, meta = _paginate(request, found)
        return {"groups": [group_json(emu, g, detail) for g in page], **meta}


P = "/api/v1/organizations/{org_id}/directories"
routes = [
    Route(P, endpoint(create_directory), methods=["POST"]),
    Route(P, endpoint(list_directories), methods=["GET"]),
    Route(P + "/{directory_id}:enable", endpoint(_toggle(True)), methods=["PATCH"]),
    Route(P + "/{directory_id}:disable", endpoint(_toggle(False)), methods=["PATCH"]),
    Route(P + "/{directory_id}", endpoint(get_directory), methods=["GET"]),
    Route(P + "/{directory_id}", endpoint(delete_directory), methods=["DELETE"]),
    Route(P + "/{directory_id}/users", endpoint(list_directory_users), methods=["GET"]),
    Route(P + "/{directory_id}/groups", endpoint(list_directory_groups), methods=["GET"]),
]
