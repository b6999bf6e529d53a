"""Scalekit identities as Django users: linked by (issuer, subject), updated from claims.

The core ``User`` of the request is attached to the Django user as ``user.scalekit``.
With ``SCALEKIT_CREATE_USERS = False`` no database is touched: the Django user is an
unsaved instance rebuilt from the claims on every request.

Privileges: Scalekit roles belong to an organization, and every customer organization
defines its own, so no role grants anything app-wide by itself. ``is_staff`` comes only from
``SCALEKIT_STAFF_ORGANIZATIONS`` and ``is_superuser`` only from
``SCALEKIT_SUPERUSER_ORGANIZATIONS`` (``{"org_…": "admin"}``: the user's session is in that
organization and has that role); both are empty by default. A flag the mapping granted is
taken away at the user's next request once it no longer matches; a flag the app set itself
(``createsuperuser``, the admin's user form) is left alone.
"""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, cast

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from scalekit_core.tokens import AuthenticationResponse
from scalekit_core.web import User

from .conf import create_users, on_login_hook, staff_organizations, superuser_organizations
from .models import ScalekitIdentity

__all__ = ["alink_user", "aon_login", "link_user", "on_login", "pop_login", "scalekit_of"]

_login: ContextVar[tuple[User, AbstractBaseUser] | None] = ContextVar(
    "scalekit_django_login", default=None
)


def scalekit_of(user: object) -> User | None:
    """The core ``User`` attached to a Django user by this app, if any."""
    value = getattr(user, "scalekit", None)
    return value if isinstance(value, User) else None


def _issuer(user: User) -> str:
    issuer = user.claims.get("iss")
    return issuer if isinstance(issuer, str) else ""


def _apply_profile(django_user: AbstractBaseUser, user: User) -> list[str]:
    """Copy the profile onto the fields the user model has; the changed names."""
    fields = {field.name: field for field in django_user._meta.concrete_fields}
    values: dict[str, Any] = {
        "email": user.email,
        "first_name": user.profile.get("given_name"),
        "last_name": user.profile.get("family_name"),
    }
    changed = []
    for name, value in values.items():
        field = fields.get(name)
        if field is None or value is None or (isinstance(value, str) and not value):
            continue
        if isinstance(value, str) and field.max_length:
            value = value[: field.max_length]
        if getattr(django_user, name) != value:
            setattr(django_user, name, value)
            changed.append(name)
    return changed


def _granted(user: User, organizations: Mapping[str, str]) -> bool:
    """The session's organization is named in ``organizations`` with a role the user has."""
    role = organizations.get(user.organization_id) if user.organization_id else None
    return role is not None and role in user.roles


#: (user flag, the ``ScalekitIdentity`` field recording that the mapping granted it)
_FLAGS = (("is_staff", "granted_staff"), ("is_superuser", "granted_superuser"))


def _grants(django_user: AbstractBaseUser, user: User) -> dict[str, bool]:
    """The flags the mapping grants ``user`` now, for the flags the user model has."""
    mappings = {"is_staff": staff_organizations, "is_superuser": superuser_organizations}
    fields = {field.name for field in django_user._meta.concrete_fields}
    return {flag: _granted(user, mappings[flag]()) for flag, _ in _FLAGS if flag in fields}


def _sync_flags(
    django_user: AbstractBaseUser, identity: ScalekitIdentity, grants: dict[str, bool]
) -> tuple[list[str], list[str]]:
    """Grant or take away each flag; the changed user fields and identity fields."""
    user_changed: list[str] = []
    identity_changed: list[str] = []
    for flag, mark in _FLAGS:
        if flag not in grants:
            continue
        held = bool(getattr(django_user, flag))
        if grants[flag]:
            if not held:
                setattr(django_user, flag, True)
                user_changed.append(flag)
                if not getattr(identity, mark):
                    setattr(identity, mark, True)
                    identity_changed.append(mark)
        elif held:
            # Take it away only when a sign-in through this package granted it (by any of
            # the user's identities).
            granted_here = bool(getattr(identity, mark))
            others = ScalekitIdentity.objects.filter(user_id=django_user.pk, **{mark: True})
            if granted_here or others.exists():
                setattr(django_user, flag, False)
                user_changed.append(flag)
                others.update(**{mark: False})
                setattr(identity, mark, False)
        elif getattr(identity, mark):
            setattr(identity, mark, False)  # the app took the flag away itself
            identity_changed.append(mark)
    return user_changed, identity_changed


def _attach(django_user: AbstractBaseUser, user: User) -> AbstractBaseUser:
    cast(Any, django_user).scalekit = user
    return django_user


def _new_user(user: User) -> AbstractBaseUser:
    model = get_user_model()
    field_name = cast(str, model.USERNAME_FIELD)
    field = model._meta.get_field(field_name)
    base = user.email if field_name == "email" and user.email else user.id
    limit = getattr(field, "max_length", None) or 150
    username = base[:limit]
    if model._default_manager.filter(**{field_name: username}).exists():
        username = f"{base[: limit - 9]}-{secrets.token_hex(4)}"
    django_user = model(**{field_name: username})
    django_user.set_unusable_password()
    _apply_profile(django_user, user)
    for flag, granted in _grants(django_user, user).items():
        setattr(django_user, flag, granted)
    return django_user


def link_user(user: User, *, at_login: bool = False) -> AbstractBaseUser:
    """The Django user of a Scalekit identity, created on first sight (saved at login); its
    profile and its ``is_staff`` / ``is_superuser`` flags follow the claims on every call.

    >>> link_user(request.scalekit).get_username()  # doctest: +SKIP
    'usr_alice'
    """
    if not create_users():
        return _attach(_new_user(user), user)
    issuer = _issuer(user)
    lookup = ScalekitIdentity.objects.select_related("user").filter(issuer=issuer, subject=user.id)
    identity = lookup.first()
    if identity is None:
        try:
            with transaction.atomic():
                django_user = _new_user(user)
                django_user.last_login = timezone.now() if at_login else None
                django_user.save()
                ScalekitIdentity.objects.create(
                    user=django_user,
                    issuer=issuer,
                    subject=user.id,
                    granted_staff=bool(getattr(django_user, "is_staff", False)),
                    granted_superuser=bool(getattr(django_user, "is_superuser", False)),
                )
            return _attach(django_user, user)
        except IntegrityError:
            identity = lookup.first()  # a concurrent request linked it first
            if identity is None:
                raise
    django_user = identity.user
    changed = _apply_profile(django_user, user)
    flags_changed, identity_changed = _sync_flags(django_user, identity, _grants(django_user, user))
    changed += flags_changed
    if at_login:
        django_user.last_login = timezone.now()
        changed.append("last_login")
    if changed:
        django_user.save(update_fields=changed)
    if identity_changed:
        identity.save(update_fields=identity_changed)
    return _attach(django_user, user)


alink_user = sync_to_async(link_user)


def on_login(user: User, auth: AuthenticationResponse) -> None:
    """The core's ``on_login`` hook: ``SCALEKIT_ON_LOGIN`` first (it may refuse), then link."""
    hook = on_login_hook()
    if hook is not None:
        hook(user, auth)
    _login.set((user, link_user(user, at_login=True)))


async def aon_login(user: User, auth: AuthenticationResponse) -> None:
    """The async twin of :func:`on_login` (the hook may be a coroutine function)."""
    hook = on_login_hook()
    if hook is not None:
        result = hook(user, auth)
        if inspect.isawaitable(result):
            await result
    _login.set((user, await alink_user(user, at_login=True)))


def pop_login() -> tuple[User, AbstractBaseUser] | None:
    """The login completed in this context, if any (read once by the callback view)."""
    value = _login.get()
    _login.set(None)
    return value
