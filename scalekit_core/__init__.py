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
    "HTTPRequest",
    "HTTPResponse",
    "IdpInitiatedLoginClaims",
    "InvalidArgumentError",
    "LogoutUrlOptions",
    "NotFoundError",
    "OAuthError",
    "PKCEPair",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ScalekitClient",
    "ScalekitConfig",
    "ScalekitConnectionError",
    "ScalekitError",
    "ServerError",
    "TokenResponse",
    "TokenValidationError",
    "TokenValidationOptions",
    "UnauthenticatedError",
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
