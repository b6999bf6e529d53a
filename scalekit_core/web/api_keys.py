"""API keys: opaque Scalekit API tokens (``client.tokens``) as machine credentials.

With ``SessionSettings(api_keys=True)`` (``SCALEKIT_API_KEYS=true``), a request carrying an
API key in ``X-API-Key`` (``api_key_header``), or as ``Authorization: Bearer <key>`` when
the key is not a JWT, is a :class:`Machine` whose ``organization_id`` and ``claims`` come
from Scalekit's answer to ``tokens.validate_token``. The machine guards of every adapter
accept it like a client-credentials token; user guards never do.

Each key is asked about once per ``ttl`` (a refused one once per ``negative_ttl``), and
concurrent requests with the same key share one call (threads, and the tasks of one event
loop). Keys are held by their SHA-256 only. A Scalekit outage makes the request anonymous
(401), never a 500, and is not cached.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..claims import scopes_of
from ..errors import ScalekitError, TokenValidationError
from .requests import WebRequest
from .session_data import Machine, is_jwt

if TYPE_CHECKING:
    import anyio

    from ..management import ApiToken

__all__ = ["ApiKeyCache", "api_key_of", "machine_from_api_token"]

log = logging.getLogger("scalekit_core.web")

#: What an API key may look like (anything else is refused without asking Scalekit).
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9._~+/=-]{8,512}$")


def api_key_of(request: WebRequest, header: str) -> str | None:
    """The API key of ``request``: the ``header`` value, or a bearer token that is not a
    JWT. ``None`` when there is none, when it is malformed, or when both places hold a
    credential (which one is meant cannot be told)."""
    raw = request.headers.get(header.lower())
    bearer = request.bearer_token
    if raw is not None:
        if bearer is not None or request.authorization_ambiguous:
            return None
        key = raw.strip()
    elif bearer is not None and not is_jwt(bearer):
        key = bearer
    else:
        return None
    return key if _KEY_SHAPE.match(key) else None


def machine_from_api_token(info: ApiToken) -> Machine:
    """The machine principal of a validated API token.

    ``claims`` holds the token's custom claims, then what Scalekit says of the token (its
    id, organization, user), which a custom claim can never override: an organization's
    own claims do not choose its organization. Scopes come from a ``scope``/``scopes``
    custom claim (space-separated).
    """
    claims: dict[str, Any] = dict(info.custom_claims)
    claims.update(
        {
            "token_id": info.token_id,
            "oid": info.organization_id,
            "organization_id": info.organization_id,
            "organization_external_id": info.organization_external_id,
            "user_id": info.user_id,
            "email": info.email,
            "roles": list(info.roles),
            "api_token": True,
        }
    )
    return Machine(
        client_id=info.token_id,
        organization_id=info.organization_id,
        scopes=scopes_of(info.custom_claims),
        claims=claims,
        expires_at=info.expiry.timestamp() if info.expiry is not None else None,
    )


class ApiKeyCache:
    """Validated API keys, briefly; single-flight per key. Owned by a session manager."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        ttl: float = 60.0,
        negative_ttl: float = 10.0,
        max_size: int = 4096,
    ) -> None:
        self._clock = clock
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        self.max_size = max_size
        self._entries: dict[str, tuple[float, Machine | None]] = {}
        self._lock = threading.Lock()
        self._flights: dict[str, threading.Event] = {}
        self._async_flights: dict[tuple[int, str], anyio.Event] = {}

    @staticmethod
    def _digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def _cached(self, digest: str) -> tuple[bool, Machine | None]:
        entry = self._entries.get(digest)
        if entry is None or self._clock() >= entry[0]:
            return False, None
        return True, entry[1]

    def _store(self, digest: str, machine: Machine | None) -> None:
        now = self._clock()
        until = now + (self.ttl if machine is not None else self.negative_ttl)
        if machine is not None and machine.expires_at is not None:
            until = min(until, machine.expires_at)
        with self._lock:
            if len(self._entries) >= self.max_size:
                for stale in [d for d, (t, _) in self._entries.items() if t <= now]:
                    del self._entries[stale]
                while len(self._entries) >= self.max_size:
                    del self._entries[next(iter(self._entries))]
            self._entries[digest] = (until, machine)

    def forget(self, key: str) -> None:
        """Drop ``key`` (e.g. right after invalidating it), so its next use asks Scalekit."""
        with self._lock:
            self._entries.pop(self._digest(key), None)

    def _fail(self, digest: str, exc: ScalekitError) -> None:
        if isinstance(exc, TokenValidationError):  # Scalekit refused the key: remember it
            log.info("API key refused: %s", exc.reason)
            self._store(digest, None)
        else:  # an outage: nothing is known of the key, so nothing is cached
            log.warning("API key not checked, Scalekit unavailable: %s", type(exc).__name__)

    def _accept(self, digest: str, info: ApiToken) -> Machine:
        machine = machine_from_api_token(info)
        self._store(digest, machine)
        return machine

    def resolve(self, key: str, validate: Callable[[], ApiToken]) -> Machine | None:
        """The machine of ``key`` (``None``: refused or unknown), asking ``validate`` once."""
        digest = self._digest(key)
        for _ in range(2):  # a waiter whose leader failed asks once itself
            hit, machine = self._cached(digest)
            if hit:
                return machine
            with self._lock:
                flight = self._flights.get(digest)
                leader = flight is None
                if leader:
                    flight = self._flights[digest] = threading.Event()
            assert flight is not None
            if not leader:
                flight.wait(timeout=30.0)
                continue
            try:
                try:
                    info = validate()
                except ScalekitError as exc:
                    self._fail(digest, exc)
                    return None
                return self._accept(digest, info)
            finally:
                with self._lock:
                    self._flights.pop(digest, None)
                flight.set()
        return self._cached(digest)[1]

    async def aresolve(
        self, key: str, validate: Callable[[], Awaitable[ApiToken]]
    ) -> Machine | None:
        """The async twin of :meth:`resolve` (single-flight among one loop's tasks)."""
        import anyio  # the async path only: sync apps never load it
        import anyio.lowlevel

        digest = self._digest(key)
        loop = id(anyio.lowlevel.current_token().native_token)
        for _ in range(2):
            hit, machine = self._cached(digest)
            if hit:
                return machine
            flight = self._async_flights.get((loop, digest))
            if flight is not None:
                with anyio.fail_after(30.0):
                    await flight.wait()
                continue
            flight = self._async_flights[(loop, digest)] = anyio.Event()
            try:
                try:
                    info = await validate()
                except ScalekitError as exc:
                    self._fail(digest, exc)
                    return None
                return self._accept(digest, info)
            finally:
                self._async_flights.pop((loop, digest), None)
                flight.set()
        return self._cached(digest)[1]

    def __repr__(self) -> str:
        return f"ApiKeyCache(entries={len(self._entries)})"
