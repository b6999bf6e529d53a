"""``client.directory``: an organization's SCIM directories, their users and groups."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import NotFoundError, ScalekitError
from ..flows import Flow
from .messages import CreateDirectory
from .models import (
    Directory,
    DirectoryGroup,
    DirectoryGroupsPage,
    DirectoryUser,
    DirectoryUsersPage,
    Toggle,
)
from .organizations import page_query
from .pagination import iterate_pages, iterate_pages_async
from .runner import AsyncManagementRunner, SyncManagementRunner
from .wire import api_request, format_rfc3339, json_object, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = ["AsyncDirectoryClient", "DirectoryClient"]


def _path(organization_id: str, directory_id: str | None = None, rest: str = "") -> str:
    path = "/organizations/" + path_segment(organization_id, "organization_id") + "/directories"
    if directory_id is not None:
        path += "/" + path_segment(directory_id, "directory_id")
    return path + rest


def _listing_query(
    page_size: int | None,
    page_token: str | None,
    include_detail: bool | None,
    updated_after: object,
) -> list[tuple[str, str]]:
    query = page_query(page_size, page_token)
    if include_detail is not None:
        query.append(("include_detail", "true" if include_detail else "false"))
    if updated_after is not None:
        query.append(("updated_after", _timestamp(updated_after)))
    return query


def _timestamp(value: object) -> str:
    """``updated_after``: a ``datetime``, a ``Timestamp`` (ours or protobuf's) or RFC 3339."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, datetime):
        return format_rfc3339(value)
    to_datetime = getattr(value, "ToDatetime", None)
    if callable(to_datetime):
        result = to_datetime()
        if isinstance(result, datetime):
            return format_rfc3339(result)
    raise ScalekitError("updated_after must be a datetime, a Timestamp or an RFC 3339 string")


def create_directory_flow(
    ctx: ClientContext, organization_id: str, directory: object
) -> Flow[Directory]:
    """Never retried."""
    body = CreateDirectory.coerce(directory).to_json()
    response = yield api_request(ctx, "POST", _path(organization_id), body=body)
    return Directory.from_json(json_object(response, "directory"))


def get_directory_flow(
    ctx: ClientContext, organization_id: str, directory_id: str
) -> Flow[Directory]:
    response = yield api_request(ctx, "GET", _path(organization_id, directory_id))
    return Directory.from_json(json_object(response, "directory"))


def list_directories_flow(ctx: ClientContext, organization_id: str) -> Flow[tuple[Directory, ...]]:
    response = yield api_request(ctx, "GET", _path(organization_id))
    items = json_object(response).get("directories")
    return tuple(Directory.from_json(d) for d in items or () if isinstance(d, dict))


def get_primary_directory_flow(ctx: ClientContext, organization_id: str) -> Flow[Directory]:
    """The organization's first directory; ``NotFoundError`` when it has none."""
    directories = yield from list_directories_flow(ctx, organization_id)
    if not directories:
        raise NotFoundError(404, 5, f"organization {organization_id} has no directory", [])
    return directories[0]


def list_directory_users_flow(
    ctx: ClientContext,
    organization_id: str,
    directory_id: str,
    page_size: int | None = None,
    page_token: str | None = None,
    include_detail: bool | None = None,
    updated_after: object = None,
) -> Flow[DirectoryUsersPage]:
    query = _listing_query(page_size, page_token, include_detail, updated_after)
    path = _path(organization_id, directory_id, "/users")
    response = yield api_request(ctx, "GET", path, query=query)
    return DirectoryUsersPage.from_json(json_object(response))


def list_directory_groups_flow(
    ctx: ClientContext,
    organization_id: str,
    directory_id: str,
    page_size: int | None = None,
    page_token: str | None = None,
    include_detail: bool | None = None,
    updated_after: object = None,
) -> Flow[DirectoryGroupsPage]:
    query = _listing_query(page_size, page_token, include_detail, updated_after)
    path = _path(organization_id, directory_id, "/groups")
    response = yield api_request(ctx, "GET", path, query=query)
    return DirectoryGroupsPage.from_json(json_object(response))


def toggle_directory_flow(
    ctx: ClientContext, organization_id: str, directory_id: str, enable: bool
) -> Flow[Toggle]:
    path = _path(organization_id, directory_id, ":enable" if enable else ":disable")
    return Toggle.from_json(json_object((yield api_request(ctx, "PATCH", path))))


def delete_directory_flow(
    ctx: ClientContext, organization_id: str, directory_id: str
) -> Flow[None]:
    raise_for_api_error((yield api_request(ctx, "DELETE", _path(organization_id, directory_id))))


class DirectoryClient:
    """Directories (SCIM): read, list, create, enable/disable, delete; their users and groups."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def list_directory_users(
        self,
        organization_id: str,
        directory_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
        include_detail: bool | None = None,
        updated_after: object = None,
    ) -> DirectoryUsersPage:
        """``updated_after``: a ``datetime``, a ``Timestamp`` or an RFC 3339 string."""
        return self._run(
            list_directory_users_flow,
            organization_id,
            directory_id,
            page_size,
            page_token,
            include_detail,
            updated_after,
        )

    def iter_directory_users(
        self,
        organization_id: str,
        directory_id: str,
        page_size: int | None = None,
        include_detail: bool | None = None,
        updated_after: object = None,
    ) -> Iterator[DirectoryUser]:
        return iterate_pages(
            lambda token: self.list_directory_users(
                organization_id, directory_id, page_size, token, include_detail, updated_after
            ),
            lambda p: p.users,
        )

    def list_directory_groups(
        self,
        organization_id: str,
        directory_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
        include_detail: bool | None = None,
        updated_after: object = None,
    ) -> DirectoryGroupsPage:
        return self._run(
            list_directory_groups_flow,
            organization_id,
            directory_id,
            page_size,
            page_token,
            include_detail,
            updated_after,
        )

    def iter_directory_groups(
        self,
        organization_id: str,
        directory_id: str,
        page_size: int | None = None,
        include_detail: bool | None = None,
        updated_after: object = None,
    ) -> Iterator[DirectoryGroup]:
        return iterate_pages(
            lambda token: self.list_directory_groups(
                organization_id, directory_id, page_size, token, include_detail, updated_after
            ),
            lambda p: p.groups,
        )

    def list_directories(self, organization_id: str) -> tuple[Directory, ...]:
        return self._run(list_directories_flow, organization_id)

    def get_directory(self, organization_id: str, directory_id: str) -> Directory:
        return self._run(get_directory_flow, organization_id, directory_id)

    def enable_directory(self, organization_id: str, directory_id: str) -> Toggle:
        return self._run(toggle_directory_flow, organization_id, directory_id, True)

    def disable_directory(self, organization_id: str, directory_id: str) -> Toggle:
        return self._run(toggle_directory_flow, organization_id, directory_id, False)

    def get_primary_directory_by_organization_id(self, organization_id: str) -> Directory:
        return self._run(get_primary_directory_flow, organization_id)

    def create_directory(
        self, organization_id: str, directory: CreateDirectory | object
    ) -> Directory:
        """A new directory of ``organization_id`` (never retried)."""
        return self._run(create_directory_flow, organization_id, directory)

    def delete_directory(self, organization_id: str, directory_id: str) -> None:
        return self._run(delete_directory_flow, organization_id, directory_id)


class AsyncDirectoryClient:
    """The async twin of :class:`DirectoryClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def list_directory_users(
        self,
        organization_id: str,
        directory_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
        include_detail: bool | None = None,
        updated_after: object = None,
    ) -> DirectoryUsersPage:
        """``updated_after``: a ``datetime``, a ``Timestamp`` or an RFC 3339 string."""
        return await self._run(
            list_directory_users_flow,
            organization_id,
            directory_id,
            page_size,
            page_token,
            include_detail,
            updated_after,
        )

    def iter_directory_users(
        self,
        organization_id: str,
        directory_id: str,
        page_size: int | None = None,
        include_detail: bool | None = None,
        updated_after: object = None,
    ) -> AsyncIterator[DirectoryUser]:
        return iterate_pages_async(
            lambda token: self.list_directory_users(
                organization_id, directory_id, page_size, token, include_detail, updated_after
            ),
            lambda p: p.users,
        )

    async def list_directory_groups(
        self,
        organization_id: str,
        directory_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
        include_detail: bool | None = None,
        updated_after: object = None,
    ) -> DirectoryGroupsPage:
        return await self._run(
            list_directory_groups_flow,
            organization_id,
            directory_id,
            page_size,
            page_token,
            include_detail,
            updated_after,
        )

    def iter_directory_groups(
        self,
        organization_id: str,
        directory_id: str,
        page_size: int | None = None,
        include_detail: bool | None = None,
        updated_after: object = None,
    ) -> AsyncIterator[DirectoryGroup]:
        return iterate_pages_async(
            lambda token: self.list_directory_groups(
                organization_id, directory_id, page_size, token, include_detail, updated_after
            ),
            lambda p: p.groups,
        )

    async def list_directories(self, organization_id: str) -> tuple[Directory, ...]:
        return await self._run(list_directories_flow, organization_id)

    async def get_directory(self, organization_id: str, directory_id: str) -> Directory:
        return await self._run(get_directory_flow, organization_id, directory_id)

    async def enable_directory(self, organization_id: str, directory_id: str) -> Toggle:
        return await self._run(toggle_directory_flow, organization_id, directory_id, True)

    async def disable_directory(self, organization_id: str, directory_id: str) -> Toggle:
        return await self._run(toggle_directory_flow, organization_id, directory_id, False)

    async def get_primary_directory_by_organization_id(self, organization_id: str) -> Directory:
        return await self._run(get_primary_directory_flow, organization_id)

    async def create_directory(
        self, organization_id: str, directory: CreateDirectory | object
    ) -> Directory:
        """A new directory of ``organization_id`` (never retried)."""
        return await self._run(create_directory_flow, organization_id, directory)

    async def delete_directory(self, organization_id: str, directory_id: str) -> None:
        return await self._run(delete_directory_flow, organization_id, directory_id)
