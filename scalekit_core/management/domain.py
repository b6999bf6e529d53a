"""``client.domain``: an organization's domains (for home-realm discovery and allowed emails)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..flows import Flow
from .models import Domain
from .runner import AsyncManagementRunner, SyncManagementRunner
from .wire import api_request, enum_name, json_object, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = ["AsyncDomainClient", "DomainClient"]

_DOMAIN_TYPES = ("DOMAIN_TYPE_UNSPECIFIED", "ALLOWED_EMAIL_DOMAIN", "ORGANIZATION_DOMAIN")


def _path(organization_id: str, domain_id: str | None = None) -> str:
    path = "/organizations/" + path_segment(organization_id, "organization_id") + "/domains"
    return path + ("/" + path_segment(domain_id, "domain_id") if domain_id is not None else "")


def _domain_type(value: object) -> str | None:
    if value is None or value == "UNSPECIFIED":
        return None
    return enum_name(value, _DOMAIN_TYPES, "domain_type")


def create_domain_flow(
    ctx: ClientContext, organization_id: str, domain_name: str, domain_type: object = None
) -> Flow[Domain]:
    """Never retried (a retry could add it twice)."""
    body: dict[str, str] = {"domain": domain_name}
    kind = _domain_type(domain_type)
    if kind is not None:
        body["domain_type"] = kind
    path_segment(domain_name, "domain_name")  # a clear error for an empty name
    response = yield api_request(ctx, "POST", _path(organization_id), body=body)
    return Domain.from_json(json_object(response, "domain"))


def get_domain_flow(ctx: ClientContext, organization_id: str, domain_id: str) -> Flow[Domain]:
    response = yield api_request(ctx, "GET", _path(organization_id, domain_id))
    return Domain.from_json(json_object(response, "domain"))


def list_domains_flow(
    ctx: ClientContext, organization_id: str, domain_type: object = None
) -> Flow[tuple[Domain, ...]]:
    kind = _domain_type(domain_type)
    query = [("domain_type", kind)] if kind is not None else []
    response = yield api_request(ctx, "GET", _path(organization_id), query=query)
    domains = json_object(response).get("domains")
    return tuple(Domain.from_json(d) for d in domains or () if isinstance(d, dict))


def delete_domain_flow(ctx: ClientContext, organization_id: str, domain_id: str) -> Flow[None]:
    raise_for_api_error((yield api_request(ctx, "DELETE", _path(organization_id, domain_id))))


class DomainClient:
    """Domains of an organization: add, read, list, remove."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def create_domain(
        self, organization_id: str, domain_name: str, domain_type: object = None
    ) -> Domain:
        """``domain_type``: ``"ORGANIZATION_DOMAIN"`` (the default) or ``"ALLOWED_EMAIL_DOMAIN"``."""
        return self._run(create_domain_flow, organization_id, domain_name, domain_type)

    def list_domains(self, organization_id: str, domain_type: object = None) -> tuple[Domain, ...]:
        return self._run(list_domains_flow, organization_id, domain_type)

    def get_domain(self, organization_id: str, domain_id: str) -> Domain:
        return self._run(get_domain_flow, organization_id, domain_id)

    def delete_domain(self, organization_id: str, domain_id: str) -> None:
        return self._run(delete_domain_flow, organization_id, domain_id)


class AsyncDomainClient:
    """The async twin of :class:`DomainClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def create_domain(
        self, organization_id: str, domain_name: str, domain_type: object = None
    ) -> Domain:
        """``domain_type``: ``"ORGANIZATION_DOMAIN"`` (the default) or ``"ALLOWED_EMAIL_DOMAIN"``."""
        return await self._run(create_domain_flow, organization_id, domain_name, domain_type)

    async def list_domains(
        self, organization_id: str, domain_type: object = None
    ) -> tuple[Domain, ...]:
        return await self._run(list_domains_flow, organization_id, domain_type)

    async def get_domain(self, organization_id: str, domain_id: str) -> Domain:
        return await self._run(get_domain_flow, organization_id, domain_id)

    async def delete_domain(self, organization_id: str, domain_id: str) -> None:
        return await self._run(delete_domain_flow, organization_id, domain_id)
