"""User flows: get, list (all or one organization's), create with membership, update, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .models import User, UsersPage
from .organizations import page_query
from .values import CreateUser, UpdateUser
from .wire import api_request, json_object, path_segment, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext

__all__ = [
    "create_user_flow",
    "delete_user_flow",
    "get_user_flow",
    "list_organization_users_flow",
    "list_users_flow",
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


def create_user_flow(ctx: ClientContext, organization_id: str, user: CreateUser) -> Flow[User]:
    """``POST /organizations/{id}/users``: a new user and their membership; never retried."""
    path = "/organizations/" + path_segment(organization_id, "organization_id") + "/users"
    response = yield api_request(ctx, "POST", path, body=user.to_json())
    return User.from_json(json_object(response, "user"))


def update_user_flow(
    ctx: ClientContext,
    user_id: str,
    update: UpdateUser | None = None,
    fields: dict[str, Any] | None = None,
) -> Flow[User]:
    if update is None:
        try:
            update = UpdateUser(**(fields or {}))
        except TypeError as exc:
            raise ScalekitError(f"update_user: {exc}") from None
    body = update.to_json()
    if not body:
        raise ScalekitError("update_user needs at least one field to change")
    response = yield api_request(
        ctx, "PATCH", "/users/" + path_segment(user_id, "user_id"), body=body
    )
    return User.from_json(json_object(response, "user"))


def delete_user_flow(ctx: ClientContext, user_id: str) -> Flow[None]:
    response = yield api_request(ctx, "DELETE", "/users/" + path_segment(user_id, "user_id"))
    raise_for_api_error(response)
