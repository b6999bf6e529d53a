"""The one error tree of the project.

``ScalekitError`` is the base of everything this package raises on purpose; callers that
want to treat "Scalekit said no" differently from "Scalekit could not be reached" catch
``OAuthError``/``APIError`` and ``ScalekitConnectionError`` separately.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum
from http import HTTPStatus
from typing import Any

__all__ = [
    "OFFICIAL_EXCEPTION_NAMES",
    "APIError",
    "AlreadyExistsError",
    "CancelledError",
    "ConfigurationError",
    "ConflictError",
    "GatewayTimeoutError",
    "GrpcStatus",
    "InternalServerError",
    "InvalidApiTokenError",
    "InvalidArgumentError",
    "NotFoundError",
    "NotImplementedServerError",
    "OAuthError",
    "PermissionDeniedError",
    "RateLimitError",
    "ScalekitBadRequestException",
    "ScalekitCancelledException",
    "ScalekitConflictException",
    "ScalekitConnectionError",
    "ScalekitError",
    "ScalekitException",
    "ScalekitForbiddenException",
    "ScalekitGatewayTimeoutException",
    "ScalekitInternalServerException",
    "ScalekitNotFoundException",
    "ScalekitNotImplementedException",
    "ScalekitServerException",
    "ScalekitServiceUnavailableException",
    "ScalekitTooManyRequestsException",
    "ScalekitToolException",
    "ScalekitToolForbiddenException",
    "ScalekitToolRateLimitException",
    "ScalekitToolUnauthorizedException",
    "ScalekitUnauthorizedException",
    "ScalekitUnknownException",
    "ScalekitValidateTokenFailureException",
    "ServerError",
    "ServiceUnavailableError",
    "TokenValidationError",
    "ToolError",
    "ToolPermissionDeniedError",
    "ToolRateLimitError",
    "ToolUnauthenticatedError",
    "UnauthenticatedError",
    "UnknownAPIError",
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

    # The official SDK's ``ScalekitServerException`` accessors, so its ``except`` blocks
    # that read them keep working.
    @property
    def http_status(self) -> HTTPStatus | int:
        """The HTTP status as ``http.HTTPStatus`` (a plain ``int`` for a non-standard one)."""
        try:
            return HTTPStatus(self.status_code)
        except ValueError:
            return self.status_code

    @property
    def grpc_status(self) -> GrpcStatus:
        """The gRPC status (``.name`` such as ``NOT_FOUND``, ``.value`` its number)."""
        if self.code is not None:
            try:
                return GrpcStatus(self.code)
            except ValueError:
                pass
        return _GRPC_OF_HTTP.get(self.status_code, GrpcStatus.UNKNOWN)

    @property
    def err_details(self) -> list[Mapping[str, Any]]:
        """The error's ``details`` (the official SDK's name)."""
        return self.details


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


class GrpcStatus(IntEnum):
    """gRPC status codes, as Scalekit's ``{code, message, details}`` errors carry them."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


_GRPC_OF_HTTP = {
    400: GrpcStatus.INVALID_ARGUMENT,
    401: GrpcStatus.UNAUTHENTICATED,
    403: GrpcStatus.PERMISSION_DENIED,
    404: GrpcStatus.NOT_FOUND,
    409: GrpcStatus.ALREADY_EXISTS,
    429: GrpcStatus.RESOURCE_EXHAUSTED,
    499: GrpcStatus.CANCELLED,
    500: GrpcStatus.INTERNAL,
    501: GrpcStatus.UNIMPLEMENTED,
    503: GrpcStatus.UNAVAILABLE,
    504: GrpcStatus.DEADLINE_EXCEEDED,
}


class InternalServerError(ServerError):
    """HTTP 500 (or another 5xx without a more precise class)."""


class NotImplementedServerError(ServerError):
    """HTTP 501: the environment does not offer this API."""


class ServiceUnavailableError(ServerError):
    """HTTP 503."""


class GatewayTimeoutError(ServerError):
    """HTTP 504."""


class CancelledError(APIError):
    """HTTP 499: the request was cancelled."""


class UnknownAPIError(APIError):
    """Any other error status."""


class ToolError(APIError):
    """An upstream provider's error during a tool call (``error_code`` ``TOOL_ERROR``)."""


class ToolRateLimitError(ToolError, RateLimitError):
    """A tool call's provider answered 429."""


class ToolUnauthenticatedError(ToolError, UnauthenticatedError):
    """A tool call's provider refused the credentials."""


class ToolPermissionDeniedError(ToolError, PermissionDeniedError):
    """A tool call's provider refused the operation."""


class InvalidApiTokenError(TokenValidationError):
    """``tokens.validate_token``: Scalekit does not know the API token, or it was revoked
    or has expired. ``status_code`` is Scalekit's answer (401, 404, 400 or 403)."""

    def __init__(self, status_code: int, message: str = "") -> None:
        self.status_code = status_code
        super().__init__("invalid_api_token", message or None)


# The official SDK's exception names, as parts of this tree: an ``except`` clause written
# for ``scalekit-sdk-python`` catches what this package raises in the same situation.
ScalekitException = ScalekitError
ScalekitValidateTokenFailureException = TokenValidationError
ScalekitServerException = APIError
ScalekitBadRequestException = InvalidArgumentError
ScalekitUnauthorizedException = UnauthenticatedError
ScalekitForbiddenException = PermissionDeniedError
ScalekitNotFoundException = NotFoundError
ScalekitConflictException = ConflictError
ScalekitTooManyRequestsException = RateLimitError
ScalekitInternalServerException = InternalServerError
ScalekitNotImplementedException = NotImplementedServerError
ScalekitServiceUnavailableException = ServiceUnavailableError
ScalekitGatewayTimeoutException = GatewayTimeoutError
ScalekitCancelledException = CancelledError
ScalekitUnknownException = UnknownAPIError
ScalekitToolException = ToolError
ScalekitToolRateLimitException = ToolRateLimitError
ScalekitToolUnauthorizedException = ToolUnauthenticatedError
ScalekitToolForbiddenException = ToolPermissionDeniedError

#: Every exception class ``scalekit.common.exceptions`` defines, by its official name.
OFFICIAL_EXCEPTION_NAMES = (
    "ScalekitException",
    "WebhookVerificationError",
    "ScalekitValidateTokenFailureException",
    "ScalekitServerException",
    "ScalekitBadRequestException",
    "ScalekitUnauthorizedException",
    "ScalekitForbiddenException",
    "ScalekitNotFoundException",
    "ScalekitConflictException",
    "ScalekitTooManyRequestsException",
    "ScalekitInternalServerException",
    "ScalekitNotImplementedException",
    "ScalekitServiceUnavailableException",
    "ScalekitGatewayTimeoutException",
    "ScalekitCancelledException",
    "ScalekitUnknownException",
    "ScalekitToolException",
    "ScalekitToolRateLimitException",
    "ScalekitToolUnauthorizedException",
    "ScalekitToolForbiddenException",
)
