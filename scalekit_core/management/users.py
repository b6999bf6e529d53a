"""User flows: get, list (all or one organization's), create with membership, update, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .messages import CreateMembership, UpdateMembership
from .models import Invite, Permission, Role, User, UsersPage, permission_list, role_list
from .organizations import page_query
from .values import CreateUser, UpdateUser
from .wire import api_request, json_object, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = [
    "create_membership_flow",
    "create_user_flow",
    "delete_membership_flow",
    "delete_user_by_external_id_flow",
    "delete_user_flow",
    "get_user_by_external_id_flow",
    "get_user_flow",
    "list_organization_users_flow",
    "list_user_permissions_flow",
    "list_user_roles_flow",
    "list_users_flow",
    "resend_invite_flow",
    "update_membership_flow",
    "update_user_by_external_id_flow",
    "update_user_flow",
]


def get_user_flow(ctx: ClientContext, user_id: str) -> Flow[User]:
    response = yield api_request(ctx, "GET", "/users/" + path_segment(user_id, "user_id"))
    return User.from_json(json_object(response, "user"))


def list_users_flow(
    ctx: ClientContext, page_size: int | None = None, page_token: str | None = None
) -> Flow[UsersPage]:
    response = yield api_request(ctx, "GET", "/users", query=page_query(page_size, page_token))
    return UsersPage.from_json(json_object(response))


def list_organization_users_flow(
    ctx: ClientContext,
    organization_id: str,
    page_size: int | None = None,
    page_token: str | None = None,
) -> Flow[UsersPage]:
    path = "/organizations/" + path_segment(organization_id, "organization_id") + "/users"
    response = yield api_request(ctx, "GET", path, query=page_query(page_size, page_token))
    return UsersPage.from_json(json_object(response))


def create_user_flow(
    ctx: ClientContext, organization_id: str, user: object, send_invitation_email: bool = True
) -> Flow[User]:
    """``POST /organizations/{id}/users``: a new user and their membership; never retried."""
    path = "/organizations/" + path_segment(organization_id, "organization_id") + "/users"
    body = CreateUser.coerce(user).to_json()
    query = [("send_invitation_email", "true" if send_invitation_email else "false")]
    response = yield api_request(ctx, "POST", path, query=query, body=body)
    return User.from_json(json_object(response, "user"))


def _update_user_body(update: object, fields: dict[str, Any] | None) -> dict[str, Any]:
    if update is None:
        try:
            update = UpdateUser(**(fields or {}))
        except TypeError as exc:
            raise ScalekitError(f"update_user: {exc}") from None
    body = UpdateUser.coerce(update).to_json()
    if not body:
        raise ScalekitError("update_user needs at least one field to change")
    return body


def update_user_flow(
    ctx: ClientContext,
    user_id: str,
    update: object = None,
    fields: dict[str, Any] | None = None,
) -> Flow[User]:
    path = "/users/" + path_segment(user_id, "user_id")
    response = yield api_request(ctx, "PATCH", path, body=_update_user_body(update, fields))
    return User.from_json(json_object(response, "user"))


def delete_user_flow(ctx: ClientContext, user_id: str) -> Flow[None]:
    response = yield api_request(ctx, "DELETE", "/users/" + path_segment(user_id, "user_id"))
    raise_for_api_error(response)


def _membership_path(organization_id: str, user_id: str | None, external_id: str | None) -> str:
    org = path_segment(organization_id, "organization_id")
    if external_id is not None:
        return f"/memberships/organizations/{org}/users:external/" + path_segment(
            external_id, "external_id"
        )
    return f"/memberships/organizations/{org}/users/" + path_segment(user_id or "", "user_id")


def get_user_by_external_id_flow(ctx: ClientContext, external_id: str) -> Flow[User]:
    path = "/users:external/" + path_segment(external_id, "external_id")
    response = yield api_request(ctx, "GET", path)
    return User.from_json(json_object(response, "user"))


def update_user_by_external_id_flow(
    ctx: ClientContext,
    external_id: str,
    update: object = None,
    fields: dict[str, Any] | None = None,
) -> Flow[User]:
    path = "/users:external/" + path_segment(external_id, "external_id")
    response = yield api_request(ctx, "PATCH", path, body=_update_user_body(update, fields))
    return User.from_json(json_object(response, "user"))


def delete_user_by_external_id_flow(ctx: ClientContext, external_id: str) -> Flow[None]:
    path = "/users:external/" + path_segment(external_id, "external_id")
    raise_for_api_error((yield api_request(ctx, "DELETE", path)))


def create_membership_flow(
    ctx: ClientContext,
    organization_id: str,
    user_id: str | None,
    membership: object,
    send_invitation_email: bool = True,
    external_id: str | None = None,
) -> Flow[User]:
    """``POST /memberships/organizations/{org}/users/{id}``; never retried."""
    body = CreateMembership.coerce(membership if membership is not None else {}).to_json()
    path = _membership_path(organization_id, user_id, external_id)
    query = [("send_invitation_email", "true" if send_invitation_email else "false")]
    response = yield api_request(ctx, "POST", path, query=query, body=body)
    return User.from_json(json_object(response, "user"))


def update_membership_flow(
    ctx: ClientContext,
    organization_id: str,
    user_id: str | None,
    membership: object,
    external_id: str | None = None,
) -> Flow[User]:
    body = UpdateMembership.coerce(membership).to_json()
    path = _membership_path(organization_id, user_id, external_id)
    response = yield api_request(ctx, "PATCH", path, body=body)
    return User.from_json(json_object(response, "user"))


def delete_membership_flow(
    ctx: ClientContext, organization_id: str, user_id: str | None, external_id: str | None = None
) -> Flow[None]:
    path = _membership_path(organization_id, user_id, external_id)
    raise_for_api_error((yield api_request(ctx, "DELETE", path)))


def resend_invite_flow(ctx: ClientContext, organization_id: str, user_id: str) -> Flow[Invite]:
    org = path_segment(organization_id, "organization_id")
    path = f"/invites/organizations/{org}/users/" + path_segment(user_id, "user_id") + "/resend"
    response = yield api_request(ctx, "PATCH", path, body={})
    return Invite.from_json(json_object(response, "invite"))


def _org_user_path(organization_id: str, user_id: str, rest: str) -> str:
    org = path_segment(organization_id, "organization_id")
    return f"/organizations/{org}/users/" + path_segment(user_id, "user_id") + rest


def list_user_roles_flow(
    ctx: ClientContext, organization_id: str, user_id: str
) -> Flow[tuple[Role, ...]]:
    response = yield api_request(ctx, "GET", _org_user_path(organization_id, user_id, "/roles"))
    return role_list(json_object(response).get("roles"))


def list_user_permissions_flow(
    ctx: ClientContext, organization_id: str, user_id: str
) -> Flow[tuple[Permission, ...]]:
    path = _org_user_path(organization_id, user_id, "/permissions")
    response = yield api_request(ctx, "GET", path)
    return permission_list(json_object(response).get("permissions"))
