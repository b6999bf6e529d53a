"""``client.roles`` and ``client.permissions``: the environment's and organizations' roles."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from ..errors import ScalekitError
from ..flows import Flow, HTTPResponse
from .messages import (
    CreatePermission,
    CreateRole,
    UpdateDefaultOrganizationRolesRequest,
    UpdateRole,
)
from .models import DefaultRoles, Permission, PermissionsPage, Role, permission_list, role_list
from .organizations import page_query
from .pagination import iterate_pages, iterate_pages_async
from .runner import AsyncManagementRunner, SyncManagementRunner
from .wire import api_request, json_object, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = ["AsyncPermissionClient", "AsyncRoleClient", "PermissionClient", "RoleClient"]


def _roles(org_id: str | None, role_name: str | None = None, rest: str = "") -> str:
    path = "/roles"
    if org_id is not None:
        path = "/organizations/" + path_segment(org_id, "org_id") + path
    if role_name is not None:
        path += "/" + path_segment(role_name, "role_name")
    return path + rest


def _role(response: HTTPResponse) -> Role:
    role = Role.from_json(json_object(response, "role"))
    if role is None:
        raise ScalekitError("the management API answered with a role without 'name'")
    return role


def create_role_flow(ctx: ClientContext, org_id: str | None, role: object) -> Flow[Role]:
    """Never retried."""
    body = CreateRole.coerce(role).to_json()
    return _role((yield api_request(ctx, "POST", _roles(org_id), body=body)))


def get_role_flow(ctx: ClientContext, org_id: str | None, role_name: str) -> Flow[Role]:
    return _role((yield api_request(ctx, "GET", _roles(org_id, role_name))))


def update_role_flow(
    ctx: ClientContext, org_id: str | None, role_name: str, role: object
) -> Flow[Role]:
    body = UpdateRole.coerce(role).to_json()
    return _role((yield api_request(ctx, "PUT", _roles(org_id, role_name), body=body)))


def list_roles_flow(
    ctx: ClientContext, org_id: str | None, role_name: str | None = None, rest: str = ""
) -> Flow[tuple[Role, ...]]:
    response = yield api_request(ctx, "GET", _roles(org_id, role_name, rest))
    return role_list(json_object(response).get("roles"))


def delete_role_flow(
    ctx: ClientContext,
    org_id: str | None,
    role_name: str,
    reassign_role_name: str | None = None,
    rest: str = "",
) -> Flow[None]:
    """Delete a role (``rest="/base"``: its base, so it no longer extends one)."""
    query = [("reassign_role_name", reassign_role_name)] if reassign_role_name else []
    path = _roles(org_id, role_name, rest)
    raise_for_api_error((yield api_request(ctx, "DELETE", path, query=query)))


def users_count_flow(ctx: ClientContext, org_id: str | None, role_name: str) -> Flow[int]:
    response = yield api_request(ctx, "GET", _roles(org_id, role_name, "/users:count"))
    count = json_object(response).get("count", 0)
    if isinstance(count, str) and count.isdigit():  # int64 in proto3 JSON
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int):
        raise ScalekitError("the management API answered with a count that is not a number")
    return count


def update_default_roles_flow(
    ctx: ClientContext,
    org_id: str | None,
    default_creator_role: str | None = None,
    default_member_role: str | None = None,
) -> Flow[DefaultRoles]:
    body = {
        name: value
        for name, value in (
            ("default_creator_role", default_creator_role),
            ("default_member_role", default_member_role),
        )
        if value is not None
    }
    if not body:
        raise ScalekitError("update_default_roles needs a default_creator_role or member role")
    response = yield api_request(ctx, "PATCH", _roles(org_id, None, ":set_defaults"), body=body)
    return DefaultRoles.from_json(json_object(response))


def _permission_path(permission_name: str | None = None) -> str:
    if permission_name is None:
        return "/permissions"
    return "/permissions/" + path_segment(permission_name, "permission_name")


def _permission(response: HTTPResponse) -> Permission:
    permission = Permission.from_json(json_object(response, "permission"))
    if permission is None:
        raise ScalekitError("the management API answered with a permission without 'name'")
    return permission


def create_permission_flow(ctx: ClientContext, permission: object) -> Flow[Permission]:
    """Never retried."""
    body = CreatePermission.coerce(permission).to_json()
    return _permission((yield api_request(ctx, "POST", _permission_path(), body=body)))


def get_permission_flow(ctx: ClientContext, permission_name: str) -> Flow[Permission]:
    return _permission((yield api_request(ctx, "GET", _permission_path(permission_name))))


def update_permission_flow(
    ctx: ClientContext, permission_name: str, permission: object
) -> Flow[Permission]:
    body = CreatePermission.coerce(permission).to_json()
    path = _permission_path(permission_name)
    return _permission((yield api_request(ctx, "PUT", path, body=body)))


def list_permissions_flow(
    ctx: ClientContext, page_token: str | None = None, page_size: int | None = None
) -> Flow[PermissionsPage]:
    query = page_query(page_size, page_token)
    response = yield api_request(ctx, "GET", _permission_path(), query=query)
    return PermissionsPage.from_json(json_object(response))


def delete_permission_flow(ctx: ClientContext, permission_name: str) -> Flow[None]:
    raise_for_api_error((yield api_request(ctx, "DELETE", _permission_path(permission_name))))


def role_permissions_flow(
    ctx: ClientContext, role_name: str, effective: bool = False
) -> Flow[tuple[Permission, ...]]:
    """The role's own permissions, or (``effective``) with those of the roles it extends."""
    path = _roles(None, role_name, "/permissions:all" if effective else "/permissions")
    response = yield api_request(ctx, "GET", path)
    return permission_list(json_object(response).get("permissions"))


def add_permissions_to_role_flow(
    ctx: ClientContext, role_name: str, permission_names: list[str]
) -> Flow[tuple[Permission, ...]]:
    """Adding what a role already has changes nothing, so a retry is harmless."""
    if isinstance(permission_names, str) or not all(
        isinstance(n, str) and n for n in permission_names
    ):
        raise ScalekitError("permission_names must be a list of permission names")
    path = _roles(None, role_name, "/permissions")
    body = {"permission_names": list(permission_names)}
    response = yield api_request(ctx, "POST", path, body=body, idempotent=True)
    return permission_list(json_object(response).get("permissions"))


def remove_permission_from_role_flow(
    ctx: ClientContext, role_name: str, permission_name: str
) -> Flow[None]:
    path = _roles(
        None, role_name, "/permissions/" + path_segment(permission_name, "permission_name")
    )
    raise_for_api_error((yield api_request(ctx, "DELETE", path)))


class RoleClient:
    """Roles of the environment and of organizations; defaults, dependents, user counts."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def create_role(self, role: CreateRole | object) -> Role:
        return self._run(create_role_flow, None, role)

    def get_role(self, role_name: str) -> Role:
        return self._run(get_role_flow, None, role_name)

    def list_roles(self) -> tuple[Role, ...]:
        return self._run(list_roles_flow, None)

    def update_role(self, role_name: str, role: UpdateRole | object) -> Role:
        return self._run(update_role_flow, None, role_name, role)

    def delete_role(self, role_name: str, reassign_role_name: str | None = None) -> None:
        """Delete a role; its users get ``reassign_role_name`` instead."""
        return self._run(delete_role_flow, None, role_name, reassign_role_name)

    def get_role_users_count(self, role_name: str) -> int:
        return self._run(users_count_flow, None, role_name)

    def update_default_roles(
        self, default_creator_role: str | None = None, default_member_role: str | None = None
    ) -> DefaultRoles:
        return self._run(update_default_roles_flow, None, default_creator_role, default_member_role)

    def list_dependent_roles(self, role_name: str) -> tuple[Role, ...]:
        """The roles that extend ``role_name``."""
        return self._run(list_roles_flow, None, role_name, "/dependents")

    def delete_role_base(self, role_name: str) -> None:
        """Stop ``role_name`` extending another role."""
        return self._run(delete_role_flow, None, role_name, None, "/base")

    def create_organization_role(self, org_id: str, role: CreateRole | object) -> Role:
        return self._run(create_role_flow, org_id, role)

    def get_organization_role(self, org_id: str, role_name: str) -> Role:
        return self._run(get_role_flow, org_id, role_name)

    def list_organization_roles(self, org_id: str) -> tuple[Role, ...]:
        """The organization's own roles and the environment's."""
        return self._run(list_roles_flow, org_id)

    def update_organization_role(
        self, org_id: str, role_name: str, role: UpdateRole | object
    ) -> Role:
        return self._run(update_role_flow, org_id, role_name, role)

    def delete_organization_role(
        self, org_id: str, role_name: str, reassign_role_name: str | None = None
    ) -> None:
        return self._run(delete_role_flow, org_id, role_name, reassign_role_name)

    def get_organization_role_users_count(self, org_id: str, role_name: str) -> int:
        return self._run(users_count_flow, org_id, role_name)

    def update_default_organization_roles(
        self, org_id: str, default_roles: UpdateDefaultOrganizationRolesRequest | object
    ) -> DefaultRoles:
        member = UpdateDefaultOrganizationRolesRequest.coerce(default_roles).default_member_role
        return self._run(update_default_roles_flow, org_id, None, member)

    def delete_organization_role_base(self, org_id: str, role_name: str) -> None:
        return self._run(delete_role_flow, org_id, role_name, None, "/base")


class AsyncRoleClient:
    """The async twin of :class:`RoleClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def create_role(self, role: CreateRole | object) -> Role:
        return await self._run(create_role_flow, None, role)

    async def get_role(self, role_name: str) -> Role:
        return await self._run(get_role_flow, None, role_name)

    async def list_roles(self) -> tuple[Role, ...]:
        return await self._run(list_roles_flow, None)

    async def update_role(self, role_name: str, role: UpdateRole | object) -> Role:
        return await self._run(update_role_flow, None, role_name, role)

    async def delete_role(self, role_name: str, reassign_role_name: str | None = None) -> None:
        """Delete a role; its users get ``reassign_role_name`` instead."""
        return await self._run(delete_role_flow, None, role_name, reassign_role_name)

    async def get_role_users_count(self, role_name: str) -> int:
        return await self._run(users_count_flow, None, role_name)

    async def update_default_roles(
        self, default_creator_role: str | None = None, default_member_role: str | None = None
    ) -> DefaultRoles:
        return await self._run(
            update_default_roles_flow, None, default_creator_role, default_member_role
        )

    async def list_dependent_roles(self, role_name: str) -> tuple[Role, ...]:
        """The roles that extend ``role_name``."""
        return await self._run(list_roles_flow, None, role_name, "/dependents")

    async def delete_role_base(self, role_name: str) -> None:
        """Stop ``role_name`` extending another role."""
        return await self._run(delete_role_flow, None, role_name, None, "/base")

    async def create_organization_role(self, org_id: str, role: CreateRole | object) -> Role:
        return await self._run(create_role_flow, org_id, role)

    async def get_organization_role(self, org_id: str, role_name: str) -> Role:
        return await self._run(get_role_flow, org_id, role_name)

    async def list_organization_roles(self, org_id: str) -> tuple[Role, ...]:
        """The organization's own roles and the environment's."""
        return await self._run(list_roles_flow, org_id)

    async def update_organization_role(
        self, org_id: str, role_name: str, role: UpdateRole | object
    ) -> Role:
        return await self._run(update_role_flow, org_id, role_name, role)

    async def delete_organization_role(
        self, org_id: str, role_name: str, reassign_role_name: str | None = None
    ) -> None:
        return await self._run(delete_role_flow, org_id, role_name, reassign_role_name)

    async def get_organization_role_users_count(self, org_id: str, role_name: str) -> int:
        return await self._run(users_count_flow, org_id, role_name)

    async def update_default_organization_roles(
        self, org_id: str, default_roles: UpdateDefaultOrganizationRolesRequest | object
    ) -> DefaultRoles:
        member = UpdateDefaultOrganizationRolesRequest.coerce(default_roles).default_member_role
        return await self._run(update_default_roles_flow, org_id, None, member)

    async def delete_organization_role_base(self, org_id: str, role_name: str) -> None:
        return await self._run(delete_role_flow, org_id, role_name, None, "/base")


class PermissionClient:
    """Permissions, and the permissions of roles."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def create_permission(self, permission: CreatePermission | object) -> Permission:
        return self._run(create_permission_flow, permission)

    def get_permission(self, permission_name: str) -> Permission:
        return self._run(get_permission_flow, permission_name)

    def update_permission(
        self, permission_name: str, permission: CreatePermission | object
    ) -> Permission:
        return self._run(update_permission_flow, permission_name, permission)

    def list_permissions(
        self, page_token: str | None = None, page_size: int | None = None
    ) -> PermissionsPage:
        return self._run(list_permissions_flow, page_token, page_size)

    def iter_permissions(self, page_size: int | None = None) -> Iterator[Permission]:
        return iterate_pages(
            lambda token: self.list_permissions(token, page_size), lambda p: p.permissions
        )

    def delete_permission(self, permission_name: str) -> None:
        return self._run(delete_permission_flow, permission_name)

    def list_role_permissions(self, role_name: str) -> tuple[Permission, ...]:
        return self._run(role_permissions_flow, role_name)

    def add_permissions_to_role(
        self, role_name: str, permission_names: list[str]
    ) -> tuple[Permission, ...]:
        return self._run(add_permissions_to_role_flow, role_name, permission_names)

    def remove_permission_from_role(self, role_name: str, permission_name: str) -> None:
        return self._run(remove_permission_from_role_flow, role_name, permission_name)

    def list_effective_role_permissions(self, role_name: str) -> tuple[Permission, ...]:
        """The role's permissions with those of the roles it extends."""
        return self._run(role_permissions_flow, role_name, True)


class AsyncPermissionClient:
    """The async twin of :class:`PermissionClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def create_permission(self, permission: CreatePermission | object) -> Permission:
        return await self._run(create_permission_flow, permission)

    async def get_permission(self, permission_name: str) -> Permission:
        return await self._run(get_permission_flow, permission_name)

    async def update_permission(
        self, permission_name: str, permission: CreatePermission | object
    ) -> Permission:
        return await self._run(update_permission_flow, permission_name, permission)

    async def list_permissions(
        self, page_token: str | None = None, page_size: int | None = None
    ) -> PermissionsPage:
        return await self._run(list_permissions_flow, page_token, page_size)

    def iter_permissions(self, page_size: int | None = None) -> AsyncIterator[Permission]:
        return iterate_pages_async(
            lambda token: self.list_permissions(token, page_size), lambda p: p.permissions
        )

    async def delete_permission(self, permission_name: str) -> None:
        return await self._run(delete_permission_flow, permission_name)

    async def list_role_permissions(self, role_name: str) -> tuple[Permission, ...]:
        return await self._run(role_permissions_flow, role_name)

    async def add_permissions_to_role(
        self, role_name: str, permission_names: list[str]
    ) -> tuple[Permission, ...]:
        return await self._run(add_permissions_to_role_flow, role_name, permission_names)

    async def remove_permission_from_role(self, role_name: str, permission_name: str) -> None:
        return await self._run(remove_permission_from_role_flow, role_name, permission_name)

    async def list_effective_role_permissions(self, role_name: str) -> tuple[Permission, ...]:
        """The role's permissions with those of the roles it extends."""
        return await self._run(role_permissions_flow, role_name, True)
