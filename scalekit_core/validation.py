"""JWT validation (DESIGN §5): pure checks given keys and ``now``, plus the flows that get keys.

Only RS256 is accepted, so ``none`` and HS256-signed-with-the-public-key are refused before
any key is touched. PyJWT checks the signature; the payload is then parsed here, once, so
that duplicate claim names and non-finite numbers (``NaN``, ``Infinity``, ``1e309``) are
refused rather than resolved silently, and ``iss``, ``aud`` and the time claims are checked
against the injected ``now`` with an explicit leeway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import TokenValidationError
from .flows import Flow
from .jwks import JWKSCache, VerifyKey, signing_keys_flow

if TYPE_CHECKING:
    import jwt

__all__ = [
    "MAX_TIME",
    "MAX_TOKEN_LENGTH",
    "VerifiedTokenCache",
    "check_access_token_type",
    "check_at_hash",
    "check_audience",
    "check_time_claims",
    "load_verifier",
    "parse_claims",
    "verify_jwt_flow",
]

ALGORITHMS = ["RS256"]
MAX_TOKEN_LENGTH = 16 * 1024
#: 9999-12-31T23:59:59Z: a time claim past it is absurd (and floats lose whole seconds there).
MAX_TIME = 253_402_300_799


# PyJWT (and the cryptography it loads) is imported on the first signature check, not by
# ``import scalekit_core``: most of the package's import time otherwise.
@cache
def _jws() -> jwt.PyJWS:
    import jwt

    return jwt.PyJWS()


def load_verifier() -> None:
    """Import PyJWT now rather than on the first signature check: a web app validates tokens
    from its first request on, so its setup, not that request, pays for the import."""
    _jws()


def _reason(exc: Exception) -> str:
    import jwt

    reasons: tuple[tuple[type[Exception], str], ...] = (
        (jwt.InvalidSignatureError, "bad_signature"),
        (jwt.InvalidAlgorithmError, "invalid_algorithm"),
        (jwt.DecodeError, "malformed"),
    )
    for kind, reason in reasons:
        if isinstance(exc, kind):
            return reason
    return "invalid_token"


class _DuplicateName(ValueError):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateName("duplicate name")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_claims(payload: bytes) -> dict[str, Any]:
    """A JWT payload (already base64-decoded) as claims: a JSON object whose names are unique
    at every level, with no ``NaN``/``Infinity``; anything else is ``malformed``."""
    try:
        claims = json.loads(payload, object_pairs_hook=_unique, parse_constant=_no_constant)
    except _DuplicateName as exc:
        raise TokenValidationError("malformed", "the token repeats a claim name") from exc
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise TokenValidationError("malformed", "the token's payload is not JSON") from exc
    if not isinstance(claims, dict):
        raise TokenValidationError("malformed", "the token's payload is not a JSON object")
    return claims


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TokenValidationError("malformed", f"claim {name!r} is not a number")
    # Compared before any float(): float(10**400) would raise OverflowError.
    if not (0 <= value <= MAX_TIME) or (isinstance(value, float) and not math.isfinite(value)):
        raise TokenValidationError("malformed", f"claim {name!r} is not a plausible time")
    return float(value)


def check_time_claims(claims: dict[str, Any], now: float, leeway: float) -> None:
    """``exp`` and ``iat`` required; ``exp``, ``nbf`` and ``iat`` checked with ``leeway``.

    Each must be a finite number between 0 and :data:`MAX_TIME` (booleans, ``NaN``,
    infinities and ``10**100`` are ``malformed``: such a token would never expire).
    """
    exp = _number(claims, "exp")
    iat = _number(claims, "iat")
    nbf = _number(claims, "nbf")
    if exp is None or iat is None:
        raise TokenValidationError("missing_claim", "exp and iat are required")
    if now > exp + leeway:
        raise TokenValidationError("expired", "the token has expired")
    if nbf is not None and now < nbf - leeway:
        raise TokenValidationError("not_yet_valid", "the token is not valid yet")
    if iat > now + leeway:
        raise TokenValidationError("issued_in_future", "the token was issued in the future")


def check_audience(claims: dict[str, Any], accepted: Iterable[str]) -> None:
    """``aud`` (a string or a non-empty list of strings) names one of ``accepted``."""
    aud = claims.get("aud")
    if aud is None:
        raise TokenValidationError("invalid_audience", "the token names no audience")
    values = [aud] if isinstance(aud, str) else aud
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise TokenValidationError("invalid_audience", "the token's audience is malformed")
    if frozenset(accepted).isdisjoint(values):
        raise TokenValidationError("invalid_audience", "the token is meant for another audience")


#: Claims that mark an ID token: OpenID Connect defines ``nonce``, ``at_hash``, ``c_hash`` and
#: ``s_hash`` for ID tokens only (they bind one to an authorization response), and Scalekit's
#: ID tokens always carry ``amr`` (its first entry is the connection) while its access tokens
#: never do. ``auth_time`` is left out: some providers (Okta) put it in access tokens too.
ID_TOKEN_CLAIMS = ("nonce", "at_hash", "c_hash", "s_hash", "amr")


def check_access_token_type(header: dict[str, Any], claims: dict[str, Any]) -> None:
    """Refuse a JWT that is not an access token (above all an ID token).

    An ID token has the same issuer, key and audience as an access token, and travels in
    URLs (``id_token_hint`` at logout), so accepting one as a bearer token would turn a URL
    leak into API access. The rule, from the strongest signal down:

    1. header ``typ`` ``at+jwt`` (RFC 9068) is an access token;
    2. any other ``typ`` than ``JWT`` (or none) declares another kind of JWT: refused;
    3. a ``typ`` *claim* (Keycloak's marker): ``Bearer`` is an access token, ``ID`` is not;
    4. any of :data:`ID_TOKEN_CLAIMS` marks an ID token: refused.

    Scalekit signs both kinds with ``typ: JWT``, so rule 4 is what tells them apart there.
    """
    typ = header.get("typ")
    if typ is not None:
        kind = typ.lower().removeprefix("application/") if isinstance(typ, str) else None
        if kind == "at+jwt":
            return
        if kind != "jwt":
            raise TokenValidationError("not_access_token", "the JWT is not an access token")
    marker = claims.get("typ")
    if marker == "Bearer":
        return
    if marker == "ID" or any(name in claims for name in ID_TOKEN_CLAIMS):
        raise TokenValidationError("not_access_token", "an ID token is not an access token")


def check_at_hash(id_claims: dict[str, Any], access_token: str) -> None:
    """OIDC Core §3.1.3.6: when the ID token has ``at_hash``, it must be the left half of the
    SHA-256 of the access token (RS256), base64url without padding."""
    at_hash = id_claims.get("at_hash")
    if at_hash is None:
        return
    digest = hashlib.sha256(access_token.encode("ascii", "replace")).digest()
    expected = base64.urlsafe_b64encode(digest[:16]).rstrip(b"=")
    if not isinstance(at_hash, str) or not hmac.compare_digest(
        at_hash.encode("ascii", "replace"), expected
    ):
        raise TokenValidationError("invalid_at_hash", "at_hash does not match the access token")


def _header(token: str) -> dict[str, Any]:
    try:
        segment = token.partition(".")[0]
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        header = json.loads(raw, object_pairs_hook=_unique, parse_constant=_no_constant)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise TokenValidationError("malformed", "the token is not a JWT") from exc
    if not isinstance(header, dict):
        raise TokenValidationError("malformed", "the token is not a JWT")
    if header.get("alg") not in ALGORITHMS:
        raise TokenValidationError(
            "invalid_algorithm", f"algorithm {header.get('alg')!r} is not allowed"
        )
    if "crit" in header or "b64" in header:
        raise TokenValidationError("malformed", "unsupported critical header")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise TokenValidationError("malformed", "kid is not a string")
    return header


def _decode(
    token: str,
    keys: Sequence[VerifyKey],
    issuer: str,
    audiences: frozenset[str] | None,
    required: Sequence[str],
) -> tuple[dict[str, Any], dict[str, Any], VerifyKey]:
    import jwt

    jws = _jws()
    failure: Exception | None = None
    for key in keys:
        try:
            signed = jws.decode_complete(token, key, algorithms=ALGORITHMS)
            break
        except jwt.InvalidSignatureError as exc:
            failure = exc  # another key of the set may have signed it
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise TokenValidationError(_reason(exc), str(exc)) from exc
    else:
        raise TokenValidationError("bad_signature", str(failure) if failure else "no key")
    claims = parse_claims(signed["payload"])
    missing = [name for name in required if name not in claims]
    if missing:
        raise TokenValidationError("missing_claim", "missing " + " ".join(missing))
    got = claims.get("iss")
    if not isinstance(got, str) or not hmac.compare_digest(got.encode(), issuer.encode()):
        raise TokenValidationError("invalid_issuer", "the token comes from another issuer")
    sub = claims.get("sub")
    if "sub" in required and (not isinstance(sub, str) or not sub):
        raise TokenValidationError("malformed", "sub is not a string")
    if audiences is not None:
        check_audience(claims, audiences)
    return claims, signed["header"], key


def verify_jwt_flow(
    jwks: JWKSCache,
    env_url: str,
    token: object,
    *,
    issuer: str,
    audience: str | Iterable[str] | None,
    leeway: float,
    now: float,
    required: Sequence[str] = ("iss", "sub"),
    header_out: dict[str, Any] | None = None,
) -> Flow[dict[str, Any]]:
    """Verify signature, algorithm, ``iss``, ``aud`` (one of ``audience`` when given) and time
    claims; ``header_out`` (when given) receives the token's header.

    Fetches the JWKS only when the token's key is not cached. A token that is wrong is a
    ``TokenValidationError`` with a machine-readable ``reason``; keys that cannot be fetched
    are a ``ScalekitError`` (``ScalekitConnectionError``...): nothing is known of the token.
    """
    if not isinstance(token, str) or not token:
        raise TokenValidationError("malformed", "the token is empty or not a string")
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenValidationError("malformed", "the token is too large")
    audiences = (
        None
        if audience is None
        else frozenset((audience,) if isinstance(audience, str) else audience)
    )
    header_segment = token.partition(".")[0]
    known = jwks.by_header.get(header_segment)
    fresh = jwks.fetched_at is not None and now - jwks.fetched_at < jwks.ttl
    if known is not None and fresh:
        keys: list[VerifyKey] = [known]
    else:
        header = _header(token)
        keys = yield from signing_keys_flow(jwks, env_url, header.get("kid"), now)
    claims, header, key = _decode(token, keys, issuer, audiences, required)
    check_time_claims(claims, now, leeway)
    jwks.by_header[header_segment] = key
    if header_out is not None:
        header_out.update(header)
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
    ``exp`` (plus leeway) and only for the same issuer and set of accepted audiences it was
    verified for.

    Each entry also holds ``derived``, a dict for what callers build from the claims (the
    session layer keeps a bearer token's ``User`` there): it lives and dies with the entry.
    """

    max_size: int = 4096
    entries: dict[str, tuple[float, dict[str, Any], str, frozenset[str] | None, dict[str, Any]]] = (
        field(default_factory=dict)
    )
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(
        self,
        token: str,
        issuer: str,
        audiences: frozenset[str] | None,
        now: float,
        leeway: float,
    ) -> dict[str, Any] | None:
        entry = self.entries.get(token)
        if entry is None or now > entry[0] + leeway or entry[2] != issuer or entry[3] != audiences:
            return None
        return entry[1]

    def derived(
        self,
        token: str,
        issuer: str,
        audiences: frozenset[str] | None,
        now: float,
        leeway: float,
    ) -> dict[str, Any] | None:
        """The ``derived`` dict of ``token``'s entry, under the same rules as :meth:`get`
        (``None`` when the token is not, or no longer, verified)."""
        entry = self.entries.get(token)
        if entry is None or now > entry[0] + leeway or entry[2] != issuer or entry[3] != audiences:
            return None
        return entry[4]

    def put(
        self, token: str, claims: dict[str, Any], issuer: str, audiences: frozenset[str] | None
    ) -> None:
        if self.max_size <= 0:
            return
        with self.lock:
            while len(self.entries) >= self.max_size:
                self.entries.pop(next(iter(self.entries)))
            self.entries[token] = (float(claims["exp"]), claims, issuer, audiences, {})
