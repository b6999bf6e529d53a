"""``client.connection``: SSO connections of organizations and of the environment."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from ..errors import ScalekitError
from ..flows import Flow, HTTPResponse
from .messages import CreateConnection, Flags, UpdateConnection
from .models import Connection, ConnectionsPage, Toggle
from .organizations import page_query
from .pagination import iterate_pages, iterate_pages_async
from .runner import AsyncManagementRunner, SyncManagementRunner
from .wire import api_request, json_object, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = ["AsyncConnectionClient", "ConnectionClient"]


def _org_conn(organization_id: str, connection_id: str | None = None, rest: str = "") -> str:
    path = "/organizations/" + path_segment(organization_id, "organization_id") + "/connections"
    if connection_id is not None:
        path += "/" + path_segment(connection_id, "connection_id")
    return path + rest


def _env_conn(connection_id: str) -> str:
    return "/connections/" + path_segment(connection_id, "connection_id")


def _connection(response: HTTPResponse) -> Connection:
    return Connection.from_json(json_object(response, "connection"))


def create_connection_flow(
    ctx: ClientContext, organization_id: str, connection: object
) -> Flow[Connection]:
    """Never retried (a retry could create it twice)."""
    body = CreateConnection.coerce(connection).to_json()
    return _connection((yield api_request(ctx, "POST", _org_conn(organization_id), body=body)))


def create_environment_connection_flow(
    ctx: ClientContext, connection: object, flags: object = None
) -> Flow[Connection]:
    body = CreateConnection.coerce(connection).to_json()
    query: list[tuple[str, str]] = []
    if flags is not None:
        for name, value in Flags.coerce(flags).to_json().items():
            query.append((f"flags.{name}", "true" if value else "false"))
    return _connection((yield api_request(ctx, "POST", "/connections", query=query, body=body)))


def get_connection_flow(
    ctx: ClientContext, organization_id: str, connection_id: str
) -> Flow[Connection]:
    return _connection((yield api_request(ctx, "GET", _org_conn(organization_id, connection_id))))


def get_environment_connection_flow(ctx: ClientContext, connection_id: str) -> Flow[Connection]:
    return _connection((yield api_request(ctx, "GET", _env_conn(connection_id))))


def update_environment_connection_flow(
    ctx: ClientContext, connection_id: str, connection: object
) -> Flow[Connection]:
    body = UpdateConnection.coerce(connection).to_json()
    return _connection((yield api_request(ctx, "PATCH", _env_conn(connection_id), body=body)))


def list_connections_flow(
    ctx: ClientContext, by: str, value: str, include: str | None = None
) -> Flow[ConnectionsPage]:
    """``GET /connections?organization_id=…`` (or ``domain=…``); ``include="all"`` adds disabled ones."""
    if not isinstance(value, str) or not value:
        raise ScalekitError(f"{by} must be a non-empty string")
    query = [(by, value)]
    if include:
        query.append(("include", include))
    response = yield api_request(ctx, "GET", "/connections", query=query)
    return ConnectionsPage.from_json(json_object(response))


def list_app_connections_flow(
    ctx: ClientContext,
    page_size: int | None = None,
    page_token: str | None = None,
    provider: str | None = None,
    query: str | None = None,
) -> Flow[ConnectionsPage]:
    params = page_query(page_size, page_token)
    if provider:
        params.append(("provider", provider))
    if query:
        params.append(("query", query))
    response = yield api_request(ctx, "GET", "/connections/app", query=params)
    return ConnectionsPage.from_json(json_object(response))


def toggle_connection_flow(
    ctx: ClientContext, organization_id: str, connection_id: str, enable: bool
) -> Flow[Toggle]:
    path = _org_conn(organization_id, connection_id, ":enable" if enable else ":disable")
    return Toggle.from_json(json_object((yield api_request(ctx, "PATCH", path))))


def delete_connection_flow(
    ctx: ClientContext, organization_id: str, connection_id: str
) -> Flow[None]:
    path = _org_conn(organization_id, connection_id)
    raise_for_api_error((yield api_request(ctx, "DELETE", path)))


class ConnectionClient:
    """SSO connections: an organization's, the environment's, and app connections."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def get_connection(self, organization_id: str, conn_id: str) -> Connection:
        return self._run(get_connection_flow, organization_id, conn_id)

    def list_connections_by_domain(
        self, domain: str, include: str | None = None
    ) -> ConnectionsPage:
        return self._run(list_connections_flow, "domain", domain, include)

    def list_connections(self, organization_id: str, include: str | None = None) -> ConnectionsPage:
        """The organization's enabled connections (``include="all"``: every one)."""
        return self._run(list_connections_flow, "organization_id", organization_id, include)

    def enable_connection(self, organization_id: str, conn_id: str) -> Toggle:
        return self._run(toggle_connection_flow, organization_id, conn_id, True)

    def disable_connection(self, organization_id: str, conn_id: str) -> Toggle:
        return self._run(toggle_connection_flow, organization_id, conn_id, False)

    def create_connection(
        self, organization_id: str, connection: CreateConnection | object
    ) -> Connection:
        """A new connection of ``organization_id`` (never retried)."""
        return self._run(create_connection_flow, organization_id, connection)

    def list_app_connections(
        self,
        page_size: int | None = None,
        page_token: str | None = None,
        provider: str | None = None,
        query: str | None = None,
    ) -> ConnectionsPage:
        return self._run(list_app_connections_flow, page_size, page_token, provider, query)

    def iter_app_connections(
        self, page_size: int | None = None, provider: str | None = None, query: str | None = None
    ) -> Iterator[Connection]:
        return iterate_pages(
            lambda token: self.list_app_connections(page_size, token, provider, query),
            lambda p: p.connections,
        )

    def get_environment_connection(self, connection_id: str) -> Connection:
        return self._run(get_environment_connection_flow, connection_id)

    def create_environment_connection(
        self, connection: CreateConnection | object, flags: Flags | object = None
    ) -> Connection:
        """A connection of the environment (never retried)."""
        return self._run(create_environment_connection_flow, connection, flags)

    def update_environment_connection(
        self, connection_id: str, connection: UpdateConnection | object
    ) -> Connection:
        return self._run(update_environment_connection_flow, connection_id, connection)

    def delete_connection(self, organization_id: str, connection_id: str) -> None:
        return self._run(delete_connection_flow, organization_id, connection_id)


class AsyncConnectionClient:
    """The async twin of :class:`ConnectionClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def get_connection(self, organization_id: str, conn_id: str) -> Connection:
        return await self._run(get_connection_flow, organization_id, conn_id)

    async def list_connections_by_domain(
        self, domain: str, include: str | None = None
    ) -> ConnectionsPage:
        return await self._run(list_connections_flow, "domain", domain, include)

    async def list_connections(
        self, organization_id: str, include: str | None = None
    ) -> ConnectionsPage:
        """The organization's enabled connections (``include="all"``: every one)."""
        return await self._run(list_connections_flow, "organization_id", organization_id, include)

    async def enable_connection(self, organization_id: str, conn_id: str) -> Toggle:
        return await self._run(toggle_connection_flow, organization_id, conn_id, True)

    async def disable_connection(self, organization_id: str, conn_id: str) -> Toggle:
        return await self._run(toggle_connection_flow, organization_id, conn_id, False)

    async def create_connection(
        self, organization_id: str, connection: CreateConnection | object
    ) -> Connection:
        """A new connection of ``organization_id`` (never retried)."""
        return await self._run(create_connection_flow, organization_id, connection)

    async def list_app_connections(
        self,
        page_size: int | None = None,
        page_token: str | None = None,
        provider: str | None = None,
        query: str | None = None,
    ) -> ConnectionsPage:
        return await self._run(list_app_connections_flow, page_size, page_token, provider, query)

    def iter_app_connections(
        self, page_size: int | None = None, provider: str | None = None, query: str | None = None
    ) -> AsyncIterator[Connection]:
        return iterate_pages_async(
            lambda token: self.list_app_connections(page_size, token, provider, query),
            lambda p: p.connections,
        )

    async def get_environment_connection(self, connection_id: str) -> Connection:
        return await self._run(get_environment_connection_flow, connection_id)

    async def create_environment_connection(
        self, connection: CreateConnection | object, flags: Flags | object = None
    ) -> Connection:
        """A connection of the environment (never retried)."""
        return await self._run(create_environment_connection_flow, connection, flags)

    async def update_environment_connection(
        self, connection_id: str, connection: UpdateConnection | object
    ) -> Connection:
        return await self._run(update_environment_connection_flow, connection_id, connection)

    async def delete_connection(self, organization_id: str, connection_id: str) -> None:
        return await self._run(delete_connection_flow, organization_id, connection_id)
