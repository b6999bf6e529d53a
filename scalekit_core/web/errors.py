"""The session layer's typed outcomes, which adapters map to 401/302, 403 and 503 responses."""

from __future__ import annotations

from ..errors import ScalekitError
from .outcomes import Reason

__all__ = [
    "AuthenticationRequired",
    "PermissionDenied",
    "ReauthenticationRequired",
    "SessionStoreUnavailable",
]


class AuthenticationRequired(ScalekitError):
    """No signed-in user (adapters answer with ``manager.unauthenticated(request, api=e.api)``).

    ``api`` is true when the guarded endpoint is an API (401 JSON even for a browser).
    ``max_age`` is set by ``ReauthenticationRequired`` only (pass it on to ``unauthenticated``).
    ``reason``: ``Reason.AUTHENTICATION_REQUIRED`` (``REAUTHENTICATION_REQUIRED`` for the
    subclass).
    """

    max_age: int | None = None
    reason: Reason = Reason.AUTHENTICATION_REQUIRED

    def __init__(self, message: str = "authentication required", *, api: bool = False) -> None:
        self.api = api
        super().__init__(message)


class ReauthenticationRequired(AuthenticationRequired):
    """A signed-in user whose sign-in is older than ``max_age`` seconds (``require_recent_login``).

    Adapters answer with ``manager.unauthenticated(request, api=e.api, max_age=e.max_age)``:
    a browser goes through a forced sign-in (``prompt=login``) and back, an API call gets 401
    with ``WWW-Authenticate: Bearer error="insufficient_user_authentication"`` (RFC 9470).
    """

    def __init__(self, max_age: int, *, api: bool = False) -> None:
        super().__init__(f"a sign-in within the last {max_age} seconds is required", api=api)
        self.max_age = max_age
        self.reason = Reason.REAUTHENTICATION_REQUIRED


class PermissionDenied(ScalekitError):
    """A signed-in user lacks a scope, permission, role or organization.

    ``reason`` is machine-readable: ``insufficient_scope``, ``missing_permission``,
    ``missing_role``, ``wrong_organization``, ``not_a_member`` or ``forbidden`` (the values
    of ``Reason``), or an app's own. Adapters answer with
    ``manager.forbidden(request, error, api=error.api)``.
    """

    def __init__(
        self, reason: str = "forbidden", message: str | None = None, *, api: bool = False
    ) -> None:
        self.reason = reason
        self.message = message or reason
        self.api = api
        super().__init__(f"{reason}: {message}" if message else reason)


class SessionStoreUnavailable(ScalekitError):
    """The server-side session store (Redis) could not be reached or answered an error.

    The managers turn it into a 503 (``LoadResult.response`` for ``load``); the message names
    the operation and the error class only, never a key, a session id or a token.
    """

    reason = Reason.SESSION_STORE_UNAVAILABLE

    def __init__(self, operation: str, cause: str) -> None:
        self.operation = operation
        self.cause = cause
        super().__init__(f"session store unavailable during {operation}: {cause}")
