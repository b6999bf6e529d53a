"""The JWKS cache: keys by ``kid``, a TTL, rate-limited refetch, and outage tolerance."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ScalekitConnectionError, ScalekitError, TokenValidationError
from .flows import Flow, HTTPRequest

__all__ = ["MIN_RSA_BITS", "JWKSCache", "parse_jwks", "signing_keys_flow"]

#: RSA keys shorter than this are skipped (NIST SP 800-131A: 2048 bits at least).
MIN_RSA_BITS = 2048

VerifyKey = Any  # a ``cryptography`` public key object, as PyJWT takes it


def parse_jwks(document: object) -> dict[str | None, VerifyKey]:
    """RSA signing keys of a JWKS document by ``kid`` (``None`` for a key without one).

    Keys of other types or uses, private keys and RSA keys under :data:`MIN_RSA_BITS` bits are
    skipped; a document with no usable key is an error.
    """
    # Imported here, where keys are first needed, so ``import scalekit_core`` stays light.
    import jwt
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from jwt.algorithms import RSAAlgorithm

    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise ScalekitError("the JWKS document has no 'keys' list")
    keys: dict[str | None, VerifyKey] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "RSA":
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        try:
            key = RSAAlgorithm.from_jwk(dict(jwk))
        except (jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            continue
        if not isinstance(key, RSAPublicKey) or key.key_size < MIN_RSA_BITS:
            continue
        kid = jwk.get("kid")
        keys[kid if isinstance(kid, str) else None] = key
    if not keys:
        raise ScalekitError("the JWKS document has no usable RS256 key")
    return keys


@dataclass
class JWKSCache:
    """Keys fetched from ``ENV/keys``, owned by one client.

    Fresh for ``ttl`` seconds; after that the next lookup refetches, but a failed refetch keeps
    the old keys in use (a JWKS outage must not log everybody out). An unknown ``kid`` causes
    at most one refetch per ``refetch_interval`` seconds, so forged ``kid`` values cannot turn
    every request into a JWKS call.
    """

    ttl: float = 3600.0
    refetch_interval: float = 30.0
    keys: dict[str | None, VerifyKey] = field(default_factory=dict)
    fetched_at: float | None = None
    #: Last fetch attempt of any kind (limits retries of a stale cache while the endpoint is down).
    last_attempt: float | None = None
    #: Last refetch caused by an unknown ``kid`` (limits what forged kids can cost).
    last_kid_refetch: float | None = None
    #: Whether the last fetch attempt failed (an unknown ``kid`` then says nothing of a token).
    failing: bool = False
    #: Header segment of a token -> its key, so a token's header is parsed once per kid.
    by_header: dict[str, VerifyKey] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def candidates(self, kid: str | None) -> list[VerifyKey]:
        if kid is not None and kid in self.keys:
            return [self.keys[kid]]
        if kid is None:
            return list(self.keys.values())
        return [key for k, key in self.keys.items() if k is None]

    def should_fetch(self, kid: str | None, now: float) -> bool:
        if self.fetched_at is None:
            return True
        if now - self.fetched_at >= self.ttl:
            return self.last_attempt is None or now - self.last_attempt >= self.refetch_interval
        if kid is not None and kid not in self.keys:
            limited = (
                self.last_kid_refetch is not None
                and now - self.last_kid_refetch < self.refetch_interval
            )
            return not limited
        return False

    def store(self, keys: dict[str | None, VerifyKey], now: float) -> None:
        with self.lock:
            self.keys = keys
            self.fetched_at = now
            self.failing = False
            self.by_header = {}


def signing_keys_flow(
    cache: JWKSCache, env_url: str, kid: str | None, now: float
) -> Flow[list[VerifyKey]]:
    """Keys that may have signed a token with ``kid``, fetching the JWKS when needed.

    ``TokenValidationError("unknown_kid")`` only when the JWKS was read and lacks the key;
    when it cannot be read (no keys cached, or an unknown ``kid`` during an outage) the
    fetch's own ``ScalekitError`` is raised: the token may well be good.
    """
    if cache.should_fetch(kid, now):
        if cache.fetched_at is not None and kid is not None and kid not in cache.keys:
            cache.last_kid_refetch = now
        cache.last_attempt = now
        try:
            response = yield HTTPRequest(
                "GET", f"{env_url}/keys", {"accept": "application/json"}, idempotent=True
            )
            if response.status_code != 200:
                raise ScalekitError(f"the JWKS endpoint answered HTTP {response.status_code}")
            cache.store(parse_jwks(response.json()), now)
        except ScalekitError:
            # A provider outage with no cached keys is the provider's fault, not the token's:
            # it surfaces as ScalekitConnectionError / ScalekitError (a 503, not a 401).
            cache.failing = True
            if not cache.keys:
                raise
    candidates = cache.candidates(kid)
    if not candidates:
        if cache.failing:
            raise ScalekitConnectionError("the JWKS endpoint is unavailable")
        raise TokenValidationError("unknown_kid", "no JWKS key matches the token's kid")
    return candidates
