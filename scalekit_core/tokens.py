"""The token endpoint (code exchange, refresh, client credentials) and access-token validation."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from .claims import check_requirements, organization_of
from .context import ClientContext
from .errors import OAuthError, ScalekitError, TokenValidationError
from .flows import Flow, HTTPRequest, HTTPResponse
from .official_mapping import OfficialMapping
from .options import (
    CodeAuthenticationOptions,
    TokenValidationOptions,
    expected_audiences,
    expected_issuer,
)
from .users import user_from_claims
from .validation import (
    check_access_token_type,
    check_at_hash,
    check_id_token_claims,
    verify_jwt_flow,
)

__all__ = [
    "AuthenticationResponse",
    "TokenResponse",
    "access_token_claims_flow",
    "authenticate_with_code_flow",
    "client_credentials_flow",
    "client_token_flow",
    "id_token_claims_flow",
    "parse_token_response",
    "refresh_flow",
    "refreshed_claims_flow",
    "token_claims_flow",
    "with_audience",
]


@dataclass(frozen=True, slots=True)
class TokenResponse(OfficialMapping):
    """What the token endpoint answered. Nothing is dropped (``raw`` keeps the rest).

    Also reads as the official SDK's ``refresh_access_token`` dict: ``result["access_token"]``,
    ``result["refresh_token"]`` (plus ``id_token``, ``expires_in``, ``token_type``).
    """

    access_token: str
    expires_in: int
    token_type: str = "Bearer"
    refresh_token: str | None = None
    id_token: str | None = field(default=None, repr=False)
    scope: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def _official_items(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "id_token": self.id_token,
            "expires_in": self.expires_in,
            "token_type": self.token_type,
        }


@dataclass(frozen=True, slots=True)
class AuthenticationResponse(OfficialMapping):
    """The result of ``authenticate_with_code``, shaped as in the official SDK.

    ``user`` is a plain dict with the official camelCase keys (``id``, ``email``,
    ``givenName``...), so it can be stored straight into a framework session. The result
    also reads as the official dict: ``result["user"]``, ``result["access_token"]``,
    ``result["id_token"]``, ``result["refresh_token"]``, ``result["expires_in"]``,
    ``result["organization_id"]``, ``result["connection_id"]``.
    """

    user: dict[str, Any]
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    id_token: str = field(repr=False)
    expires_in: int
    organization_id: str | None = None
    connection_id: str | None = None
    token_type: str = "Bearer"
    id_token_claims: dict[str, Any] = field(default_factory=dict, repr=False)

    def _official_items(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "id_token": self.id_token,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "connection_id": self.connection_id,
            "organization_id": self.organization_id,
            "expires_in": self.expires_in,
        }


def _expires_in(value: object, access_token: str) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    # Some providers leave expires_in out; a JWT access token still says when it expires.
    import jwt

    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
        exp = claims.get("exp")
        iat = claims.get("iat")
        if isinstance(exp, (int, float)) and isinstance(iat, (int, float)):
            return max(0, int(exp - iat))
    except jwt.PyJWTError:
        pass
    return 0


def parse_token_response(response: HTTPResponse) -> TokenResponse:
    """A ``TokenResponse``, or ``OAuthError`` carrying the provider's code and HTTP status."""
    if response.status_code != 200:
        try:
            body = response.json()
        except ScalekitError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            description = body.get("error_description")
            raise OAuthError(
                body["error"],
                description if isinstance(description, str) else None,
                response.status_code,
            )
        code = "server_error" if response.status_code >= 500 else "invalid_request"
        raise OAuthError(
            code, f"the token endpoint answered HTTP {response.status_code}", response.status_code
        )
    body = response.json()
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise ScalekitError("the token endpoint answered without an access_token")

    def text(name: str) -> str | None:
        value = body.get(name)
        return value if isinstance(value, str) and value else None

    return TokenResponse(
        access_token=body["access_token"],
        expires_in=_expires_in(body.get("expires_in"), body["access_token"]),
        token_type=text("token_type") or "Bearer",
        refresh_token=text("refresh_token"),
        id_token=text("id_token"),
        scope=text("scope"),
        raw=body,
    )


def _token_request(ctx: ClientContext, grant: dict[str, str], method: str) -> HTTPRequest:
    """One client-authentication mechanism per request: a strict provider rejects two."""
    config = ctx.config
    url = f"{config.env_url}/oauth/token"
    if method == "client_secret_post":
        return HTTPRequest.form(
            url, {**grant, "client_id": config.client_id, "client_secret": config.client_secret}
        )
    # RFC 6749 §2.3.1: both parts form-encoded, then Basic.
    credentials = f"{quote(config.client_id, safe='')}:{quote(config.client_secret, safe='')}"
    request = HTTPRequest.form(url, grant)
    authorization = "Basic " + base64.b64encode(credentials.encode()).decode()
    return replace(request, headers={**request.headers, "authorization": authorization})


def _is_invalid_client(response: HTTPResponse) -> bool:
    if response.status_code not in (400, 401):
        return False
    try:
        body = response.json()
    except ScalekitError:
        return False
    return isinstance(body, dict) and body.get("error") == "invalid_client"


def _token_flow(ctx: ClientContext, grant: dict[str, str]) -> Flow[TokenResponse]:
    # Scalekit takes client_secret_post. Providers that refuse it with invalid_client (RFC 6749
    # only obliges them to accept HTTP Basic) are asked once more with Basic, and the
    # mechanism that worked is kept for this client.
    method = ctx.token_auth_method
    response = yield _token_request(ctx, grant, method)
    if method == "client_secret_post" and _is_invalid_client(response):
        retried = yield _token_request(ctx, grant, "client_secret_basic")
        if retried.status_code == 200:
            ctx.token_auth_method = "client_secret_basic"
            response = retried
    return parse_token_response(response)


def id_token_claims_flow(
    ctx: ClientContext, id_token: str, nonce: str | None
) -> Flow[dict[str, Any]]:
    """Verify an ID token: signature, exact ``iss``, ``aud``/``azp`` = client id, times, nonce."""
    config = ctx.config
    claims = yield from verify_jwt_flow(
        ctx.jwks,
        config.env_url,
        id_token,
        issuer=config.env_url,
        audience=config.client_id,
        leeway=config.leeway,
        now=ctx.clock(),
    )
    check_id_token_claims(claims, config.client_id, nonce)
    return claims


def authenticate_with_code_flow(
    ctx: ClientContext, code: str, redirect_uri: str, options: CodeAuthenticationOptions | None
) -> Flow[AuthenticationResponse]:
    """Exchange an authorization code and validate the ID token it brings."""
    if not code or not isinstance(code, str):
        raise OAuthError("invalid_request", "the authorization code is missing")
    options = options or CodeAuthenticationOptions()
    grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if options.code_verifier:
        grant["code_verifier"] = options.code_verifier
    tokens = yield from _token_flow(ctx, grant)
    if tokens.id_token is None:
        raise ScalekitError(
            "the token endpoint answered without an id_token (is 'openid' in the scopes?)"
        )
    claims = yield from id_token_claims_flow(ctx, tokens.id_token, options.nonce)
    check_at_hash(claims, tokens.access_token)
    amr = claims.get("amr")
    connection_id = amr[0] if isinstance(amr, list) and amr and isinstance(amr[0], str) else None
    return AuthenticationResponse(
        user=user_from_claims(claims),
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        id_token=tokens.id_token,
        expires_in=tokens.expires_in,
        organization_id=organization_of(claims),
        connection_id=connection_id,
        token_type=tokens.token_type,
        id_token_claims=claims,
    )


def refresh_flow(ctx: ClientContext, refresh_token: str) -> Flow[TokenResponse]:
    """Use a refresh token. A provider that does not rotate keeps the one given."""
    if not refresh_token or not isinstance(refresh_token, str):
        raise OAuthError("invalid_request", "the refresh token is missing")
    tokens = yield from _token_flow(
        ctx, {"grant_type": "refresh_token", "refresh_token": refresh_token}
    )
    if tokens.refresh_token is None:
        return TokenResponse(
            tokens.access_token,
            tokens.expires_in,
            tokens.token_type,
            refresh_token,
            tokens.id_token,
            tokens.scope,
            tokens.raw,
        )
    return tokens


def client_credentials_flow(
    ctx: ClientContext, scopes: tuple[str, ...] = ()
) -> Flow[TokenResponse]:
    """A machine-to-machine token (the management API's credential)."""
    grant = {"grant_type": "client_credentials"}
    if scopes:
        grant["scope"] = " ".join(scopes)
    return (yield from _token_flow(ctx, grant))


def client_token_flow(
    ctx: ClientContext, client_id: str, client_secret: str, scopes: Sequence[str] | None = None
) -> Flow[TokenResponse]:
    """A client-credentials token for another client (e.g. an organization's machine client),
    its credentials sent in the body as Scalekit takes them."""
    if not client_id or not isinstance(client_id, str):
        raise ScalekitError("client_id is required")
    if not client_secret or not isinstance(client_secret, str):
        raise ScalekitError("client_secret is required")
    grant = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
    }
    if scopes:
        grant["scope"] = " ".join(scopes)
    response = yield HTTPRequest.form(f"{ctx.config.env_url}/oauth/token", grant)
    return parse_token_response(response)


def _check_required(claims: dict[str, Any], options: TokenValidationOptions | None) -> None:
    """The ``required_*`` and ``organization_id`` demands of ``options``, whole words."""
    if options is not None:
        check_requirements(
            claims,
            scopes=options.required_scopes,
            permissions=options.required_permissions,
            roles=options.required_roles,
            organization_id=options.organization_id,
        )


def with_audience(
    options: TokenValidationOptions | None, audience: str | None
) -> TokenValidationOptions | None:
    """``options`` with the official SDK's separate ``audience=`` keyword folded in
    (``options.audience`` wins when both are given, as in the official SDK)."""
    if audience is None or (options is not None and options.audience):
        return options
    if options is None:
        return TokenValidationOptions(audience=audience)
    return replace(options, audience=audience)


def token_claims_flow(
    ctx: ClientContext, token: object, options: TokenValidationOptions | None = None
) -> Flow[dict[str, Any]]:
    """The claims of any valid JWT of this environment (access token, ID token...).

    Signature, algorithm, exact issuer (``options.issuer`` or the environment URL) and times
    are always checked, and so is the audience: ``aud`` must name ``options.audience`` when
    given, else the client id or a configured audience. ``required_*`` as for access tokens.
    """
    config = ctx.config
    issuer = expected_issuer(options, config.env_url)
    audiences = expected_audiences(options, config.accepted_audiences)
    claims = yield from verify_jwt_flow(
        ctx.jwks,
        config.env_url,
        token,
        issuer=issuer,
        audience=audiences,
        leeway=config.leeway,
        now=ctx.clock(),
        required=("iss",),
    )
    _check_required(claims, options)
    return claims


def access_token_claims_flow(
    ctx: ClientContext, token: object, options: TokenValidationOptions | None = None
) -> Flow[dict[str, Any]]:
    """Claims of a valid access token; repeat validations are served from the verified cache.

    The audience is always checked: ``aud`` must name the client id or one of the configured
    ``audiences`` (``options.audience`` replaces that set for one call). ID tokens and other
    JWTs that are not access tokens are refused (``reason`` ``not_access_token``).
    """
    config = ctx.config
    issuer = expected_issuer(options, config.env_url)
    audiences = expected_audiences(options, config.accepted_audiences)
    now = ctx.clock()
    if not isinstance(token, str):
        raise TokenValidationError("malformed", "the token is not a string")
    claims = ctx.verified.get(token, issuer, audiences, now, config.leeway)
    if claims is None:
        header: dict[str, Any] = {}
        claims = yield from verify_jwt_flow(
            ctx.jwks,
            config.env_url,
            token,
            issuer=issuer,
            audience=audiences,
            leeway=config.leeway,
            now=now,
            header_out=header,
        )
        check_access_token_type(header, claims)
        ctx.verified.put(token, claims, issuer, audiences)
    _check_required(claims, options)
    return dict(claims)


def refreshed_claims_flow(
    ctx: ClientContext, access_token: str, id_token: str | None, is_jwt: bool
) -> Flow[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Verify the tokens of a refresh like the login's: the access token (when a JWT) as any
    access token, the new ID token (when sent) for this client, with ``at_hash`` checked.

    The claims of each (``None`` for an opaque access token or no new ID token).
    ``TokenValidationError`` when one is wrong; another ``ScalekitError`` when the keys
    cannot be fetched (nothing is then known of the tokens).
    """
    access = (yield from access_token_claims_flow(ctx, access_token)) if is_jwt else None
    claims: dict[str, Any] | None = None
    if id_token is not None:
        claims = yield from id_token_claims_flow(ctx, id_token, None)
        check_at_hash(claims, access_token)
    return access, claims
