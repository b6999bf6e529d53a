"""Building the authorization and logout URLs (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .errors import ConfigurationError
from .options import AuthorizationUrlOptions, LogoutUrlOptions
from .pkce import generate_nonce, generate_pkce_pair, generate_state

__all__ = [
    "AuthorizationRequest",
    "build_authorization_url",
    "build_logout_url",
    "new_authorization_request",
]


def build_authorization_url(
    env_url: str,
    client_id: str,
    redirect_uri: str,
    options: AuthorizationUrlOptions,
    default_scopes: Sequence[str],
) -> str:
    """``ENV/oauth/authorize?...`` with every non-empty parameter of ``options``."""
    if not redirect_uri:
        raise ConfigurationError("redirect_uri is required")
    scopes = options.scopes if options.scopes is not None else default_scopes
    method = options.code_challenge_method or ("S256" if options.code_challenge else None)
    if method is not None and method != "S256":
        raise ConfigurationError("only the S256 code challenge method is supported")
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": options.state,
        "nonce": options.nonce,
        "login_hint": options.login_hint,
        "domain_hint": options.domain_hint,
        "connection_id": options.connection_id,
        "organization_id": options.organization_id,
        "provider": options.provider,
        "prompt": options.prompt,
        "code_challenge": options.code_challenge,
        "code_challenge_method": method,
    }
    for key, value in options.extra_params.items():
        params.setdefault(key, value)
    query = urlencode({key: value for key, value in params.items() if value})
    return f"{env_url}/oauth/authorize?{query}"


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """An authorization URL together with the secrets the callback needs to finish it."""

    url: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str


def new_authorization_request(
    env_url: str,
    client_id: str,
    redirect_uri: str,
    options: AuthorizationUrlOptions | None,
    default_scopes: Sequence[str],
) -> AuthorizationRequest:
    """An authorization request that always carries PKCE S256, a state and a nonce."""
    options = options or AuthorizationUrlOptions()
    pkce = generate_pkce_pair()
    state = options.state or generate_state()
    nonce = options.nonce or generate_nonce()
    filled = AuthorizationUrlOptions(
        scopes=options.scopes,
        state=state,
        nonce=nonce,
        organization_id=options.organization_id,
        connection_id=options.connection_id,
        login_hint=options.login_hint,
        domain_hint=options.domain_hint,
        provider=options.provider,
        prompt=options.prompt,
        code_challenge=pkce.challenge,
        code_challenge_method=pkce.method,
        extra_params=options.extra_params,
    )
    url = build_authorization_url(env_url, client_id, redirect_uri, filled, default_scopes)
    return AuthorizationRequest(url, state, nonce, pkce.verifier, redirect_uri)


def build_logout_url(env_url: str, options: LogoutUrlOptions) -> str:
    """``ENV/oidc/logout?...``; a relative post-logout URI is refused (Scalekit needs absolute)."""
    target = options.post_logout_redirect_uri
    if target:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError("post_logout_redirect_uri must be an absolute http(s) URL")
    params = {
        "id_token_hint": options.id_token_hint,
        "post_logout_redirect_uri": target,
        "state": options.state,
    }
    query = urlencode({key: value for key, value in params.items() if value})
    return f"{env_url}/oidc/logout" + (f"?{query}" if query else "")
