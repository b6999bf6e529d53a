"""IdP-initiated login: verify the ``idp_initiated_login`` token Scalekit sends to the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .context import ClientContext
from .errors import TokenValidationError
from .flows import Flow
from .official_mapping import OfficialMapping
from .options import TokenValidationOptions, expected_audiences, expected_issuer
from .validation import verify_jwt_flow

__all__ = ["IdpInitiatedLoginClaims", "idp_initiated_login_flow"]


@dataclass(frozen=True, slots=True)
class IdpInitiatedLoginClaims(OfficialMapping):
    """What the app needs to start a normal authorization request for an IdP-initiated login.

    Also reads as the official SDK's dict of the token's claims
    (``claims["connection_id"]``, ``claims.get("relay_state")``...).
    """

    connection_id: str | None
    organization_id: str | None
    login_hint: str | None
    relay_state: str | None
    claims: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def _official_items(self) -> dict[str, Any]:
        return self.claims or {
            name: value
            for name, value in (
                ("connection_id", self.connection_id),
                ("organization_id", self.organization_id),
                ("login_hint", self.login_hint),
                ("relay_state", self.relay_state),
            )
            if value is not None
        }


def idp_initiated_login_flow(
    ctx: ClientContext, token: object, options: TokenValidationOptions | None = None
) -> Flow[IdpInitiatedLoginClaims]:
    """Signature, exact issuer and times checked; ``aud`` must hold the client id (or
    ``options.audience``) when present. ``options.issuer`` replaces the expected issuer."""
    config = ctx.config
    expected = expected_audiences(options, frozenset((config.client_id,)))
    claims = yield from verify_jwt_flow(
        ctx.jwks,
        config.env_url,
        token,
        issuer=expected_issuer(options, config.env_url),
        audience=None,
        leeway=config.leeway,
        now=ctx.clock(),
        required=("iss",),
    )
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if aud is not None and not expected & set(audiences):
        raise TokenValidationError("invalid_audience", "the login token is for another client")

    def text(name: str) -> str | None:
        value = claims.get(name)
        return value if isinstance(value, str) and value else None

    return IdpInitiatedLoginClaims(
        text("connection_id"),
        text("organization_id"),
        text("login_hint"),
        text("relay_state"),
        dict(claims),
    )
