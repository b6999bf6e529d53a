"""Roles (of the environment and of organizations) and permissions.

The tokens of a sign-in read the same records (see ``access.py``): a permission added to a
role is in its users' next access token.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from .access import find_role, role_permissions
from .emulator import Emulator
from .errors import ApiError, invalid_argument, not_found
from .management import _json_body, _org, _paginate, _string, endpoint
from .records import Permission, Role
from .shapes import rfc3339
from .state import role_key

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}$")


def _name(value: object, what: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise invalid_argument(f"{what} must be 1-64 letters, digits, '_', ':', '.' or '-'")
    return value


def permission_json(permission: Permission, role_name: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": permission.id,
        "name": permission.name,
        "description": permission.description,
        "create_time": rfc3339(permission.create_time),
        "update_time": rfc3339(permission.update_time),
        "is_scalekit_permission": False,
    }
    if role_name is not None:
        body["role_name"] = role_name
    return body


def _dependents(emu: Emulator, role: Role) -> list[Role]:
    return [
        r
        for r in emu.state.roles.values()
        if r.extends == role.name and r.organization_id in ("", role.organization_id)
    ]


def role_json(emu: Emulator, role: Role) -> dict[str, Any]:
    return {
        "id": role.id,
        "name": role.name,
        "display_name": role.display_name,
        "description": role.description,
        "default_creator": role.default_creator,
        "default_member": role.default_member,
        "extends": role.extends or "",
        "permissions": [{"name": p, "role_name": role.name} for p in role.permissions],
        "dependent_roles_count": len(_dependents(emu, role)),
        "is_org_role": bool(role.organization_id),
    }


def _org_id(emu: Emulator, request: Request) -> str:
    return _org(emu, request.path_params["org_id"]).id if "org_id" in request.path_params else ""


def _role(emu: Emulator, request: Request, *, own: bool = True) -> Role:
    """The role of the path; ``own=False`` also finds an environment role from an org path."""
    org_id = _org_id(emu, request)
    name = request.path_params["role_name"]
    role = emu.state.roles.get(role_key(org_id, name))
    if role is None and not own:
        role = find_role(emu.state, org_id, name)
    if role is None:
        raise not_found("role", name)
    return role


def _permission_names(emu: Emulator, value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise invalid_argument(f"{what} must be a list of permission names")
    for name in value:
        if name not in emu.state.permissions:
            raise invalid_argument(f"permission {name} does not exist")
    return tuple(dict.fromkeys(value))


def _extends(emu: Emulator, org_id: str, value: object, own_name: str) -> str | None:
    if value in (None, ""):
        return None
    base = find_role(emu.state, org_id, _name(value, "extends"))
    if base is None:
        raise invalid_argument(f"role {value} does not exist")
    seen: set[str] = {own_name}
    current: Role | None = base
    while current is not None:  # no cycle: the base may not (indirectly) extend this role
        if current.name in seen:
            raise invalid_argument(f"role {own_name} cannot extend {value}: that makes a cycle")
        seen.add(current.name)
        current = find_role(emu.state, org_id, current.extends) if current.extends else None
    return base.name


async def create_role(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "role")
    name = _name(data.get("name"), "name")
    with emu.lock:
        org_id = _org_id(emu, request)
        if role_key(org_id, name) in emu.state.roles:
            raise ApiError(6, f"role {name} already exists", "ROLE_ALREADY_EXISTS")
        role = Role(
            name=name,
            organization_id=org_id,
            display_name=_string(data, "display_name") or name,
            description=_string(data, "description", max_len=2000) or "",
            extends=_extends(emu, org_id, data.get("extends"), name),
            permissions=_permission_names(emu, data.get("permissions"), "permissions"),
            id="role_" + secrets.token_hex(8),
        )
        emu.state.roles[role_key(org_id, name)] = role
        return {"role": role_json(emu, role)}


async def get_role(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"role": role_json(emu, _role(emu, request, own=False))}


async def list_roles(request: Request, emu: Emulator) -> Any:
    """The environment's roles; from an organization, its own roles too (they win by name)."""
    with emu.lock:
        org_id = _org_id(emu, request)
        names = sorted(
            {r.name for r in emu.state.roles.values() if r.organization_id in ("", org_id)}
        )
        found = [find_role(emu.state, org_id, n) for n in names]
        return {"roles": [role_json(emu, r) for r in found if r is not None]}


async def update_role(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "role")
    with emu.lock:
        role = _role(emu, request)
        changes: dict[str, Any] = {}
        for field_name in ("display_name", "description"):
            value = _string(data, field_name, max_len=2000)
            if value is not None:
                changes[field_name] = value
        if "extends" in data:
            changes["extends"] = _extends(emu, role.organization_id, data["extends"], role.name)
        if data.get("permissions") is not None:
            changes["permissions"] = _permission_names(emu, data["permissions"], "permissions")
        role = dataclasses.replace(role, **changes)
        emu.state.roles[role_key(role.organization_id, role.name)] = role
        return {"role": role_json(emu, role)}


def _holders(emu: Emulator, role: Role) -> tuple[list[str], list[str]]:
    """Ids of users holding ``role`` in their own org, and keys of memberships holding it."""
    org = role.organization_id
    users = [
        u.id
        for u in emu.state.users.values()
        if role.name in u.roles and (not org or u.organization_id == org)
    ]
    memberships = [
        k
        for k, m in emu.state.memberships.items()
        if role.name in m.roles and (not org or m.organization_id == org)
    ]
    return users, memberships


async def delete_role(request: Request, emu: Emulator) -> Any:
    replacement = request.query_params.get("reassign_role_name") or None
    with emu.lock:
        role = _role(emu, request)
        if _dependents(emu, role):
            raise invalid_argument(f"role {role.name} is extended by other roles")
        users, memberships = _holders(emu, role)
        if (users or memberships) and replacement is None:
            raise invalid_argument(f"role {role.name} has users: give a reassign_role_name")
        if (
            replacement is not None
            and find_role(emu.state, role.organization_id, replacement) is None
        ):
            raise invalid_argument(f"role {replacement} does not exist")

        def swap(roles: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(replacement or "" if r == role.name else r for r in roles))

        for uid in users:
            user = emu.state.users[uid]
            emu.state.users[uid] = dataclasses.replace(user, roles=swap(user.roles))
        for key in memberships:
            m = emu.state.memberships[key]
            emu.state.memberships[key] = dataclasses.replace(m, roles=swap(m.roles))
        del emu.state.roles[role_key(role.organization_id, role.name)]
    return {}


async def delete_role_base(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        role = dataclasses.replace(_role(emu, request), extends=None)
        emu.state.roles[role_key(role.organization_id, role.name)] = role
    return {}


async def users_count(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        users, memberships = _holders(emu, _role(emu, request, own=False))
        if "org_id" in request.path_params:  # only that organization's members
            org_id = _org_id(emu, request)
            users = [u for u in users if emu.state.users[u].organization_id == org_id]
            memberships = [k for k in memberships if k.startswith(org_id + "/")]
    return {"count": str(len(users) + len(memberships))}


async def list_dependent_roles(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"roles": [role_json(emu, r) for r in _dependents(emu, _role(emu, request))]}


async def set_default_roles(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    with emu.lock:
        if "org_id" in request.path_params:
            org = _org(emu, request.path_params["org_id"])
            name = _name(data.get("default_member_role"), "default_member_role")
            member = find_role(emu.state, org.id, name)
            if member is None:
                raise invalid_argument(f"role {name} does not exist")
            emu.state.organizations[org.id] = dataclasses.replace(org, default_member_role=name)
            return {"default_member": role_json(emu, member)}
        answer: dict[str, Any] = {}
        for field_name, flag in (("creator", "default_creator"), ("member", "default_member")):
            wanted = data.get(f"default_{field_name}_role")
            if isinstance(data.get(flag), dict):
                wanted = wanted or data[flag].get("name")
            if wanted is None:
                continue
            name = _name(wanted, f"default_{field_name}_role")
            new = emu.state.roles.get(role_key("", name))
            if new is None:
                raise invalid_argument(f"role {name} does not exist")
            for key, role in list(emu.state.roles.items()):
                if not role.organization_id:
                    flags: dict[str, Any] = {flag: role.name == name}
                    emu.state.roles[key] = dataclasses.replace(role, **flags)
            answer[flag] = role_json(emu, emu.state.roles[role_key("", name)])
        return answer


# --- permissions ------------------------------------------------------------------------------


def _permission(emu: Emulator, name: str) -> Permission:
    permission = emu.state.permissions.get(name)
    if permission is None:
        raise not_found("permission", name)
    return permission


async def create_permission(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "permission")
    name = _name(data.get("name"), "name")
    with emu.lock:
        if name in emu.state.permissions:
            raise ApiError(6, f"permission {name} already exists", "PERMISSION_ALREADY_EXISTS")
        now = emu.now()
        permission = Permission(
            name,
            _string(data, "description", max_len=2000) or "",
            "perm_" + secrets.token_hex(8),
            now,
            now,
        )
        emu.state.permissions[name] = permission
    return {"permission": permission_json(permission)}


async def get_permission(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        return {"permission": permission_json(_permission(emu, request.path_params["name"]))}


async def update_permission(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request, "permission")
    with emu.lock:
        permission = _permission(emu, request.path_params["name"])
        if data.get("name") not in (None, permission.name):
            raise invalid_argument("a permission's name cannot change")
        description = _string(data, "description", max_len=2000)
        permission = dataclasses.replace(
            permission,
            description=permission.description if description is None else description,
            update_time=emu.now(),
        )
        emu.state.permissions[permission.name] = permission
    return {"permission": permission_json(permission)}


async def list_permissions(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        found = sorted(emu.state.permissions.values(), key=lambda p: (p.create_time, p.name))
    page, meta = _paginate(request, found)
    return {"permissions": [permission_json(p) for p in page], **meta}


async def delete_permission(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        permission = _permission(emu, request.path_params["name"])
        del emu.state.permissions[permission.name]
        for key, role in list(emu.state.roles.items()):  # and from every role that had it
            if permission.name in role.permissions:
                kept = tuple(p for p in role.permissions if p != permission.name)
                emu.state.roles[key] = dataclasses.replace(role, permissions=kept)
    return {}


def _role_permission_list(emu: Emulator, role: Role, names: tuple[str, ...]) -> list[Any]:
    return [
        permission_json(emu.state.permissions[n], role.name)
        for n in names
        if n in emu.state.permissions
    ]


async def list_role_permissions(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        role = _role(emu, request)
        return {"permissions": _role_permission_list(emu, role, role.permissions)}


async def list_effective_role_permissions(request: Request, emu: Emulator) -> Any:
    with emu.lock:
        role = _role(emu, request)
        names = role_permissions(emu.state, role.organization_id, role.name)
        return {"permissions": _role_permission_list(emu, role, names)}


async def add_permissions_to_role(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    with emu.lock:
        role = _role(emu, request)
        added = _permission_names(emu, data.get("permission_names"), "permission_names")
        if not added:
            raise invalid_argument("permission_names must name at least one permission")
        role = dataclasses.replace(role, permissions=tuple(dict.fromkeys(role.permissions + added)))
        emu.state.roles[role_key(role.organization_id, role.name)] = role
        return {"permissions": _role_permission_list(emu, role, role.permissions)}


async def remove_permission_from_role(request: Request, emu: Emulator) -> Any:
    name = request.path_params["name"]
    with emu.lock:
        role = _role(emu, request)
        if name not in role.permissions:
            raise not_found("permission", f"{name} of role {role.name}")
        kept = tuple(p for p in role.permissions if p != name)
        emu.state.roles[role_key(role.organization_id, role.name)] = dataclasses.replace(
            role, permissions=kept
        )
    return {}


def _role_routes(base: str) -> list[Route]:
    one = base + "/{role_name}"
    return [
        Route(base + ":set_defaults", endpoint(set_default_roles), methods=["PATCH"]),
        Route(base, endpoint(create_role), methods=["POST"]),
        Route(base, endpoint(list_roles), methods=["GET"]),
        Route(one, endpoint(get_role), methods=["GET"]),
        Route(one, endpoint(update_role), methods=["PUT"]),
        Route(one, endpoint(delete_role), methods=["DELETE"]),
        Route(one + "/base", endpoint(delete_role_base), methods=["DELETE"]),
        Route(one + "/users:count", endpoint(users_count), methods=["GET"]),
    ]


P = "/api/v1"
ROLE = P + "/roles/{role_name}"
routes = [
    Route(P + "/roles/default", endpoint(set_default_roles), methods=["PATCH"]),
    *_role_routes(P + "/roles"),
    *_role_routes(P + "/organizations/{org_id}/roles"),
    Route(ROLE + "/dependents", endpoint(list_dependent_roles), methods=["GET"]),
    Route(ROLE + "/permissions:all", endpoint(list_effective_role_permissions), methods=["GET"]),
    Route(ROLE + "/permissions", endpoint(list_role_permissions), methods=["GET"]),
    Route(ROLE + "/permissions", endpoint(add_permissions_to_role), methods=["POST"]),
    Route(ROLE + "/permissions/{name}", endpoint(remove_permission_from_role), methods=["DELETE"]),
    Route(P + "/permissions", endpoint(create_permission), methods=["POST"]),
    Route(P + "/permissions", endpoint(list_permissions), methods=["GET"]),
    Route(P + "/permissions/{name}", endpoint(get_permission), methods=["GET"]),
    Route(P + "/permissions/{name}", endpoint(update_permission), methods=["PUT"]),
    Route(P + "/permissions/{name}", endpoint(delete_permission), methods=["DELETE"]),
]
