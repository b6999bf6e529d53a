"""Scalekit single sign-on and sessions, framework-neutral and sans-I/O.

>>> from scalekit_core import ScalekitClient, AuthorizationUrlOptions
"""

from .authorization import AuthorizationRequest
from .claims import check_requirements, organization_of, permissions_of, roles_of, scopes_of
from .client import AsyncScalekitClient, ScalekitClient
from .config import DEFAULT_SCOPES, ScalekitConfig

# The official SDK's exception names (aliases and the finer classes they stand for).
from .errors import (
    OFFICIAL_EXCEPTION_NAMES,
    AlreadyExistsError,
    APIError,
    CancelledError,
    ConfigurationError,
    ConflictError,
    GatewayTimeoutError,
    GrpcStatus,
    InternalServerError,
    InvalidApiTokenError,
    InvalidArgumentError,
    NotFoundError,
    NotImplementedServerError,
    OAuthError,
    PermissionDeniedError,
    RateLimitError,
    ScalekitBadRequestException,
    ScalekitCancelledException,
    ScalekitConflictException,
    ScalekitConnectionError,
    ScalekitError,
    ScalekitException,
    ScalekitForbiddenException,
    ScalekitGatewayTimeoutException,
    ScalekitInternalServerException,
    ScalekitNotFoundException,
    ScalekitNotImplementedException,
    ScalekitServerException,
    ScalekitServiceUnavailableException,
    ScalekitToolException,
    ScalekitToolForbiddenException,
    ScalekitToolRateLimitException,
    ScalekitToolUnauthorizedException,
    ScalekitTooManyRequestsException,
    ScalekitUnauthorizedException,
    ScalekitUnknownException,
    ScalekitValidateTokenFailureException,
    ServerError,
    ServiceUnavailableError,
    TokenValidationError,
    ToolError,
    ToolPermissionDeniedError,
    ToolRateLimitError,
    ToolUnauthenticatedError,
    UnauthenticatedError,
    UnknownAPIError,
    WebhookVerificationError,
)
from .flows import HTTPRequest, HTTPResponse
from .idp_login import IdpInitiatedLoginClaims
from .options import (
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    LogoutUrlOptions,
    TokenValidationOptions,
)
from .pkce import PKCEPair, generate_nonce, generate_pkce_pair, generate_state
from .retry import RetryPolicy
from .tokens import AuthenticationResponse, TokenResponse
from .webhook_events import InvalidWebhookEvent, WebhookEvent, WebhookHandlers, verify_webhook
from .webhooks import verify_interceptor_payload, verify_webhook_payload

# The administration API's request types, enums and results (loaded on first use, see below).
_ADMIN_NAMES = frozenset(
    {
        "Connection",
        "ConnectionProvider",
        "ConnectionType",
        "ConnectionsPage",
        "DefaultRoles",
        "CreateConnection",
        "CreateDirectory",
        "CreateDomain",
        "CreateMembership",
        "CreateOrganizationRole",
        "CreatePermission",
        "CreateRole",
        "CreateUserProfile",
        "Directory",
        "DirectoryGroup",
        "DirectoryGroupsPage",
        "DirectoryProvider",
        "DirectoryType",
        "DirectoryUser",
        "DirectoryUsersPage",
        "Domain",
        "DomainType",
        "Flags",
        "Invite",
        "Permission",
        "PermissionsPage",
        "SessionPolicy",
        "Toggle",
        "UpdateConnection",
        "UpdateDefaultOrganizationRolesRequest",
        "UpdateMembership",
        "UpdateRole",
        "UpdateUserProfile",
        "UserManagementSettings",
    }
)

# Management API names load on first use (PEP 562), so `import scalekit_core` stays light for
# apps that only sign users in.
_MANAGEMENT_NAMES = (
    frozenset(
        {
            "CreateOrganization",
            "CreateUser",
            "Membership",
            "Organization",
            "OrganizationsPage",
            "PortalLink",
            "RevokedSessions",
            "Role",
            "Session",
            "SessionFilter",
            "SessionsPage",
            "Timestamp",
            "UpdateOrganization",
            "UpdateUser",
            "User",
            "UserProfile",
            "UsersPage",
        }
    )
    | _ADMIN_NAMES
)


def __getattr__(name: str) -> object:
    if name in _MANAGEMENT_NAMES:
        from . import management

        return getattr(management, name)
    raise AttributeError(f"module 'scalekit_core' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DEFAULT_SCOPES",
    # The official SDK's names and the finer errors (results and top-level methods).
    "OFFICIAL_EXCEPTION_NAMES",
    "APIError",
    "AlreadyExistsError",
    "AsyncScalekitClient",
    "AuthenticationResponse",
    "AuthorizationRequest",
    "AuthorizationUrlOptions",
    "CancelledError",
    "CodeAuthenticationOptions",
    "ConfigurationError",
    "ConflictError",
    "CreateOrganization",
    "CreateUser",
    "GatewayTimeoutError",
    "GrpcStatus",
    "HTTPRequest",
    "HTTPResponse",
    "IdpInitiatedLoginClaims",
    "InternalServerError",
    "InvalidApiTokenError",
    "InvalidArgumentError",
    "InvalidWebhookEvent",
    "LogoutUrlOptions",
    "Membership",
    "NotFoundError",
    "NotImplementedServerError",
    "OAuthError",
    "Organization",
    "OrganizationsPage",
    "PKCEPair",
    "PermissionDeniedError",
    "PortalLink",
    "RateLimitError",
    "RetryPolicy",
    "RevokedSessions",
    "Role",
    "ScalekitBadRequestException",
    "ScalekitCancelledException",
    "ScalekitClient",
    "ScalekitConfig",
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
    "Session",
    "SessionFilter",
    "SessionsPage",
    "Timestamp",
    "TokenResponse",
    "TokenValidationError",
    "TokenValidationOptions",
    "ToolError",
    "ToolPermissionDeniedError",
    "ToolRateLimitError",
    "ToolUnauthenticatedError",
    "UnauthenticatedError",
    "UnknownAPIError",
    "UpdateOrganization",
    "UpdateUser",
    "User",
    "UserProfile",
    "UsersPage",
    "WebhookEvent",
    "WebhookHandlers",
    "WebhookVerificationError",
    "check_requirements",
    "generate_nonce",
    "generate_pkce_pair",
    "generate_state",
    "organization_of",
    "permissions_of",
    "roles_of",
    "scopes_of",
    "verify_interceptor_payload",
    "verify_webhook",
    "verify_webhook_payload",
]
__all__ += [
    "Connection",
    "ConnectionProvider",
    "ConnectionType",
    "ConnectionsPage",
    "CreateConnection",
    "CreateDirectory",
    "CreateDomain",
    "CreateMembership",
    "CreateOrganizationRole",
    "CreatePermission",
    "CreateRole",
    "CreateUserProfile",
    "DefaultRoles",
    "Directory",
    "DirectoryGroup",
    "DirectoryGroupsPage",
    "DirectoryProvider",
    "DirectoryType",
    "DirectoryUser",
    "DirectoryUsersPage",
    "Domain",
    "DomainType",
    "Flags",
    "Invite",
    "Permission",
    "PermissionsPage",
    "SessionPolicy",
    "Toggle",
    "UpdateConnection",
    "UpdateDefaultOrganizationRolesRequest",
    "UpdateMembership",
    "UpdateRole",
    "UpdateUserProfile",
    "UserManagementSettings",
]
