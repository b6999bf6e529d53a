"""Claim sets of the tokens Scalekit issues (signing is the key ring's job)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from .records import User


def _times(now: float, lifetime: int) -> dict[str, int]:
    iat = int(now)
    return {"iat": iat, "nbf": iat, "exp": iat + lifetime}


def at_hash(access_token: str) -> str:
    """OIDC Core §3.1.3.6 for RS256: base64url of the left half of SHA-256, unpadded."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def access_token_claims(
    *,
    issuer: str,
    client_id: str,
    user: User,
    session_id: str,
    organization_id: str,
    scopes: tuple[str, ...],
    now: float,
    lifetime: int,
) -> dict[str, Any]:
    roles, permissions = user.access_in(organization_id)
    return {
        "iss": issuer,
        "sub": user.id,
        "aud": [client_id],
        **_times(now, lifetime),
        "jti": "tkn_" + secrets.token_hex(12),
        "sid": session_id,
        "oid": organization_id,
        "roles": list(roles),
        "permissions": list(permissions),
        "scopes": list(scopes),
        "client_id": client_id,
    }


def client_credentials_claims(
    *, issuer: str, client_id: str, scopes: tuple[str, ...], now: float, lifetime: int
) -> dict[str, Any]:
    return {
        "iss": issuer,
        "sub": client_id,
        "aud": [client_id],
        **_times(now, lifetime),
        "jti": "tkn_" + secrets.token_hex(12),
        "client_id": client_id,
        "scopes": list(scopes),
    }


def id_token_claims(
    *,
    issuer: str,
    client_id: str,
    user: User,
    session_id: str,
    organization_id: str,
    connection_id: str,
    nonce: str | None,
    auth_time: float,
    now: float,
    lifetime: int,
    access_token: str | None = None,
) -> dict[str, Any]:
    """Scalekit's ID token; ``at_hash`` binds it to the access token issued with it."""
    times = _times(now, lifetime)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": user.id,
        "aud": client_id,
        "azp": client_id,
        "exp": times["exp"],
        "iat": times["iat"],
        "auth_time": int(auth_time),
        "sid": session_id,
        "oid": organization_id,
        # The official SDKs read the connection id from the first amr entry.
        "amr": [connection_id],
        "email": user.email,
        "email_verified": True,
        "name": user.name,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "preferred_username": user.email,
        "locale": "en",
    }
    if nonce:
        claims["nonce"] = nonce
    if access_token is not None:
        claims["at_hash"] = at_hash(access_token)
    return claims


def idp_initiated_claims(
    *,
    issuer: str,
    client_id: str,
    connection_id: str,
    organization_id: str,
    login_hint: str,
    relay_state: str,
    now: float,
    lifetime: int,
) -> dict[str, Any]:
    times = _times(now, lifetime)
    return {
        "iss": issuer,
        "aud": [client_id],
        "exp": times["exp"],
        "iat": times["iat"],
        "connection_id": connection_id,
        "organization_id": organization_id,
        "login_hint": login_hint,
        "relay_state": relay_state,
    }
