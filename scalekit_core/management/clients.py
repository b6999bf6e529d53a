"""The sub-clients ``client.organization``, ``client.session`` and ``client.user``, sync and async.

Every method runs one flow through the client's runner (token, retries, the driver); the
async twins have the same names, as coroutines, and async generators for ``iter_*``.

>>> client.organization.generate_portal_link("org_acme").location  # doctest: +SKIP
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any

from ..errors import ScalekitError
from .messages import CreateMembership, UpdateMembership
from .models import (
    Invite,
    Organization,
    OrganizationsPage,
    Permission,
    PortalLink,
    RevokedSessions,
    Role,
    Session,
    SessionPolicy,
    SessionsPage,
    User,
    UserManagementSettings,
    UsersPage,
)
from .organizations import (
    create_organization_flow,
    delete_organization_flow,
    generate_portal_link_flow,
    get_organization_by_external_id_flow,
    get_organization_flow,
    get_organization_session_policy_flow,
    list_organizations_flow,
    update_organization_by_external_id_flow,
    update_organization_flow,
    update_organization_session_policy_flow,
    update_organization_settings_flow,
    upsert_user_management_settings_flow,
)
from .pagination import iterate_pages, iterate_pages_async
from .runner import AsyncManagementRunner, SyncManagementRunner
from .sessions import (
    get_session_flow,
    get_user_sessions_flow,
    revoke_all_user_sessions_flow,
    revoke_session_flow,
)
from .users import (
    create_membership_flow,
    create_user_flow,
    delete_membership_flow,
    delete_user_by_external_id_flow,
    delete_user_flow,
    get_user_by_external_id_flow,
    get_user_flow,
    list_organization_users_flow,
    list_user_permissions_flow,
    list_user_roles_flow,
    list_users_flow,
    resend_invite_flow,
    update_membership_flow,
    update_user_by_external_id_flow,
    update_user_flow,
)
from .values import (
    CreateOrganization,
    CreateUser,
    SessionFilter,
    SupportsToDatetime,
    UpdateOrganization,
    UpdateUser,
    create_session_filter,
)

__all__ = [
    "AsyncOrganizationClient",
    "AsyncSessionClient",
    "AsyncUserClient",
    "OrganizationClient",
    "SessionClient",
    "UserClient",
]

TimeArg = datetime | SupportsToDatetime | None


def _new_user(user: object, fields: dict[str, Any]) -> object:
    if user is None:
        try:
            return CreateUser(**fields)
        except TypeError as exc:
            raise ScalekitError(f"create_user: {exc}") from None
    if fields:
        raise ScalekitError("pass either a CreateUser or its fields, not both")
    return user


class OrganizationClient:
    """Organizations: create, read, list, update, delete, settings, policies, portal links."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def create_organization(self, organization: CreateOrganization | object) -> Organization:
        """Create an organization (sent once: a create is never retried)."""
        return self._run(create_organization_flow, organization)

    def get_organization(self, organization_id: str) -> Organization:
        return self._run(get_organization_flow, organization_id)

    def get_organization_by_external_id(self, external_id: str) -> Organization:
        return self._run(get_organization_by_external_id_flow, external_id)

    def list_organizations(
        self, page_size: int | None = None, page_token: str | None = None
    ) -> OrganizationsPage:
        return self._run(list_organizations_flow, page_size, page_token)

    def iter_organizations(self, page_size: int | None = None) -> Iterator[Organization]:
        """Every organization, page after page."""
        return iterate_pages(
            lambda token: self.list_organizations(page_size, token), lambda p: p.organizations
        )

    def update_organization(
        self,
        organization_id: str,
        organization: UpdateOrganization | object = None,
        **fields: Any,
    ) -> Organization:
        """Change the given fields, e.g. ``update_organization(id, display_name="Acme")``."""
        return self._run(update_organization_flow, organization_id, organization, fields)

    def update_organization_by_external_id(
        self, external_id: str, organization: UpdateOrganization | object = None, **fields: Any
    ) -> Organization:
        return self._run(update_organization_by_external_id_flow, external_id, organization, fields)

    def delete_organization(self, organization_id: str) -> None:
        return self._run(delete_organization_flow, organization_id)

    def generate_portal_link(self, organization_id: str, features: object = None) -> PortalLink:
        """An admin-portal link; ``.location`` is the URL."""
        return self._run(generate_portal_link_flow, organization_id, features)

    def update_organization_settings(self, organization_id: str, settings: object) -> Organization:
        """Turn features on or off: ``[{"name": "sso", "enabled": True}]``."""
        return self._run(update_organization_settings_flow, organization_id, settings)

    def upsert_user_management_settings(
        self, organization_id: str, max_allowed_users: int | None = None
    ) -> UserManagementSettings:
        return self._run(upsert_user_management_settings_flow, organization_id, max_allowed_users)

    def get_organization_session_policy(self, organization_id: str) -> SessionPolicy:
        return self._run(get_organization_session_policy_flow, organization_id)

    def update_organization_session_policy(
        self,
        organization_id: str,
        policy_source: object,
        absolute_session_timeout: int | None = None,
        absolute_session_timeout_unit: object = None,
        idle_session_timeout_enabled: bool | None = None,
        idle_session_timeout: int | None = None,
        idle_session_timeout_unit: object = None,
    ) -> SessionPolicy:
        """``policy_source`` is ``"APPLICATION"`` or ``"CUSTOM"``; units ``"MINUTES"`` …"""
        return self._run(
            update_organization_session_policy_flow,
            organization_id,
            policy_source,
            absolute_session_timeout,
            absolute_session_timeout_unit,
            idle_session_timeout_enabled,
            idle_session_timeout,
            idle_session_timeout_unit,
        )


class AsyncOrganizationClient:
    """The async twin of :class:`OrganizationClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def create_organization(self, organization: CreateOrganization | object) -> Organization:
        """Create an organization (sent once: a create is never retried)."""
        return await self._run(create_organization_flow, organization)

    async def get_organization(self, organization_id: str) -> Organization:
        return await self._run(get_organization_flow, organization_id)

    async def get_organization_by_external_id(self, external_id: str) -> Organization:
        return await self._run(get_organization_by_external_id_flow, external_id)

    async def list_organizations(
        self, page_size: int | None = None, page_token: str | None = None
    ) -> OrganizationsPage:
        return await self._run(list_organizations_flow, page_size, page_token)

    def iter_organizations(self, page_size: int | None = None) -> AsyncIterator[Organization]:
        """Every organization, page after page."""
        return iterate_pages_async(
            lambda token: self.list_organizations(page_size, token), lambda p: p.organizations
        )

    async def update_organization(
        self,
        organization_id: str,
        organization: UpdateOrganization | object = None,
        **fields: Any,
    ) -> Organization:
        """Change the given fields, e.g. ``update_organization(id, display_name="Acme")``."""
        return await self._run(update_organization_flow, organization_id, organization, fields)

    async def update_organization_by_external_id(
        self, external_id: str, organization: UpdateOrganization | object = None, **fields: Any
    ) -> Organization:
        return await self._run(
            update_organization_by_external_id_flow, external_id, organization, fields
        )

    async def delete_organization(self, organization_id: str) -> None:
        return await self._run(delete_organization_flow, organization_id)

    async def generate_portal_link(
        self, organization_id: str, features: object = None
    ) -> PortalLink:
        """An admin-portal link; ``.location`` is the URL."""
        return await self._run(generate_portal_link_flow, organization_id, features)

    async def update_organization_settings(
        self, organization_id: str, settings: object
    ) -> Organization:
        """Turn features on or off: ``[{"name": "sso", "enabled": True}]``."""
        return await self._run(update_organization_settings_flow, organization_id, settings)

    async def upsert_user_management_settings(
        self, organization_id: str, max_allowed_users: int | None = None
    ) -> UserManagementSettings:
        return await self._run(
            upsert_user_management_settings_flow, organization_id, max_allowed_users
        )

    async def get_organization_session_policy(self, organization_id: str) -> SessionPolicy:
        return await self._run(get_organization_session_policy_flow, organization_id)

    async def update_organization_session_policy(
        self,
        organization_id: str,
        policy_source: object,
        absolute_session_timeout: int | None = None,
        absolute_session_timeout_unit: object = None,
        idle_session_timeout_enabled: bool | None = None,
        idle_session_timeout: int | None = None,
        idle_session_timeout_unit: object = None,
    ) -> SessionPolicy:
        """``policy_source`` is ``"APPLICATION"`` or ``"CUSTOM"``; units ``"MINUTES"`` …"""
        return await self._run(
            update_organization_session_policy_flow,
            organization_id,
            policy_source,
            absolute_session_timeout,
            absolute_session_timeout_unit,
            idle_session_timeout_enabled,
            idle_session_timeout,
            idle_session_timeout_unit,
        )


class _SessionFilters:
    def create_session_filter(
        self,
        status: Iterable[str] | str | None = None,
        start_time: TimeArg = None,
        end_time: TimeArg = None,
    ) -> SessionFilter:
        """A filter for ``get_user_sessions`` (no I/O, so a plain method on both twins)."""
        return create_session_filter(status, start_time, end_time)


class SessionClient(_SessionFilters):
    """Scalekit sessions: read, list a user's, revoke."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run
        self._listeners = runner.revocation_listeners

    def get_session(self, session_id: str) -> Session:
        return self._run(get_session_flow, session_id)

    def get_user_sessions(
        self,
        user_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
        filter: SessionFilter | None = None,
    ) -> SessionsPage:
        return self._run(get_user_sessions_flow, user_id, page_size, page_token, filter)

    def iter_user_sessions(
        self,
        user_id: str,
        page_size: int | None = None,
        filter: SessionFilter | None = None,
    ) -> Iterator[Session]:
        """Every session of ``user_id`` matching ``filter``, page after page."""
        return iterate_pages(
            lambda token: self.get_user_sessions(user_id, page_size, token, filter),
            lambda p: p.sessions,
        )

    def revoke_session(self, session_id: str) -> Session:
        """Revoke one session; answers the session as revoked. The app's local session of it
        ends too (the session managers built on this client listen)."""
        revoked = self._run(revoke_session_flow, session_id)
        self._tell("session", session_id)
        return revoked

    def revoke_all_user_sessions(self, user_id: str) -> RevokedSessions:
        """Revoke every active session of ``user_id`` (logout from all devices), here too."""
        revoked = self._run(revoke_all_user_sessions_flow, user_id)
        self._tell("user", user_id)
        return revoked

    def _tell(self, kind: str, value: str) -> None:
        for listener in self._listeners:
            listener(kind, value)


class AsyncSessionClient(_SessionFilters):
    """The async twin of :class:`SessionClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run
        self._listeners = runner.revocation_listeners

    async def get_session(self, session_id: str) -> Session:
        return await self._run(get_session_flow, session_id)

    async def get_user_sessions(
        self,
        user_id: str,
        page_size: int | None = None,
        page_token: str | None = None,
        filter: SessionFilter | None = None,
    ) -> SessionsPage:
        return await self._run(get_user_sessions_flow, user_id, page_size, page_token, filter)

    def iter_user_sessions(
        self,
        user_id: str,
        page_size: int | None = None,
        filter: SessionFilter | None = None,
    ) -> AsyncIterator[Session]:
        """Every session of ``user_id`` matching ``filter`` (``async for``)."""
        return iterate_pages_async(
            lambda token: self.get_user_sessions(user_id, page_size, token, filter),
            lambda p: p.sessions,
        )

    async def revoke_session(self, session_id: str) -> Session:
        """Revoke one session; answers the session as revoked (see :class:`SessionClient`)."""
        revoked = await self._run(revoke_session_flow, session_id)
        await self._tell("session", session_id)
        return revoked

    async def revoke_all_user_sessions(self, user_id: str) -> RevokedSessions:
        """Revoke every active session of ``user_id`` (logout from all devices), here too."""
        revoked = await self._run(revoke_all_user_sessions_flow, user_id)
        await self._tell("user", user_id)
        return revoked

    async def _tell(self, kind: str, value: str) -> None:
        for listener in self._listeners:
            result = listener(kind, value)
            if inspect.isawaitable(result):
                await result


class UserClient:
    """Users and memberships: read, list, create, update, delete, invites, roles."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def get_user(self, user_id: str) -> User:
        return self._run(get_user_flow, user_id)

    def get_user_by_external_id(self, external_id: str) -> User:
        return self._run(get_user_by_external_id_flow, external_id)

    def list_users(self, page_size: int | None = None, page_token: str | None = None) -> UsersPage:
        return self._run(list_users_flow, page_size, page_token)

    def iter_users(self, page_size: int | None = None) -> Iterator[User]:
        return iterate_pages(lambda token: self.list_users(page_size, token), lambda p: p.users)

    def list_organization_users(
        self, organization_id: str, page_size: int | None = None, page_token: str | None = None
    ) -> UsersPage:
        return self._run(list_organization_users_flow, organization_id, page_size, page_token)

    def iter_organization_users(
        self, organization_id: str, page_size: int | None = None
    ) -> Iterator[User]:
        return iterate_pages(
            lambda token: self.list_organization_users(organization_id, page_size, token),
            lambda p: p.users,
        )

    def create_user_and_membership(
        self,
        organization_id: str,
        user: CreateUser | object = None,
        send_invitation_email: bool = True,
        **fields: Any,
    ) -> User:
        """A new member of ``organization_id``; never retried."""
        return self._run(
            create_user_flow, organization_id, _new_user(user, fields), send_invitation_email
        )

    def create_user(
        self, organization_id: str, user: CreateUser | object = None, **fields: Any
    ) -> User:
        """Alias of :meth:`create_user_and_membership`: ``create_user(org, email=...)``."""
        return self._run(create_user_flow, organization_id, _new_user(user, fields))

    def update_user(self, user_id: str, user: UpdateUser | object = None, **fields: Any) -> User:
        return self._run(update_user_flow, user_id, user, fields)

    def update_user_by_external_id(
        self, external_id: str, user: UpdateUser | object = None, **fields: Any
    ) -> User:
        return self._run(update_user_by_external_id_flow, external_id, user, fields)

    def delete_user(self, user_id: str) -> None:
        return self._run(delete_user_flow, user_id)

    def delete_user_by_external_id(self, external_id: str) -> None:
        return self._run(delete_user_by_external_id_flow, external_id)

    def create_membership(
        self,
        organization_id: str,
        user_id: str,
        membership: CreateMembership | object = None,
        send_invitation_email: bool = True,
    ) -> User:
        """Add ``user_id`` to ``organization_id`` (never retried)."""
        return self._run(
            create_membership_flow, organization_id, user_id, membership, send_invitation_email
        )

    def create_membership_by_external_id(
        self,
        organization_id: str,
        external_id: str,
        membership: CreateMembership | object = None,
        send_invitation_email: bool = True,
    ) -> User:
        return self._run(
            create_membership_flow,
            organization_id,
            None,
            membership,
            send_invitation_email,
            external_id,
        )

    def update_membership(
        self, organization_id: str, user_id: str, membership: UpdateMembership | object
    ) -> User:
        return self._run(update_membership_flow, organization_id, user_id, membership)

    def update_membership_by_external_id(
        self, organization_id: str, external_id: str, membership: UpdateMembership | object
    ) -> User:
        return self._run(update_membership_flow, organization_id, None, membership, external_id)

    def delete_membership(self, organization_id: str, user_id: str) -> None:
        return self._run(delete_membership_flow, organization_id, user_id)

    def delete_membership_by_external_id(self, organization_id: str, external_id: str) -> None:
        return self._run(delete_membership_flow, organization_id, None, external_id)

    def resend_invite(self, organization_id: str, user_id: str) -> Invite:
        return self._run(resend_invite_flow, organization_id, user_id)

    def list_user_roles(self, organization_id: str, user_id: str) -> tuple[Role, ...]:
        return self._run(list_user_roles_flow, organization_id, user_id)

    def list_user_permissions(self, organization_id: str, user_id: str) -> tuple[Permission, ...]:
        return self._run(list_user_permissions_flow, organization_id, user_id)


class AsyncUserClient:
    """The async twin of :class:`UserClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def get_user(self, user_id: str) -> User:
        return await self._run(get_user_flow, user_id)

    async def get_user_by_external_id(self, external_id: str) -> User:
        return await self._run(get_user_by_external_id_flow, external_id)

    async def list_users(
        self, page_size: int | None = None, page_token: str | None = None
    ) -> UsersPage:
        return await self._run(list_users_flow, page_size, page_token)

    def iter_users(self, page_size: int | None = None) -> AsyncIterator[User]:
        return iterate_pages_async(
            lambda token: self.list_users(page_size, token), lambda p: p.users
        )

    async def list_organization_users(
        self, organization_id: str, page_size: int | None = None, page_token: str | None = None
    ) -> UsersPage:
        return await self._run(list_organization_users_flow, organization_id, page_size, page_token)

    def iter_organization_users(
        self, organization_id: str, page_size: int | None = None
    ) -> AsyncIterator[User]:
        return iterate_pages_async(
            lambda token: self.list_organization_users(organization_id, page_size, token),
            lambda p: p.users,
        )

    async def create_user_and_membership(
        self,
        organization_id: str,
        user: CreateUser | object = None,
        send_invitation_email: bool = True,
        **fields: Any,
    ) -> User:
        """A new member of ``organization_id``; never retried."""
        return await self._run(
            create_user_flow, organization_id, _new_user(user, fields), send_invitation_email
        )

    async def create_user(
        self, organization_id: str, user: CreateUser | object = None, **fields: Any
    ) -> User:
        """Alias of :meth:`create_user_and_membership`: ``create_user(org, email=...)``."""
        return await self._run(create_user_flow, organization_id, _new_user(user, fields))

    async def update_user(
        self, user_id: str, user: UpdateUser | object = None, **fields: Any
    ) -> User:
        return await self._run(update_user_flow, user_id, user, fields)

    async def update_user_by_external_id(
        self, external_id: str, user: UpdateUser | object = None, **fields: Any
    ) -> User:
        return await self._run(update_user_by_external_id_flow, external_id, user, fields)

    async def delete_user(self, user_id: str) -> None:
        return await self._run(delete_user_flow, user_id)

    async def delete_user_by_external_id(self, external_id: str) -> None:
        return await self._run(delete_user_by_external_id_flow, external_id)

    async def create_membership(
        self,
        organization_id: str,
        user_id: str,
        membership: CreateMembership | object = None,
        send_invitation_email: bool = True,
    ) -> User:
        """Add ``user_id`` to ``organization_id`` (never retried)."""
        return await self._run(
            create_membership_flow, organization_id, user_id, membership, send_invitation_email
        )

    async def create_membership_by_external_id(
        self,
        organization_id: str,
        external_id: str,
        membership: CreateMembership | object = None,
        send_invitation_email: bool = True,
    ) -> User:
        return await self._run(
            create_membership_flow,
            organization_id,
            None,
            membership,
            send_invitation_email,
            external_id,
        )

    async def update_membership(
        self, organization_id: str, user_id: str, membership: UpdateMembership | object
    ) -> User:
        return await self._run(update_membership_flow, organization_id, user_id, membership)

    async def update_membership_by_external_id(
        self, organization_id: str, external_id: str, membership: UpdateMembership | object
    ) -> User:
        return await self._run(
            update_membership_flow, organization_id, None, membership, external_id
        )

    async def delete_membership(self, organization_id: str, user_id: str) -> None:
        return await self._run(delete_membership_flow, organization_id, user_id)

    async def delete_membership_by_external_id(
        self, organization_id: str, external_id: str
    ) -> None:
        return await self._run(delete_membership_flow, organization_id, None, external_id)

    async def resend_invite(self, organization_id: str, user_id: str) -> Invite:
        return await self._run(resend_invite_flow, organization_id, user_id)

    async def list_user_roles(self, organization_id: str, user_id: str) -> tuple[Role, ...]:
        return await self._run(list_user_roles_flow, organization_id, user_id)

    async def list_user_permissions(
        self, organization_id: str, user_id: str
    ) -> tuple[Permission, ...]:
        return await self._run(list_user_permissions_flow, organization_id, user_id)
