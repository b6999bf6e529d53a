"""Scalekit single sign-on and sessions, framework-neutral and sans-I/O.

>>> from scalekit_core import ScalekitClient, AuthorizationUrlOptions
"""

from .authorization import AuthorizationRequest
from .claims import check_requirements, organization_of, permissions_of, roles_of, scopes_of
from .client import AsyncScalekitClient, ScalekitClient
from .config import DEFAULT_SCOPES, ScalekitConfig
from .errors import (
    AlreadyExistsError,
    APIError,
    ConfigurationError,
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    OAuthError,
    PermissionDeniedError,
    RateLimitError,
    ScalekitConnectionError,
    ScalekitError,
    ServerError,
    TokenValidationError,
    UnauthenticatedError,
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
from .webhooks import verify_webhook_payload

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
    "APIError",
    "AlreadyExistsError",
    "AsyncScalekitClient",
    "AuthenticationResponse",
    "AuthorizationRequest",
    "AuthorizationUrlOptions",
    "CodeAuthenticationOptions",
    "ConfigurationError",
    "ConflictError",
    "CreateOrganization",
    "CreateUser",
    "HTTPRequest",
    "HTTPResponse",
    "IdpInitiatedLoginClaims",
    "InvalidArgumentError",
    "LogoutUrlOptions",
    "Membership",
    "NotFoundError",
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
    "ScalekitClient",
    "ScalekitConfig",
    "ScalekitConnectionError",
    "ScalekitError",
    "ServerError",
    "Session",
    "SessionFilter",
    "SessionsPage",
    "Timestamp",
    "TokenResponse",
    "TokenValidationError",
    "TokenValidationOptions",
    "UnauthenticatedError",
    "UpdateOrganization",
    "UpdateUser",
    "User",
    "UserProfile",
    "UsersPage",
    "WebhookVerificationError",
    "check_requirements",
    "generate_nonce",
    "generate_pkce_pair",
    "generate_state",
    "organization_of",
    "permissions_of",
    "roles_of",
    "scopes_of",
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
