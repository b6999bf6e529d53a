"""Organization flows: one request each, answered by a frozen model or an ``APIError``."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .models import (
    Organization,
    OrganizationsPage,
    PortalLink,
    SessionPolicy,
    UserManagementSettings,
)
from .values import CreateOrganization, UpdateOrganization
from .wire import api_request, enum_name, json_object, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = [
    "create_organization_flow",
    "delete_organization_flow",
    "generate_portal_link_flow",
    "get_organization_by_external_id_flow",
    "get_organization_flow",
    "get_organization_session_policy_flow",
    "list_organizations_flow",
    "page_query",
    "update_organization_by_external_id_flow",
    "update_organization_flow",
    "update_organization_session_policy_flow",
    "update_organization_settings_flow",
    "upsert_user_management_settings_flow",
]

# The official enums' value order, so a protobuf enum's number reads as its name.
_FEATURES = ("FEATURE_UNSPECIFIED", "UNSPECIFIED", "dir_sync", "sso")
_POLICY_SOURCES = ("SESSION_POLICY_TYPE_UNSPECIFIED", "APPLICATION", "CUSTOM")
_TIME_UNITS = ("SESSION_TIME_UNIT_UNSPECIFIED", "MINUTES", "HOURS", "DAYS")


def _org_path(organization_id: str, rest: str = "") -> str:
    return "/organizations/" + path_segment(organization_id, "organization_id") + rest


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


def _update_body(update: object, fields: dict[str, Any] | None) -> dict[str, Any]:
    if update is None:
        try:
            update = UpdateOrganization(**(fields or {}))
        except TypeError as exc:
            raise ScalekitError(f"update_organization: {exc}") from None
    body = UpdateOrganization.coerce(update).to_json()
    if not body:
        raise ScalekitError("update_organization needs at least one field to change")
    return body


def update_organization_flow(
    ctx: ClientContext,
    organization_id: str,
    update: object = None,
    fields: dict[str, Any] | None = None,
) -> Flow[Organization]:
    """``PATCH /organizations/{id}`` with only the changed fields (``update`` or ``fields``)."""
    body = _update_body(update, fields)
    response = yield api_request(ctx, "PATCH", _org_path(organization_id), body=body)
    return Organization.from_json(json_object(response, "organization"))


def update_organization_by_external_id_flow(
    ctx: ClientContext,
    external_id: str,
    update: object = None,
    fields: dict[str, Any] | None = None,
) -> Flow[Organization]:
    """The organization of ``external_id`` is looked up, then updated by its id."""
    body = _update_body(update, fields)
    path = "/organizations:external/" + path_segment(external_id, "external_id")
    found = Organization.from_json(
        json_object((yield api_request(ctx, "GET", path)), "organization")
    )
    response = yield api_request(ctx, "PATCH", _org_path(found.id), body=body)
    return Organization.from_json(json_object(response, "organization"))


def update_organization_settings_flow(
    ctx: ClientContext, organization_id: str, settings: object
) -> Flow[Organization]:
    """``PATCH /organizations/{id}/settings``: ``settings`` is ``[{"name": "sso", "enabled": True}]``."""
    if isinstance(settings, dict):
        settings = settings.get("features")
    if not isinstance(settings, (list, tuple)) or not all(
        isinstance(f, dict)
        and isinstance(f.get("name"), str)
        and isinstance(f.get("enabled"), bool)
        for f in settings
    ):
        raise ScalekitError('settings must be a list of {"name": str, "enabled": bool}')
    body = {"features": [{"name": f["name"], "enabled": f["enabled"]} for f in settings]}
    response = yield api_request(ctx, "PATCH", _org_path(organization_id, "/settings"), body=body)
    return Organization.from_json(json_object(response, "organization"))


def upsert_user_management_settings_flow(
    ctx: ClientContext, organization_id: str, max_allowed_users: int | None = None
) -> Flow[UserManagementSettings]:
    settings: dict[str, Any] = {}
    if max_allowed_users is not None:
        if isinstance(max_allowed_users, bool) or not isinstance(max_allowed_users, int):
            raise ScalekitError("max_allowed_users must be an integer")
        settings["max_allowed_users"] = max_allowed_users
    path = _org_path(organization_id, "/settings/usermanagement")
    response = yield api_request(ctx, "PATCH", path, body={"settings": settings})
    return UserManagementSettings.from_json(json_object(response, "settings"))


def get_organization_session_policy_flow(
    ctx: ClientContext, organization_id: str
) -> Flow[SessionPolicy]:
    response = yield api_request(ctx, "GET", _org_path(organization_id, "/session-policy"))
    return SessionPolicy.from_json(json_object(response, "policy"))


def update_organization_session_policy_flow(
    ctx: ClientContext,
    organization_id: str,
    policy_source: object,
    absolute_session_timeout: int | None = None,
    absolute_session_timeout_unit: object = None,
    idle_session_timeout_enabled: bool | None = None,
    idle_session_timeout: int | None = None,
    idle_session_timeout_unit: object = None,
) -> Flow[SessionPolicy]:
    body: dict[str, Any] = {
        "policy_source": enum_name(policy_source, _POLICY_SOURCES, "policy_source")
    }
    for name, number in (
        ("absolute_session_timeout", absolute_session_timeout),
        ("idle_session_timeout", idle_session_timeout),
    ):
        if number is not None:
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise ScalekitError(f"{name} must be a non-negative integer")
            body[name] = number
    for name, unit in (
        ("absolute_session_timeout_unit", absolute_session_timeout_unit),
        ("idle_session_timeout_unit", idle_session_timeout_unit),
    ):
        if unit is not None:
            body[name] = enum_name(unit, _TIME_UNITS, name)
    if idle_session_timeout_enabled is not None:
        body["idle_session_timeout_enabled"] = bool(idle_session_timeout_enabled)
    path = _org_path(organization_id, "/session-policy")
    response = yield api_request(ctx, "PATCH", path, body=body)
    return SessionPolicy.from_json(json_object(response, "policy"))


def delete_organization_flow(ctx: ClientContext, organization_id: str) -> Flow[None]:
    path = "/organizations/" + path_segment(organization_id, "organization_id")
    response = yield api_request(ctx, "DELETE", path)
    raise_for_api_error(response)


def generate_portal_link_flow(
    ctx: ClientContext, organization_id: str, features: object = None
) -> Flow[PortalLink]:
    """``PUT /organizations/{id}/portal_links``: a link to the admin portal.

    ``features`` limits it to ``["sso"]``, ``["dir_sync"]`` or both (names or the official enum).
    """
    if features is None:
        features = ()
    elif isinstance(features, (str, int, Enum)):
        features = [features]
    if not isinstance(features, (list, tuple)):
        raise ScalekitError("features must be a list of feature names")
    query = [("features", enum_name(f, _FEATURES, "features")) for f in features]
    response = yield api_request(
        ctx, "PUT", _org_path(organization_id, "/portal_links"), query=query
    )
    return PortalLink.from_json(json_object(response, "link"))
