"""The session layer's typed outcomes, which adapters map to 401/302 and 403 responses."""

from __future__ import annotations

from ..errors import ScalekitError

__all__ = ["AuthenticationRequired", "PermissionDenied"]


class AuthenticationRequired(ScalekitError):
    """No signed-in user (adapters answer with ``manager.unauthenticated(request)``)."""

    def __init__(self, message: str = "authentication required") -> None:
        super().__init__(message)


class PermissionDenied(ScalekitError):
    """A signed-in user lacks a scope, permission, role or organization.

    ``reason`` is machine-readable: ``insufficient_scope``, ``missing_permission``,
    ``missing_role``, ``wrong_organization`` or ``forbidden``. Adapters answer with
    ``manager.forbidden(request, error)``.
    """

    def __init__(self, reason: str = "forbidden", message: str | None = None) -> None:
        self.reason = reason
        self.message = message or reason
        super().__init__(f"{reason}: {message}" if message else reason)
