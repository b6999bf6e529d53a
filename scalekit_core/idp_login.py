"""IdP-initiated login: verify the ``idp_initiated_login`` token Scalekit sends to the app."""

from __future__ import annotations

from dataclasses import dataclass

from .context import ClientContext
from .errors import TokenValidationError
from .flows import Flow
from .validation import verify_jwt_flow

__all__ = ["IdpInitiatedLoginClaims", "idp_initiated_login_flow"]


@dataclass(frozen=True, slots=True)
class IdpInitiatedLoginClaims:
    """What the app needs to start a normal authorization request for an IdP-initiated login."""

    connection_id: str | None
    organization_id: str | None
    login_hint: str | None
    relay_state: str | None


def idp_initiated_login_flow(ctx: ClientContext, token: object) -> Flow[IdpInitiatedLoginClaims]:
    """Signature, exact issuer and times checked; ``aud`` must hold the client id when present."""
    config = ctx.config
    claims = yield from verify_jwt_flow(
        ctx.jwks,
        config.env_url,
        token,
        issuer=config.env_url,
        audience=None,
        leeway=config.leeway,
        now=ctx.clock(),
        required=("iss",),
    )
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if aud is not None and config.client_id not in audiences:
        raise TokenValidationError("invalid_audience", "the login token is for another client")

    def text(name: str) -> str | None:
        value = claims.get(name)
        return value if isinstance(value, str) and value else None

    return IdpInitiatedLoginClaims(
        text("connection_id"), text("organization_id"), text("login_hint"), text("relay_state")
    )
