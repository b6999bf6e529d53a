"""JWT validation (DESIGN §5): pure checks given keys and ``now``, plus the flows that get keys.

Only RS256 is accepted, so ``none`` and HS256-signed-with-the-public-key are refused before
any key is touched. Time claims are checked here, against the injected ``now``, with an
explicit leeway.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt
from jwt.types import Options

from .errors import TokenValidationError
from .flows import Flow
from .jwks import JWKSCache, VerifyKey, signing_keys_flow

__all__ = [
    "MAX_TOKEN_LENGTH",
    "VerifiedTokenCache",
    "check_time_claims",
    "verify_jwt_flow",
]

ALGORITHMS = ["RS256"]
MAX_TOKEN_LENGTH = 16 * 1024

_ERROR_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.InvalidIssuerError, "invalid_issuer"),
    (jwt.InvalidAudienceError, "invalid_audience"),
    (jwt.MissingRequiredClaimError, "missing_claim"),
    (jwt.InvalidAlgorithmError, "invalid_algorithm"),
    (jwt.DecodeError, "malformed"),
)


def _reason(exc: Exception) -> str:
    for kind, reason in _ERROR_REASONS:
        if isinstance(exc, kind):
            return reason
    return "invalid_token"


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TokenValidationError("malformed", f"claim {name!r} is not a number")
    return float(value)


def check_time_claims(claims: dict[str, Any], now: float, leeway: float) -> None:
    """``exp`` and ``iat`` required; ``exp``, ``nbf`` and ``iat`` checked with ``leeway``."""
    exp = _number(claims, "exp")
    iat = _number(claims, "iat")
    if exp is None or iat is None:
        raise TokenValidationError("missing_claim", "exp and iat are required")
    if now > exp + leeway:
        raise TokenValidationError("expired", "the token has expired")
    nbf = _number(claims, "nbf")
    if nbf is not None and now < nbf - leeway:
        raise TokenValidationError("not_yet_valid", "the token is not valid yet")
    if iat > now + leeway:
        raise TokenValidationError("issued_in_future", "the token was issued in the future")


def _header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenValidationError("malformed", "the token is not a JWT") from exc
    if header.get("alg") not in ALGORITHMS:
        raise TokenValidationError(
            "invalid_algorithm", f"algorithm {header.get('alg')!r} is not allowed"
        )
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise TokenValidationError("malformed", "kid is not a string")
    return header


def _decode(
    token: str,
    keys: Sequence[VerifyKey],
    issuer: str,
    audience: str | None,
    required: Sequence[str],
) -> tuple[dict[str, Any], VerifyKey]:
    options: Options = {
        "verify_exp": False,  # checked by check_time_claims against the injected clock
        "verify_iat": False,
        "verify_nbf": False,
        "verify_aud": audience is not None,
        "require": list(required),
    }
    failure: Exception | None = None
    for key in keys:
        try:
            claims = jwt.decode(
                token, key, algorithms=ALGORITHMS, issuer=issuer, audience=audience, options=options
            )
            return claims, key
        except jwt.InvalidSignatureError as exc:
            failure = exc  # another key of the set may have signed it
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise TokenValidationError(_reason(exc), str(exc)) from exc
    raise TokenValidationError("bad_signature", str(failure) if failure else "no key")


def verify_jwt_flow(
    jwks: JWKSCache,
    env_url: str,
    token: object,
    *,
    issuer: str,
    audience: str | None,
    leeway: float,
    now: float,
    required: Sequence[str] = ("iss", "sub"),
) -> Flow[dict[str, Any]]:
    """Verify signature, algorithm, ``iss``, ``aud`` (when given) and time claims.

    Fetches the JWKS only when the token's key is not cached. Every failure is a
    ``TokenValidationError`` with a machine-readable ``reason``.
    """
    if not isinstance(token, str) or not token:
        raise TokenValidationError("malformed", "the token is empty or not a string")
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenValidationError("malformed", "the token is too large")
    header_segment = token.partition(".")[0]
    known = jwks.by_header.get(header_segment)
    fresh = jwks.fetched_at is not None and now - jwks.fetched_at < jwks.ttl
    if known is not None and fresh:
        keys: list[VerifyKey] = [known]
    else:
        header = _header(token)
        keys = yield from signing_keys_flow(jwks, env_url, header.get("kid"), now)
    claims, key = _decode(token, keys, issuer, audience, required)
    check_time_claims(claims, now, leeway)
    jwks.by_header[header_segment] = key
    return claims


def check_id_token_claims(claims: dict[str, Any], client_id: str, nonce: str | None) -> None:
    """OIDC Core §3.1.3.7: ``azp`` when present (required with several audiences), ``nonce``."""
    aud = claims.get("aud")
    azp = claims.get("azp")
    if isinstance(aud, list) and len(aud) > 1 and azp is None:
        raise TokenValidationError("invalid_audience", "several audiences and no azp")
    if azp is not None and azp != client_id:
        raise TokenValidationError("invalid_audience", "azp is not this client")
    if nonce is not None:
        got = claims.get("nonce")
        if not isinstance(got, str) or not hmac.compare_digest(got.encode(), nonce.encode()):
            raise TokenValidationError("invalid_nonce", "the nonce does not match the login")


@dataclass
class VerifiedTokenCache:
    """Access tokens already verified, so a session's every request skips the signature check.

    Bounded (oldest entries evicted first); an entry is honoured only until the token's
    ``exp`` (plus leeway) and only for the same issuer and audience it was verified for.
    """

    max_size: int = 4096
    entries: dict[str, tuple[float, dict[str, Any], str, str | None]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(
        self, token: str, issuer: str, audience: str | None, now: float, leeway: float
    ) -> dict[str, Any] | None:
        entry = self.entries.get(token)
        if entry is None or now > entry[0] + leeway or entry[2] != issuer or entry[3] != audience:
            return None
        return entry[1]

    def put(self, token: str, claims: dict[str, Any], issuer: str, audience: str | None) -> None:
        if self.max_size <= 0:
            return
        with self.lock:
            while len(self.entries) >= self.max_size:
                self.entries.pop(next(iter(self.entries)))
            self.entries[token] = (float(claims["exp"]), claims, issuer, audience)
