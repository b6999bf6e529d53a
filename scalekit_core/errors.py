"""The one error tree of the project.

``ScalekitError`` is the base of everything this package raises on purpose; callers that
want to treat "Scalekit said no" differently from "Scalekit could not be reached" catch
``OAuthError``/``APIError`` and ``ScalekitConnectionError`` separately.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "APIError",
    "AlreadyExistsError",
    "ConfigurationError",
    "ConflictError",
    "InvalidArgumentError",
    "NotFoundError",
    "OAuthError",
    "PermissionDeniedError",
    "RateLimitError",
    "ScalekitConnectionError",
    "ScalekitError",
    "ServerError",
    "TokenValidationError",
    "UnauthenticatedError",
    "WebhookVerificationError",
]


class ScalekitError(Exception):
    """Base class of every error raised by the Scalekit integration suite."""


class ConfigurationError(ScalekitError):
    """The configuration is missing a value or holds a malformed one."""


class ScalekitConnectionError(ScalekitError):
    """Scalekit could not be reached: timeout, DNS or connection failure."""


class OAuthError(ScalekitError):
    """An OAuth 2.0 error answered by Scalekit (or found in an authorization response).

    ``str(error)`` starts with the OAuth error code, so the official docs' idiom
    ``'invalid_grant' in str(error)`` keeps working.
    """

    def __init__(
        self, error: str, error_description: str | None = None, status_code: int | None = None
    ) -> None:
        self.error = error
        self.error_description = error_description
        self.status_code = status_code
        message = error if not error_description else f"{error}: {error_description}"
        super().__init__(message)


class WebhookVerificationError(ScalekitError):
    """A webhook's signature, timestamp or headers did not verify."""


class TokenValidationError(ScalekitError):
    """A JWT failed validation. ``reason`` is machine-readable (``expired``, ``bad_signature``...)."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        self.reason = reason
        super().__init__(f"{reason}: {message}" if message else reason)


class APIError(ScalekitError):
    """An error answered by Scalekit's management REST API (gRPC-gateway error shape)."""

    def __init__(
        self,
        status_code: int,
        code: int | None = None,
        message: str = "",
        details: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = list(details)
        super().__init__(f"HTTP {status_code}: {message}" if message else f"HTTP {status_code}")

    @property
    def error_code(self) -> str | None:
        """The ``error_code`` of the first ``ErrorInfo`` detail, when Scalekit sent one."""
        for detail in self.details:
            value = detail.get("error_code")
            if isinstance(value, str):
                return value
        return None


class InvalidArgumentError(APIError):
    """HTTP 400: the request was malformed."""


class UnauthenticatedError(APIError):
    """HTTP 401: the management token was missing or rejected."""


class PermissionDeniedError(APIError):
    """HTTP 403."""


class NotFoundError(APIError):
    """HTTP 404."""


class ConflictError(APIError):
    """HTTP 409: a conflicting resource exists."""


class AlreadyExistsError(ConflictError):
    """HTTP 409 with gRPC code ALREADY_EXISTS (6)."""


class RateLimitError(APIError):
    """HTTP 429."""


class ServerError(APIError):
    """HTTP 5xx."""
