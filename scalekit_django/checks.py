"""System checks (``manage.py check``): no network, only the settings.

- ``scalekit.E001``: missing or malformed ``SCALEKIT_*`` settings (each one named).
- ``scalekit.E002``: ``ScalekitMiddleware`` is not in ``MIDDLEWARE``.
- ``scalekit.E003``: ``SCALEKIT_CREATE_USERS`` is not a boolean.
- ``scalekit.E005``: ``SCALEKIT_ON_LOGIN`` is neither a callable nor its importable path.
- ``scalekit.E006``: ``SCALEKIT_LOGIN_PATH`` / ``_CALLBACK_PATH`` / ``_LOGOUT_PATH`` does not
  resolve to its view (the redirect URI would 404 at Scalekit's return).
- ``scalekit.E007``: ``SCALEKIT_STAFF_ORGANIZATIONS`` / ``SCALEKIT_SUPERUSER_ORGANIZATIONS`` is
  not a dict of organization id -> role name (a malformed one grants nothing).
- ``scalekit.W001``: ``ScalekitBackend`` is not in ``AUTHENTICATION_BACKENDS``.
- ``scalekit.W002``: ``ScalekitMiddleware`` comes before ``AuthenticationMiddleware``.
- ``scalekit.W003``: ``SCALEKIT_ADMIN_ROLE`` is set: it is no longer read (a role alone would
  make the admin of any customer organization staff); name the organizations instead.
- ``scalekit.W004``: a key of those mappings does not look like a Scalekit organization id
  (``org_…``), e.g. an external id or a display name: it never matches.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string

from scalekit_core import ConfigurationError

from . import views
from .conf import get_settings, organization_roles_problem, parse_settings, scalekit_values

__all__ = ["check_installation", "check_settings", "check_urls"]

MIDDLEWARE = "scalekit_django.middleware.ScalekitMiddleware"
BACKEND = "scalekit_django.backends.ScalekitBackend"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    try:
        parse_settings()
    except ConfigurationError as exc:
        errors.append(
            Error(
                str(exc),
                hint="Set them in settings.py (SCALEKIT_COOKIE_SECRET may fall back to "
                "SECRET_KEY when that is 32+ characters).",
                id="scalekit.E001",
            )
        )
    values = scalekit_values()
    if not isinstance(values.get("SCALEKIT_CREATE_USERS", True), bool):
        errors.append(Error("SCALEKIT_CREATE_USERS must be True or False.", id="scalekit.E003"))
    errors += _check_privileges(values)
    hook = values.get("SCALEKIT_ON_LOGIN")
    if hook is not None:
        try:
            target = import_string(hook) if isinstance(hook, str) else hook
        except ImportError:
            target = None
        if not callable(target):
            errors.append(
                Error(
                    "SCALEKIT_ON_LOGIN must be a callable (user, auth) or its dotted path.",
                    id="scalekit.E005",
                )
            )
    return errors


ORGANIZATION_SETTINGS = ("SCALEKIT_STAFF_ORGANIZATIONS", "SCALEKIT_SUPERUSER_ORGANIZATIONS")


def _check_privileges(values: dict[str, Any]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if "SCALEKIT_ADMIN_ROLE" in values:
        role = values["SCALEKIT_ADMIN_ROLE"]
        messages.append(
            Warning(
                "SCALEKIT_ADMIN_ROLE is no longer read: a role alone grants nothing, because "
                "every organization defines its own roles (the admin of any customer "
                "organization has the role 'admin').",
                hint=(
                    "Name the organization whose role makes staff: SCALEKIT_STAFF_ORGANIZATIONS"
                    f" = {{'org_…': {role!r}}}, and SCALEKIT_SUPERUSER_ORGANIZATIONS (same "
                    "shape) for superusers; then delete SCALEKIT_ADMIN_ROLE."
                    if isinstance(role, str) and role
                    else "Delete SCALEKIT_ADMIN_ROLE; SCALEKIT_STAFF_ORGANIZATIONS and "
                    "SCALEKIT_SUPERUSER_ORGANIZATIONS ({'org_…': 'admin'}) grant the flags."
                ),
                id="scalekit.W003",
            )
        )
    for name in ORGANIZATION_SETTINGS:
        value = values.get(name)
        if value is None:
            continue
        problem = organization_roles_problem(value)
        if problem is not None:
            messages.append(
                Error(
                    f"{name} {problem}; it grants nothing until fixed.",
                    hint=f"{name} = {{'org_…': 'admin'}}: the Scalekit organization id, and "
                    "the role in that organization.",
                    id="scalekit.E007",
                )
            )
            continue
        for organization in value:
            if not organization.startswith("org_"):
                messages.append(
                    Warning(
                        f"{name} names {organization!r}, which is not a Scalekit organization "
                        "id (org_…): it never matches.",
                        hint="Use the organization's id from the Scalekit dashboard, not its "
                        "name or external id.",
                        id="scalekit.W004",
                    )
                )
    return messages


def check_installation(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    middleware = list(getattr(settings, "MIDDLEWARE", []))
    if MIDDLEWARE not in middleware:
        messages.append(Error(f"{MIDDLEWARE!r} is missing from MIDDLEWARE.", id="scalekit.E002"))
    elif AUTH_MIDDLEWARE in middleware and middleware.index(AUTH_MIDDLEWARE) > middleware.index(
        MIDDLEWARE
    ):
        messages.append(
            Warning(
                f"{MIDDLEWARE!r} must come after {AUTH_MIDDLEWARE!r}, which would replace "
                "request.user.",
                id="scalekit.W002",
            )
        )
    if BACKEND not in list(getattr(settings, "AUTHENTICATION_BACKENDS", [])):
        messages.append(
            Warning(
                f"{BACKEND!r} is missing from AUTHENTICATION_BACKENDS: user.has_perm() will "
                "not see Scalekit permissions.",
                id="scalekit.W001",
            )
        )
    return messages


def _view_name(view: Any) -> str:
    return f"{getattr(view, '__module__', '?')}.{getattr(view, '__qualname__', repr(view))}"


def _serves(view: Any, expected: Any) -> bool:
    # A decorated view (functools.wraps) still serves the route it wraps.
    while view is not None:
        if view is expected:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def check_urls(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "ROOT_URLCONF", None):
        return []
    try:
        session = get_settings().session
    except ConfigurationError:
        return []  # scalekit.E001 already names the settings to fix
    errors: list[CheckMessage] = []
    routes = (
        ("SCALEKIT_LOGIN_PATH", session.login_path, views.login),
        ("SCALEKIT_CALLBACK_PATH", session.callback_path, views.callback),
        ("SCALEKIT_LOGOUT_PATH", session.logout_path, views.logout),
    )
    for setting, path, view in routes:
        try:
            found: Any = resolve(path).func
        except Resolver404:
            found = None
        if _serves(found, view):
            continue
        wanted = _view_name(view)
        problem = (
            f"no URL pattern matches it, so {wanted} is not served there"
            if found is None
            else f"it resolves to {_view_name(found)}, not {wanted}"
        )
        errors.append(
            Error(
                f"{setting} is {path!r}, but {problem}.",
                hint=f"Mount scalekit_django.urls so that {path!r} reaches it (path('auth/', "
                f"include('scalekit_django.urls')) serves /auth/login, /auth/callback and "
                f"/auth/logout), or set {setting} to the path where the view is mounted.",
                id="scalekit.E006",
            )
        )
    return errors
