"""Option bags of the public API, named and ordered as in Scalekit's official Python docs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .errors import ConfigurationError

__all__ = [
    "AuthorizationUrlOptions",
    "CodeAuthenticationOptions",
    "LogoutUrlOptions",
    "TokenValidationOptions",
    "expected_audiences",
    "expected_issuer",
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
    or one of the configured ``audiences``; ``audience`` (one value or a list, as in the
    official SDK) replaces that set for this call. A list ``issuer`` names the one issuer
    expected (a list of several is refused: a token comes from one environment).
    ``required_*`` are whole-word checks; a missing one raises ``TokenValidationError``.
    """

    issuer: str | Sequence[str] | None = None
    audience: str | Sequence[str] | None = None
    required_scopes: Sequence[str] = ()
    required_permissions: Sequence[str] = ()
    required_roles: Sequence[str] = ()
    organization_id: str | None = None


def expected_issuer(options: TokenValidationOptions | None, default: str) -> str:
    """The issuer to require: ``options.issuer`` (a string, or a one-item list) or ``default``."""
    issuer = options.issuer if options is not None else None
    if not issuer:
        return default
    if isinstance(issuer, str):
        return issuer
    issuers = [i for i in issuer if isinstance(i, str) and i]
    if len(issuers) != 1:
        raise ConfigurationError("TokenValidationOptions.issuer must name one issuer")
    return issuers[0]


def expected_audiences(
    options: TokenValidationOptions | None, default: frozenset[str]
) -> frozenset[str]:
    """The accepted ``aud`` values: ``options.audience`` (one or a list) or ``default``."""
    audience = options.audience if options is not None else None
    if not audience:
        return default
    return frozenset((audience,) if isinstance(audience, str) else audience)
