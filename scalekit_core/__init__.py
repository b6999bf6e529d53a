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
from .webhook_events import InvalidWebhookEvent, WebhookEvent, WebhookHandlers, verify_webhook
from .webhooks import verify_webhook_payload

# Management API names load on first use (PEP 562), so `import scalekit_core` stays light for
# apps that only sign users in.
_MANAGEMENT_NAMES = frozenset(
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
    "InvalidWebhookEvent",
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
    "verify_webhook",
    "verify_webhook_payload",
]
