"""Organization flows: one request each, answered by a frozen model or an ``APIError``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .models import Organization, OrganizationsPage, PortalLink
from .values import CreateOrganization, UpdateOrganization
from .wire import api_request, json_object, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = [
    "create_organization_flow",
    "delete_organization_flow",
    "generate_portal_link_flow",
    "get_organization_by_external_id_flow",
    "get_organization_flow",
    "list_organizations_flow",
    "page_query",
    "update_organization_flow",
]


def page_query(page_size: int | None, page_token: str | None) -> list[tuple[str, str]]:
    """``page_size`` and ``page_token`` when given (shared by every listing)."""
    query: list[tuple[str, str]] = []
    if page_size is not None:
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 0:
            raise ScalekitError("page_size must be a non-negative integer")
        query.append(("page_size", str(page_size)))
    if page_token:
        query.append(("page_token", page_token))
    return query


def create_organization_flow(
    ctx: ClientContext, organization: CreateOrganization | object
) -> Flow[Organization]:
    """``POST /organizations``; never retried (a retry could create it twice)."""
    body = CreateOrganization.coerce(organization).to_json()
    request = api_request(ctx, "POST", "/organizations", body=body)
    response = yield request
    return Organization.from_json(json_object(response, "organization"))


def get_organization_flow(ctx: ClientContext, organization_id: str) -> Flow[Organization]:
    path = "/organizations/" + path_segment(organization_id, "organization_id")
    response = yield api_request(ctx, "GET", path)
    return Organization.from_json(json_object(response, "organization"))


def get_organization_by_external_id_flow(
    ctx: ClientContext, external_id: str
) -> Flow[Organization]:
    path = "/organizations:external/" + path_segment(external_id, "external_id")
    response = yield api_request(ctx, "GET", path)
    return Organization.from_json(json_object(response, "organization"))


def list_organizations_flow(
    ctx: ClientContext, page_size: int | None = None, page_token: str | None = None
) -> Flow[OrganizationsPage]:
    query = page_query(page_size, page_token)
    response = yield api_request(ctx, "GET", "/organizations", query=query)
    return OrganizationsPage.from_json(json_object(response))


def update_organization_flow(
    ctx: ClientContext,
    organization_id: str,
    update: UpdateOrganization | None = None,
    fields: dict[str, Any] | None = None,
) -> Flow[Organization]:
    """``PATCH /organizations/{id}`` with only the changed fields (``update`` or ``fields``)."""
    if update is None:
        try:
            update = UpdateOrganization(**(fields or {}))
        except TypeError as exc:
            raise ScalekitError(f"update_organization: {exc}") from None
    body = update.to_json()
    if not body:
        raise ScalekitError("update_organization needs at least one field to change")
    path = "/organizations/" + path_segment(organization_id, "organization_id")
    response = yield api_request(ctx, "PATCH", path, body=body)
    return Organization.from_json(json_object(response, "organization"))


def delete_organization_flow(ctx: ClientContext, organization_id: str) -> Flow[None]:
    path = "/organizations/" + path_segment(organization_id, "organization_id")
    response = yield api_request(ctx, "DELETE", path)
    raise_for_api_error(response)


def generate_portal_link_flow(ctx: ClientContext, organization_id: str) -> Flow[PortalLink]:
    """``PUT /organizations/{id}/portal_links``: a link to the admin portal."""
    path = "/organizations/" + path_segment(organization_id, "organization_id") + "/portal_links"
    response = yield api_request(ctx, "PUT", path)
    return PortalLink.from_json(json_object(response, "link"))
