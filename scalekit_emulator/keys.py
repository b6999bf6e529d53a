"""RS256 signing keys: the current one signs, every published one verifies."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(kid="snk_" + secrets.token_hex(8), private_key=key)

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return jwk

    def private_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    @classmethod
    def from_pem(cls, kid: str, pem: str) -> SigningKey:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("signing key must be RSA")
        return cls(kid=kid, private_key=key)

    def sign(self, claims: dict[str, Any], typ: str = "JWT") -> str:
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": self.kid, "typ": typ}
        )


class KeyRing:
    """Published keys, newest first. Not thread-safe: the emulator's lock guards it."""

    def __init__(self, keys: list[SigningKey]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._keys = list(keys)

    @property
    def current(self) -> SigningKey:
        return self._keys[0]

    @property
    def keys(self) -> tuple[SigningKey, ...]:
        return tuple(self._keys)

    def rotate(self) -> SigningKey:
        # The old keys stay published so tokens they signed keep verifying.
        key = SigningKey.generate()
        self._keys.insert(0, key)
        return key

    def remove(self, kid: str) -> None:
        remaining = [k for k in self._keys if k.kid != kid]
        if not remaining:
            raise ValueError("cannot remove the only signing key")
        self._keys = remaining

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self._keys]}

    def find(self, kid: str) -> SigningKey | None:
        return next((k for k in self._keys if k.kid == kid), None)

    def decode(
        self, token: str, *, verify_exp: bool, now: float, audience: str | None = None
    ) -> dict[str, Any]:
        """Verify a token signed by one of our keys; `now` is the emulator clock.

        Raises jwt.InvalidTokenError on any problem.
        """
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        key = self.find(kid) if isinstance(kid, str) else None
        if key is None:
            raise jwt.InvalidTokenError("unknown kid")
        # Time checks are done by hand against the emulator clock (which may be offset).
        claims: dict[str, Any] = jwt.decode(
            token,
            key.private_key.public_key(),
            algorithms=["RS256"],
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": audience is not None,
            },
            audience=audience,
        )
        exp = claims.get("exp")
        if verify_exp and (not isinstance(exp, (int, float)) or exp <= now):
            raise jwt.ExpiredSignatureError("token expired")
        return claims
