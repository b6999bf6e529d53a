"""``client.m2m_client``: an organization's machine-to-machine clients and their secrets.

An organization's M2M client gets client-credentials tokens carrying that organization
(``oid``), its scopes and custom claims: the machine principal the machine guards accept.

>>> from scalekit_core.management import M2MClientSpec
>>> created = client.m2m_client.create_organization_client(  # doctest: +SKIP
...     "org_1", M2MClientSpec(name="billing-sync", scopes=["read:invoices"]))
>>> created.client.client_id, created.plain_secret  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .models import _object, _objects, _strings, _text, _total
from .organizations import page_query
from .pagination import iterate_pages, iterate_pages_async
from .wire import api_request, json_object, parse_rfc3339, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext
    from .runner import AsyncManagementRunner, SyncManagementRunner

__all__ = [
    "AsyncM2MClientsClient",
    "ClientSecret",
    "CreatedClientSecret",
    "CreatedM2MClient",
    "M2MClient",
    "M2MClientSpec",
    "M2MClientsClient",
    "M2MClientsPage",
    "custom_claims_map",
]


def custom_claims_map(value: object) -> dict[str, str]:
    """Custom claims from Scalekit's ``[{key, value}]`` list or from a plain object."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
    claims: dict[str, str] = {}
    for item in _objects(value):
        key, text = item.get("key"), item.get("value")
        if isinstance(key, str) and isinstance(text, str):
            claims[key] = text
    return claims


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():  # proto3 JSON int64
        return int(value)
    return None


def _claims_json(value: object) -> list[dict[str, str]]:
    """``[{key, value}]`` from a mapping, or from a list of ``CustomClaim``-like objects."""
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, (list, tuple)):
        items = [
            (c.get("key"), c.get("value"))
            if isinstance(c, Mapping)
            else (getattr(c, "key", None), getattr(c, "value", None))
            for c in value
        ]
    else:
        raise ScalekitError("custom_claims must be a mapping or a list of key/value claims")
    claims = [{"key": k, "value": v} for k, v in items if isinstance(k, str) and k]
    if any(not isinstance(c["value"], str) for c in claims):
        raise ScalekitError("custom claim values must be strings")
    return claims


@dataclass(frozen=True, slots=True)
class M2MClientSpec:
    """The fields of a machine client to create or change (the official SDK's
    ``OrganizationClient`` / ``ResourceClient`` message, as a value).

    ``None`` leaves a field out (unchanged on update); ``custom_claims`` is a mapping (or
    a list of objects with ``key`` and ``value``); ``expiry`` is the tokens' lifetime in
    seconds; ``redirect_uris`` applies to resource clients only.
    """

    name: str | None = None
    description: str | None = None
    scopes: Sequence[str] | None = None
    audience: Sequence[str] | None = None
    custom_claims: Mapping[str, str] | Sequence[Any] | None = None
    expiry: int | None = None
    redirect_uris: Sequence[str] | None = None

    @classmethod
    def coerce(cls, value: object) -> M2MClientSpec:
        """``value`` itself, a mapping of the fields, or a copy of the same-named attributes
        (e.g. the official protobuf message, whose empty fields count as not given)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            try:
                return cls(**value)
            except TypeError as exc:
                raise ScalekitError(f"M2MClientSpec: {exc}") from None

        def given(name: str) -> Any:
            found: Any = getattr(value, name, None)
            if isinstance(found, (str, int)) and not isinstance(found, bool):
                return found or None
            if isinstance(found, Iterable):  # a protobuf repeated field, or any iterable
                return list(found) or None
            return None

        return cls(
            name=given("name"),
            description=given("description"),
            scopes=given("scopes"),
            audience=given("audience"),
            custom_claims=given("custom_claims"),
            expiry=given("expiry"),
            redirect_uris=given("redirect_uris"),
        )

    def to_json(self, *, resource: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for name in ("name", "description"):
            text = getattr(self, name)
            if text is not None:
                if not isinstance(text, str):
                    raise ScalekitError(f"{name} must be a string")
                body[name] = text
        lists = ("scopes", "audience", "redirect_uris") if resource else ("scopes", "audience")
        for name in lists:
            items = getattr(self, name)
            if items is not None:
                if isinstance(items, str) or not all(isinstance(i, str) for i in items):
                    raise ScalekitError(f"{name} must be a list of strings")
                body[name] = list(items)
        if self.redirect_uris is not None and not resource:
            raise ScalekitError("redirect_uris applies to resource clients only")
        if self.custom_claims is not None:
            body["custom_claims"] = _claims_json(self.custom_claims)
        if self.expiry is not None:
            if isinstance(self.expiry, bool) or not isinstance(self.expiry, int) or self.expiry < 0:
                raise ScalekitError("expiry must be a non-negative number of seconds")
            body["expiry"] = self.expiry
        return body


@dataclass(frozen=True, slots=True)
class ClientSecret:
    """A client secret as Scalekit shows it later: its suffix, never the secret itself."""

    id: str
    secret_suffix: str | None = None
    status: str | None = None
    created_by: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    expire_time: datetime | None = None
    last_used_time: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClientSecret:
        return cls(
            id=_text(data, "id") or "",
            secret_suffix=_text(data, "secret_suffix"),
            status=_text(data, "status"),
            created_by=_text(data, "created_by"),
            create_time=parse_rfc3339(data.get("create_time")),
            update_time=parse_rfc3339(data.get("update_time")),
            expire_time=parse_rfc3339(data.get("expire_time")),
            last_used_time=parse_rfc3339(data.get("last_used_time")),
            raw={k: v for k, v in data.items() if k != "plain_secret"},
        )


@dataclass(frozen=True, slots=True)
class M2MClient:
    """A machine-to-machine client (of an organization, or of a resource)."""

    client_id: str
    name: str | None = None
    description: str | None = None
    organization_id: str | None = None
    resource_id: str | None = None
    scopes: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    custom_claims: dict[str, str] = field(default_factory=dict)
    expiry: int | None = None
    redirect_uris: tuple[str, ...] = ()
    secrets: tuple[ClientSecret, ...] = ()
    create_time: datetime | None = None
    update_time: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The same as ``client_id``."""
        return self.client_id

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> M2MClient:
        client_id = _text(data, "client_id") or _text(data, "id")
        if not client_id:
            raise ScalekitError("the management API answered with a client without 'client_id'")
        return cls(
            client_id=client_id,
            name=_text(data, "name"),
            description=_text(data, "description"),
            organization_id=_text(data, "organization_id") or None,
            resource_id=_text(data, "resource_id") or None,
            scopes=_strings(data.get("scopes")),
            audience=_strings(data.get("audience")),
            custom_claims=custom_claims_map(data.get("custom_claims")),
            expiry=_int(data.get("expiry")),
            redirect_uris=_strings(data.get("redirect_uris")),
            secrets=tuple(ClientSecret.from_json(s) for s in _objects(data.get("secrets"))),
            create_time=parse_rfc3339(data.get("create_time")),
            update_time=parse_rfc3339(data.get("update_time")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class CreatedM2MClient:
    """A new client and its first secret: ``plain_secret`` is shown this once only."""

    client: M2MClient
    plain_secret: str = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CreatedM2MClient:
        return cls(M2MClient.from_json(_object(data.get("client")) or {}), _secret(data))


@dataclass(frozen=True, slots=True)
class CreatedClientSecret:
    """A new secret of a client: ``plain_secret`` is shown this once only."""

    secret: ClientSecret
    plain_secret: str = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CreatedClientSecret:
        return cls(ClientSecret.from_json(_object(data.get("secret")) or {}), _secret(data))


def _secret(data: Mapping[str, Any]) -> str:
    secret = _text(data, "plain_secret")
    if not secret:
        raise ScalekitError("the management API answered without 'plain_secret'")
    return secret


@dataclass(frozen=True, slots=True)
class M2MClientsPage:
    """One page of an organization's machine clients."""

    clients: tuple[M2MClient, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_size: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> M2MClientsPage:
        return cls(
            tuple(M2MClient.from_json(c) for c in _objects(data.get("clients"))),
            _text(data, "next_page_token") or "",
            _text(data, "prev_page_token") or "",
            _total(data.get("total_size")),
        )


# --- flows ------------------------------------------------------------------------------------


def _clients_path(organization_id: str, client_id: str | None = None) -> str:
    path = "/organizations/" + path_segment(organization_id, "organization_id") + "/clients"
    return path if client_id is None else path + "/" + path_segment(client_id, "client_id")


def create_organization_client_flow(
    ctx: ClientContext, organization_id: str, m2m_client: object
) -> Flow[CreatedM2MClient]:
    """``POST /organizations/{id}/clients``; never retried (a retry could create it twice)."""
    body = M2MClientSpec.coerce(m2m_client).to_json()
    if not body.get("name"):
        raise ScalekitError("a machine client needs a name")
    response = yield api_request(ctx, "POST", _clients_path(organization_id), body=body)
    return CreatedM2MClient.from_json(json_object(response))


def get_organization_client_flow(
    ctx: ClientContext, organization_id: str, client_id: str
) -> Flow[M2MClient]:
    response = yield api_request(ctx, "GET", _clients_path(organization_id, client_id))
    return M2MClient.from_json(json_object(response, "client"))


def update_organization_client_flow(
    ctx: ClientContext, organization_id: str, client_id: str, m2m_client: object
) -> Flow[M2MClient]:
    body = M2MClientSpec.coerce(m2m_client).to_json()
    if not body:
        raise ScalekitError("update_organization_client needs at least one field to change")
    path = _clients_path(organization_id, client_id)
    response = yield api_request(ctx, "PATCH", path, body=body)
    return M2MClient.from_json(json_object(response, "client"))


def delete_organization_client_flow(
    ctx: ClientContext, organization_id: str, client_id: str
) -> Flow[None]:
    response = yield api_request(ctx, "DELETE", _clients_path(organization_id, client_id))
    raise_for_api_error(response)


def add_organization_client_secret_flow(
    ctx: ClientContext, organization_id: str, client_id: str
) -> Flow[CreatedClientSecret]:
    """``POST .../secrets``: a new secret; never retried (a retry would make two)."""
    path = _clients_path(organization_id, client_id) + "/secrets"
    response = yield api_request(ctx, "POST", path)
    return CreatedClientSecret.from_json(json_object(response))


def remove_organization_client_secret_flow(
    ctx: ClientContext, organization_id: str, client_id: str, secret_id: str
) -> Flow[None]:
    path = _clients_path(organization_id, client_id) + "/secrets/"
    path += path_segment(secret_id, "secret_id")
    response = yield api_request(ctx, "DELETE", path)
    raise_for_api_error(response)


def list_organization_clients_flow(
    ctx: ClientContext,
    organization_id: str,
    page_size: int | None = None,
    page_token: str | None = None,
) -> Flow[M2MClientsPage]:
    query = page_query(page_size, page_token)
    response = yield api_request(ctx, "GET", _clients_path(organization_id), query=query)
    return M2MClientsPage.from_json(json_object(response))


# --- sub-clients ------------------------------------------------------------------------------


class M2MClientsClient:
    """``client.m2m_client``: an organization's machine clients and their secrets."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def create_organization_client(
        self, organization_id: str, m2m_client: M2MClientSpec | object
    ) -> CreatedM2MClient:
        """A new machine client of the organization, with its first secret (shown once)."""
        return self._run(create_organization_client_flow, organization_id, m2m_client)

    def delete_organization_client(self, organization_id: str, client_id: str) -> None:
        return self._run(delete_organization_client_flow, organization_id, client_id)

    def get_organization_client(self, organization_id: str, client_id: str) -> M2MClient:
        return self._run(get_organization_client_flow, organization_id, client_id)

    def update_organization_client(
        self, organization_id: str, client_id: str, m2m_client: M2MClientSpec | object
    ) -> M2MClient:
        """Change the fields given in ``m2m_client`` (``None`` ones stay)."""
        return self._run(update_organization_client_flow, organization_id, client_id, m2m_client)

    def add_organization_client_secret(
        self, organization_id: str, client_id: str
    ) -> CreatedClientSecret:
        """Another secret (for rotation); ``plain_secret`` is shown this once."""
        return self._run(add_organization_client_secret_flow, organization_id, client_id)

    def remove_organization_client_secret(
        self, organization_id: str, client_id: str, secret_id: str
    ) -> None:
        return self._run(
            remove_organization_client_secret_flow, organization_id, client_id, secret_id
        )

    def list_organization_clients(
        self, organization_id: str, page_size: int | None = None, page_token: str | None = None
    ) -> M2MClientsPage:
        return self._run(list_organization_clients_flow, organization_id, page_size, page_token)

    def iter_organization_clients(
        self, organization_id: str, page_size: int | None = None
    ) -> Iterator[M2MClient]:
        """Every machine client of the organization, page after page."""
        return iterate_pages(
            lambda token: self.list_organization_clients(organization_id, page_size, token),
            lambda p: p.clients,
        )


class AsyncM2MClientsClient:
    """The async twin of :class:`M2MClientsClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def create_organization_client(
        self, organization_id: str, m2m_client: M2MClientSpec | object
    ) -> CreatedM2MClient:
        """A new machine client of the organization, with its first secret (shown once)."""
        return await self._run(create_organization_client_flow, organization_id, m2m_client)

    async def delete_organization_client(self, organization_id: str, client_id: str) -> None:
        return await self._run(delete_organization_client_flow, organization_id, client_id)

    async def get_organization_client(self, organization_id: str, client_id: str) -> M2MClient:
        return await self._run(get_organization_client_flow, organization_id, client_id)

    async def update_organization_client(
        self, organization_id: str, client_id: str, m2m_client: M2MClientSpec | object
    ) -> M2MClient:
        """Change the fields given in ``m2m_client`` (``None`` ones stay)."""
        return await self._run(
            update_organization_client_flow, organization_id, client_id, m2m_client
        )

    async def add_organization_client_secret(
        self, organization_id: str, client_id: str
    ) -> CreatedClientSecret:
        """Another secret (for rotation); ``plain_secret`` is shown this once."""
        return await self._run(add_organization_client_secret_flow, organization_id, client_id)

    async def remove_organization_client_secret(
        self, organization_id: str, client_id: str, secret_id: str
    ) -> None:
        return await self._run(
            remove_organization_client_secret_flow, organization_id, client_id, secret_id
        )

    async def list_organization_clients(
        self, organization_id: str, page_size: int | None = None, page_token: str | None = None
    ) -> M2MClientsPage:
        return await self._run(
            list_organization_clients_flow, organization_id, page_size, page_token
        )

    def iter_organization_clients(
        self, organization_id: str, page_size: int | None = None
    ) -> AsyncIterator[M2MClient]:
        """Every machine client of the organization (``async for``)."""
        return iterate_pages_async(
            lambda token: self.list_organization_clients(organization_id, page_size, token),
            lambda p: p.clients,
        )
