"""``client.resources``: protected resources (APIs, MCP servers), their clients, secrets and
users' consents.

>>> res = client.resources.get_resource("res_1")  # doctest: +SKIP
>>> created = client.resources.create_resource_client(  # doctest: +SKIP
...     res.id, M2MClientSpec(name="agent", scopes=["todo:read"]))
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .m2m import CreatedClientSecret, CreatedM2MClient, M2MClient, M2MClientSpec
from .models import _object, _objects, _strings, _text, _total
from .organizations import page_query
from .pagination import iterate_pages, iterate_pages_async
from .wire import api_request, json_object, parse_rfc3339, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext
    from .runner import AsyncManagementRunner, SyncManagementRunner

__all__ = [
    "RESOURCE_TYPES",
    "AsyncResourceClient",
    "ConsentedUser",
    "Resource",
    "ResourceClient",
    "ResourceClientDetails",
    "ResourceClients",
    "ResourcesPage",
    "UserConsent",
    "UserConsentsPage",
]

#: The official ``ResourceType`` enum, by number.
RESOURCE_TYPES = ("RESOURCE_TYPE_UNSPECIFIED", "WEB", "MOBILE", "DESKTOP", "SERVER", "MCP_SERVER")


def _resource_type(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(RESOURCE_TYPES):
        return RESOURCE_TYPES[value]
    if isinstance(value, str) and value.upper() in RESOURCE_TYPES:
        return value.upper()
    raise ScalekitError(f"resource_type must be one of {', '.join(RESOURCE_TYPES)}")


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


@dataclass(frozen=True, slots=True)
class Resource:
    """A protected resource: an API or MCP server whose tokens Scalekit issues."""

    id: str
    name: str | None = None
    resource_type: str | None = None
    resource_uri: str | None = None
    description: str | None = None
    provider: str | None = None
    access_token_expiry: int | None = None
    refresh_token_expiry: int | None = None
    disable_dynamic_client_registration: bool = False
    scopes: tuple[dict[str, Any], ...] = ()
    create_time: datetime | None = None
    update_time: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resource:
        ident = _text(data, "id") or _text(data, "resource_id")
        if not ident:
            raise ScalekitError("the management API answered with a resource without 'id'")
        kind = data.get("resource_type")
        return cls(
            id=ident,
            name=_text(data, "name"),
            resource_type=kind if isinstance(kind, str) else None,
            resource_uri=_text(data, "resource_uri") or None,
            description=_text(data, "description") or None,
            provider=_text(data, "provider") or None,
            access_token_expiry=_int(data.get("access_token_expiry")),
            refresh_token_expiry=_int(data.get("refresh_token_expiry")),
            disable_dynamic_client_registration=(
                data.get("disable_dynamic_client_registration") is True
            ),
            scopes=tuple(_objects(data.get("scopes"))),
            create_time=parse_rfc3339(data.get("create_time")),
            update_time=parse_rfc3339(data.get("update_time")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class ResourcesPage:
    resources: tuple[Resource, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourcesPage:
        return cls(
            tuple(Resource.from_json(r) for r in _objects(data.get("resources"))),
            _text(data, "next_page_token") or "",
            _text(data, "prev_page_token") or "",
            _total(data.get("total_size")),
        )


@dataclass(frozen=True, slots=True)
class ConsentedUser:
    consent_id: str
    external_user_id: str | None = None
    scopes: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConsentedUser:
        return cls(
            _text(data, "consent_id") or "",
            _text(data, "external_user_id") or None,
            _strings(data.get("scopes")),
        )


@dataclass(frozen=True, slots=True)
class ResourceClientDetails:
    """A resource's client and the users who consented to it."""

    client: M2MClient
    consented_users: tuple[ConsentedUser, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourceClientDetails:
        return cls(
            M2MClient.from_json(_object(data.get("client")) or {}),
            tuple(ConsentedUser.from_json(u) for u in _objects(data.get("consented_users"))),
        )


@dataclass(frozen=True, slots=True)
class ResourceClients:
    """Every client of a resource (registered dynamically or made by hand)."""

    clients: tuple[M2MClient, ...]
    total_dcr_clients: int = 0
    total_static_clients: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourceClients:
        return cls(
            tuple(M2MClient.from_json(c) for c in _objects(data.get("clients"))),
            _total(data.get("total_dcr_clients")),
            _total(data.get("total_static_clients")),
        )


@dataclass(frozen=True, slots=True)
class UserConsent:
    """A user's consent to a client of a resource."""

    id: str
    external_user_id: str | None = None
    client_id: str | None = None
    client_name: str | None = None
    scopes: tuple[str, ...] = ()
    granted_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserConsent:
        return cls(
            _text(data, "id") or "",
            _text(data, "external_user_id") or None,
            _text(data, "client_id") or None,
            _text(data, "client_name") or None,
            _strings(data.get("scopes")),
            parse_rfc3339(data.get("granted_at")),
        )


@dataclass(frozen=True, slots=True)
class UserConsentsPage:
    consents: tuple[UserConsent, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserConsentsPage:
        return cls(
            tuple(UserConsent.from_json(c) for c in _objects(data.get("consents"))),
            _text(data, "next_page_token") or "",
            _text(data, "prev_page_token") or "",
            _total(data.get("total_size")),
        )


# --- flows ------------------------------------------------------------------------------------


def _resource_path(resource_id: str, client_id: str | None = None) -> str:
    path = "/resources/" + path_segment(resource_id, "resource_id")
    return path if client_id is None else path + "/clients/" + path_segment(client_id, "client_id")


def get_resource_flow(ctx: ClientContext, resource_id: str) -> Flow[Resource]:
    response = yield api_request(ctx, "GET", _resource_path(resource_id))
    return Resource.from_json(json_object(response, "resource"))


def list_resources_flow(
    ctx: ClientContext,
    resource_type: str | int,
    page_size: int | None = None,
    page_token: str | None = None,
) -> Flow[ResourcesPage]:
    query = [("resource_type", _resource_type(resource_type)), *page_query(page_size, page_token)]
    response = yield api_request(ctx, "GET", "/resources", query=query)
    return ResourcesPage.from_json(json_object(response))


def create_resource_client_flow(
    ctx: ClientContext, resource_id: str, client: object
) -> Flow[CreatedM2MClient]:
    """``POST /resources/{id}/clients``; never retried (a retry could create it twice)."""
    body = M2MClientSpec.coerce(client).to_json(resource=True)
    if not body.get("name"):
        raise ScalekitError("a resource client needs a name")
    response = yield api_request(ctx, "POST", _resource_path(resource_id) + "/clients", body=body)
    return CreatedM2MClient.from_json(json_object(response))


def get_resource_client_flow(
    ctx: ClientContext, resource_id: str, client_id: str
) -> Flow[ResourceClientDetails]:
    response = yield api_request(ctx, "GET", _resource_path(resource_id, client_id))
    return ResourceClientDetails.from_json(json_object(response))


def list_resource_clients_flow(ctx: ClientContext, resource_id: str) -> Flow[ResourceClients]:
    response = yield api_request(ctx, "GET", _resource_path(resource_id) + "/clients")
    return ResourceClients.from_json(json_object(response))


def update_resource_client_flow(
    ctx: ClientContext, resource_id: str, client_id: str, spec: M2MClientSpec
) -> Flow[M2MClient]:
    """``PATCH`` with an ``update_mask`` naming the fields given (the others stay)."""
    body = spec.to_json(resource=True)
    if not body:
        raise ScalekitError("update_resource_client needs at least one field to change")
    query = [("update_mask", ",".join(sorted(body)))]
    path = _resource_path(resource_id, client_id)
    response = yield api_request(ctx, "PATCH", path, query=query, body=body)
    return M2MClient.from_json(json_object(response, "client"))


def delete_resource_client_flow(ctx: ClientContext, resource_id: str, client_id: str) -> Flow[None]:
    response = yield api_request(ctx, "DELETE", _resource_path(resource_id, client_id))
    raise_for_api_error(response)


def create_client_secret_flow(ctx: ClientContext, client_id: str) -> Flow[CreatedClientSecret]:
    """``POST /clients/{id}/secrets``; never retried (a retry would make two)."""
    path = "/clients/" + path_segment(client_id, "client_id") + "/secrets"
    response = yield api_request(ctx, "POST", path)
    return CreatedClientSecret.from_json(json_object(response))


def delete_client_secret_flow(ctx: ClientContext, client_id: str, secret_id: str) -> Flow[None]:
    path = "/clients/" + path_segment(client_id, "client_id")
    path += "/secrets/" + path_segment(secret_id, "secret_id")
    response = yield api_request(ctx, "DELETE", path)
    raise_for_api_error(response)


def list_user_consents_flow(
    ctx: ClientContext,
    resource_id: str,
    search: str | None = None,
    page_size: int | None = None,
    page_token: str | None = None,
    user_ids: Sequence[str] | None = None,
) -> Flow[UserConsentsPage]:
    path_segment(resource_id, "resource_id")
    query = [("resource_id", resource_id), *page_query(page_size, page_token)]
    if search:
        query.append(("search", search))
    query += [("filter.external_user_id", user) for user in user_ids or ()]
    response = yield api_request(ctx, "GET", "/user_consents", query=query)
    return UserConsentsPage.from_json(json_object(response))


def revoke_user_consent_flow(ctx: ClientContext, client_id: str, consent_id: str) -> Flow[None]:
    path = "/clients/" + path_segment(client_id, "client_id")
    path += "/consents/" + path_segment(consent_id, "consent_id")
    response = yield api_request(ctx, "DELETE", path)
    raise_for_api_error(response)


def _spec(
    name: str | None,
    description: str | None,
    scopes: Sequence[str] | None,
    custom_claims: Mapping[str, str] | Sequence[Any] | None,
    expiry: int | None,
    redirect_uris: Sequence[str] | None,
) -> M2MClientSpec:
    return M2MClientSpec(name, description, scopes, None, custom_claims, expiry, redirect_uris)


# --- sub-clients ------------------------------------------------------------------------------


class ResourceClient:
    """``client.resources``: resources, their clients and secrets, users' consents."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def get_resource(self, resource_id: str) -> Resource:
        return self._run(get_resource_flow, resource_id)

    def list_resources(
        self,
        resource_type: str | int,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> ResourcesPage:
        """The resources of one type (``"MCP_SERVER"``, or the official enum's number)."""
        return self._run(list_resources_flow, resource_type, page_size, page_token)

    def iter_resources(
        self, resource_type: str | int, page_size: int | None = None
    ) -> Iterator[Resource]:
        return iterate_pages(
            lambda token: self.list_resources(resource_type, page_size, token),
            lambda p: p.resources,
        )

    def create_resource_client(
        self, resource_id: str, client: M2MClientSpec | object
    ) -> CreatedM2MClient:
        """A new client of the resource, with its first secret (shown once)."""
        return self._run(create_resource_client_flow, resource_id, client)

    def get_resource_client(self, resource_id: str, client_id: str) -> ResourceClientDetails:
        return self._run(get_resource_client_flow, resource_id, client_id)

    def list_resource_clients(self, resource_id: str) -> ResourceClients:
        return self._run(list_resource_clients_flow, resource_id)

    def update_resource_client(
        self,
        resource_id: str,
        client_id: str,
        name: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] | None = None,
        custom_claims: Mapping[str, str] | Sequence[Any] | None = None,
        expiry: int | None = None,
        redirect_uris: Sequence[str] | None = None,
    ) -> M2MClient:
        """Change the fields given (the others stay)."""
        spec = _spec(name, description, scopes, custom_claims, expiry, redirect_uris)
        return self._run(update_resource_client_flow, resource_id, client_id, spec)

    def delete_resource_client(self, resource_id: str, client_id: str) -> None:
        return self._run(delete_resource_client_flow, resource_id, client_id)

    def create_resource_client_secret(
        self, resource_id: str, client_id: str
    ) -> CreatedClientSecret:
        """Another secret of the client; ``plain_secret`` is shown this once."""
        del resource_id  # Scalekit addresses a client's secrets by the client alone
        return self._run(create_client_secret_flow, client_id)

    def delete_resource_client_secret(
        self, resource_id: str, client_id: str, secret_id: str
    ) -> None:
        del resource_id
        return self._run(delete_client_secret_flow, client_id, secret_id)

    def list_user_consents(
        self,
        resource_id: str,
        search: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        user_ids: Sequence[str] | None = None,
    ) -> UserConsentsPage:
        return self._run(
            list_user_consents_flow, resource_id, search, page_size, page_token, user_ids
        )

    def revoke_user_consent(self, client_id: str, consent_id: str) -> None:
        return self._run(revoke_user_consent_flow, client_id, consent_id)


class AsyncResourceClient:
    """The async twin of :class:`ResourceClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def get_resource(self, resource_id: str) -> Resource:
        return await self._run(get_resource_flow, resource_id)

    async def list_resources(
        self,
        resource_type: str | int,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> ResourcesPage:
        """The resources of one type (``"MCP_SERVER"``, or the official enum's number)."""
        return await self._run(list_resources_flow, resource_type, page_size, page_token)

    def iter_resources(
        self, resource_type: str | int, page_size: int | None = None
    ) -> AsyncIterator[Resource]:
        return iterate_pages_async(
            lambda token: self.list_resources(resource_type, page_size, token),
            lambda p: p.resources,
        )

    async def create_resource_client(
        self, resource_id: str, client: M2MClientSpec | object
    ) -> CreatedM2MClient:
        """A new client of the resource, with its first secret (shown once)."""
        return await self._run(create_resource_client_flow, resource_id, client)

    async def get_resource_client(self, resource_id: str, client_id: str) -> ResourceClientDetails:
        return await self._run(get_resource_client_flow, resource_id, client_id)

    async def list_resource_clients(self, resource_id: str) -> ResourceClients:
        return await self._run(list_resource_clients_flow, resource_id)

    async def update_resource_client(
        self,
        resource_id: str,
        client_id: str,
        name: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] | None = None,
        custom_claims: Mapping[str, str] | Sequence[Any] | None = None,
        expiry: int | None = None,
        redirect_uris: Sequence[str] | None = None,
    ) -> M2MClient:
        """Change the fields given (the others stay)."""
        spec = _spec(name, description, scopes, custom_claims, expiry, redirect_uris)
        return await self._run(update_resource_client_flow, resource_id, client_id, spec)

    async def delete_resource_client(self, resource_id: str, client_id: str) -> None:
        return await self._run(delete_resource_client_flow, resource_id, client_id)

    async def create_resource_client_secret(
        self, resource_id: str, client_id: str
    ) -> CreatedClientSecret:
        """Another secret of the client; ``plain_secret`` is shown this once."""
        del resource_id  # Scalekit addresses a client's secrets by the client alone
        return await self._run(create_client_secret_flow, client_id)

    async def delete_resource_client_secret(
        self, resource_id: str, client_id: str, secret_id: str
    ) -> None:
        del resource_id
        return await self._run(delete_client_secret_flow, client_id, secret_id)

    async def list_user_consents(
        self,
        resource_id: str,
        search: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        user_ids: Sequence[str] | None = None,
    ) -> UserConsentsPage:
        return await self._run(
            list_user_consents_flow, resource_id, search, page_size, page_token, user_ids
        )

    async def revoke_user_consent(self, client_id: str, consent_id: str) -> None:
        return await self._run(revoke_user_consent_flow, client_id, consent_id)
