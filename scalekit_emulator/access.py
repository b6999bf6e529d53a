"""Who may do what: a user's memberships, their roles and the permissions those roles grant.

The management API and the tokens of a sign-in both read them from here, so a role changed
through the API shows up in the next token.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError, invalid_argument, not_found
from .records import Role, User
from .state import EmulatorState, membership_key, role_key


@dataclass(frozen=True)
class MembershipView:
    organization_id: str
    roles: tuple[str, ...]
    permissions: tuple[str, ...]
    status: str
    metadata: dict[str, str]


def find_role(state: EmulatorState, organization_id: str, name: str) -> Role | None:
    """The organization's own role ``name``, else the environment's."""
    return state.roles.get(role_key(organization_id, name)) or state.roles.get(role_key("", name))


def role_permissions(state: EmulatorState, organization_id: str, name: str) -> tuple[str, ...]:
    """The role's permissions, then those of the roles it extends (each once)."""
    seen_roles: set[str] = set()
    result: list[str] = []
    role = find_role(state, organization_id, name)
    while role is not None and role.name not in seen_roles:
        seen_roles.add(role.name)
        result.extend(p for p in role.permissions if p not in result)
        role = find_role(state, organization_id, role.extends) if role.extends else None
    return tuple(result)


def permissions_for(
    state: EmulatorState, user: User, organization_id: str, roles: tuple[str, ...]
) -> tuple[str, ...]:
    if user.permissions:  # an explicit set replaces the role-derived one
        return user.permissions
    result: list[str] = []
    for name in roles:
        result.extend(p for p in role_permissions(state, organization_id, name) if p not in result)
    return tuple(result)


def memberships(state: EmulatorState, user: User) -> list[MembershipView]:
    """The user's own organization first, then the others they were added to."""
    views = [
        MembershipView(
            user.organization_id,
            user.roles,
            permissions_for(state, user, user.organization_id, user.roles),
            "ACTIVE",
            {},
        )
    ]
    for m in sorted(state.memberships.values(), key=lambda m: (m.create_time, m.organization_id)):
        if m.user_id == user.id:
            views.append(
                MembershipView(
                    m.organization_id,
                    m.roles,
                    permissions_for(state, user, m.organization_id, m.roles),
                    m.status,
                    dict(m.metadata),
                )
            )
    return views


def membership(state: EmulatorState, user: User, organization_id: str) -> MembershipView | None:
    return next((m for m in memberships(state, user) if m.organization_id == organization_id), None)


def user_in(state: EmulatorState, user: User, organization_id: str) -> User:
    """``user`` with the roles and permissions they have in ``organization_id`` (for tokens)."""
    view = membership(state, user, organization_id) or memberships(state, user)[0]
    return User(
        user.id,
        user.email,
        user.name,
        user.organization_id,
        view.roles,
        view.permissions,
        user.external_id,
        user.metadata,
        user.create_time,
        user.update_time,
    )


def check_roles_exist(state: EmulatorState, organization_id: str, roles: tuple[str, ...]) -> None:
    for name in roles:
        if find_role(state, organization_id, name) is None:
            raise invalid_argument(f"role {name} does not exist")


def check_room_for_user(state: EmulatorState, organization_id: str) -> None:
    """Refuse one more member beyond the organization's ``max_allowed_users``, if set."""
    org = state.organizations.get(organization_id)
    if org is None:
        raise not_found("organization", organization_id)
    if org.max_allowed_users is None:
        return
    members = sum(
        1
        for u in state.users.values()
        if u.organization_id == org.id or membership_key(org.id, u.id) in state.memberships
    )
    if members >= org.max_allowed_users:
        raise ApiError(
            8, f"organization {org.id} has reached its {org.max_allowed_users} users", "USER_LIMIT"
        )


def default_member_role(state: EmulatorState, organization_id: str | None) -> str:
    """The role a new member of ``organization_id`` gets."""
    org = state.organizations.get(organization_id or "")
    if org is not None and org.default_member_role:
        return org.default_member_role
    role = next(
        (r for r in state.roles.values() if not r.organization_id and r.default_member), None
    )
    return role.name if role is not None else "member"
