"""``client.auth``: hand Scalekit the user an app signed in itself (custom login pages).

When an environment sends a login to the app's own login page (with a
``login_request_id``), the app authenticates the user its own way, then tells Scalekit who
it was; Scalekit goes on with the login and issues the tokens.

>>> client.auth.update_login_user_details(  # doctest: +SKIP
...     "conn_1", "lri_1", {"sub": "u-42", "email": "bob@acme.test", "email_verified": True})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .models import _text
from .wire import api_request, json_object, path_segment

if TYPE_CHECKING:
    from ..context import ClientContext
    from .runner import AsyncManagementRunner, SyncManagementRunner

__all__ = ["LOGIN_USER_FIELDS", "AsyncAuthClient", "AuthClient", "LoginUserDetailsUpdated"]

#: The fields of the official ``auth.User`` message (OIDC claims and Scalekit's own).
LOGIN_USER_FIELDS = frozenset(
    {
        "sub",
        "email",
        "given_name",
        "family_name",
        "email_verified",
        "phone_number",
        "phone_number_verified",
        "name",
        "preferred_username",
        "picture",
        "gender",
        "locale",
        "groups",
        "custom_attributes",
        "organization_external_id",
        "roles",
        "organization_external_name",
        "login_failed",
    }
)


@dataclass(frozen=True, slots=True)
class LoginUserDetailsUpdated:
    """Scalekit took the user: the login ``auth_request_id`` it goes on with."""

    auth_request_id: str


def update_login_user_details_flow(
    ctx: ClientContext,
    connection_id: str,
    login_request_id: str,
    user: Mapping[str, Any] | None = None,
) -> Flow[LoginUserDetailsUpdated]:
    """``POST /connections/{id}/auth-requests/{login_request_id}/user`` with ``user`` as the
    body; never retried (it completes a login step)."""
    details = dict(user or {})
    unknown = sorted(set(details) - LOGIN_USER_FIELDS)
    if unknown:
        raise ScalekitError(f"unknown login user fields: {', '.join(unknown)}")
    path = (
        "/connections/"
        + path_segment(connection_id, "connection_id")
        + "/auth-requests/"
        + path_segment(login_request_id, "login_request_id")
        + "/user"
    )
    response = yield api_request(ctx, "POST", path, body=details)
    return LoginUserDetailsUpdated(_text(json_object(response), "auth_request_id") or "")


class AuthClient:
    """``client.auth``: custom login pages' user hand-off."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def update_login_user_details(
        self, connection_id: str, login_request_id: str, user: Mapping[str, Any] | None = None
    ) -> LoginUserDetailsUpdated:
        """Tell Scalekit which user signed in on the app's own page for this login."""
        return self._run(update_login_user_details_flow, connection_id, login_request_id, user)


class AsyncAuthClient:
    """The async twin of :class:`AuthClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def update_login_user_details(
        self, connection_id: str, login_request_id: str, user: Mapping[str, Any] | None = None
    ) -> LoginUserDetailsUpdated:
        """Tell Scalekit which user signed in on the app's own page for this login."""
        return await self._run(
            update_login_user_details_flow, connection_id, login_request_id, user
        )
