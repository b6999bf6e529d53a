"""RSA keys, JWKS documents and tokens for the core's tests (no network)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://acme.scalekit.test"
CLIENT_ID = "skc_test_client"
CLIENT_SECRET = "test-client-secret"


@dataclass(frozen=True)
class SigningKey:
    kid: str | None
    private: rsa.RSAPrivateKey

    def jwk(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        data.update({"use": "sig", "alg": "RS256"})
        if self.kid is not None:
            data["kid"] = self.kid
        return data

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        extra = {"kid": self.kid} if self.kid is not None else {}
        extra.update(headers or {})
        return jwt.encode(claims, self.private, algorithm="RS256", headers=extra)


@cache
def signing_key(kid: str | None = "key-1") -> SigningKey:
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))


def jwks(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.jwk() for key in keys]}


def access_claims(now: float | None = None, **overrides: Any) -> dict[str, Any]:
    now = time.time() if now is None else now
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "usr_123",
        "aud": [CLIENT_ID],
        "exp": int(now) + 300,
        "iat": int(now),
        "nbf": int(now),
        "jti": "tok_1",
        "sid": "ses_1",
        "oid": "org_1",
        "roles": ["admin"],
        "permissions": ["organization:settings", "users:read"],
        "scopes": ["openid", "profile"],
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def id_claims(now: float | None = None, **overrides: Any) -> dict[str, Any]:
    now = time.time() if now is None else now
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "usr_123",
        "aud": CLIENT_ID,
        "azp": CLIENT_ID,
        "exp": int(now) + 3600,
        "iat": int(now),
        "nonce": "n-1",
        "oid": "org_1",
        "amr": ["conn_1"],
        "email": "ada@example.com",
        "email_verified": True,
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "preferred_username": "ada",
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}
