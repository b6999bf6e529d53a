"""Option bags of the public API, named and ordered as in Scalekit's official Python docs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "AuthorizationUrlOptions",
    "CodeAuthenticationOptions",
    "LogoutUrlOptions",
    "TokenValidationOptions",
]


@dataclass
class AuthorizationUrlOptions:
    """Parameters of the authorization request. Empty values are left out of the URL.

    >>> AuthorizationUrlOptions(scopes=["openid", "email"], organization_id="org_123").organization_id
    'org_123'
    """

    scopes: Sequence[str] | None = None
    state: str | None = None
    nonce: str | None = None
    organization_id: str | None = None
    connection_id: str | None = None
    login_hint: str | None = None
    domain_hint: str | None = None
    provider: str | None = None
    prompt: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    extra_params: Mapping[str, str] = field(default_factory=dict)


@dataclass
class CodeAuthenticationOptions:
    """Options of the code exchange: the PKCE verifier sent, and the ID token nonce to check."""

    code_verifier: str | None = None
    nonce: str | None = None


@dataclass
class LogoutUrlOptions:
    """Parameters of Scalekit's logout URL (``post_logout_redirect_uri`` must be absolute)."""

    id_token_hint: str | None = None
    post_logout_redirect_uri: str | None = None
    state: str | None = None


@dataclass
class TokenValidationOptions:
    """Overrides and requirements for access-token validation.

    ``issuer`` defaults to the environment URL. The token's ``aud`` must name the client id
    or one of the configured ``audiences``; ``audience`` replaces that set for this call.
    ``required_*`` are whole-word checks; a missing one raises ``TokenValidationError``.
    """

    issuer: str | None = None
    audience: str | None = None
    required_scopes: Sequence[str] = ()
    required_permissions: Sequence[str] = ()
    required_roles: Sequence[str] = ()
    organization_id: str | None = None
