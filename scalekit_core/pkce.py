"""PKCE (S256), state and nonce generation."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

__all__ = ["PKCEPair", "generate_nonce", "generate_pkce_pair", "generate_state", "s256_challenge"]


@dataclass(frozen=True, slots=True)
class PKCEPair:
    verifier: str
    challenge: str
    method: str = "S256"


def s256_challenge(verifier: str) -> str:
    """The S256 code challenge of ``verifier`` (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def generate_pkce_pair() -> PKCEPair:
    """A fresh verifier (43 characters of 256 random bits) and its S256 challenge."""
    verifier = secrets.token_urlsafe(32)
    return PKCEPair(verifier, s256_challenge(verifier))


def generate_state() -> str:
    """An unguessable OAuth ``state`` value."""
    return secrets.token_urlsafe(24)


def generate_nonce() -> str:
    """An unguessable OIDC ``nonce`` value."""
    return secrets.token_urlsafe(24)
