"""Single-flight token refresh: one token-endpoint call per refresh token, shared by everyone.

Concurrent requests carrying the same session (threads, or asyncio tasks) wait for the one
refresh in flight; its outcome (new tokens, or the error) is remembered for a short while,
keyed by a hash of the *old* refresh token, so late requests still carrying the old cookie get
the new tokens instead of replaying a rotated refresh token.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio

from ..errors import OAuthError, ScalekitError
from ..tokens import TokenResponse

__all__ = ["AsyncRefreshCoordinator", "RefreshCoordinator", "RefreshFailed", "RefreshOutcomes"]

#: Transient failures are shared only briefly, so a recovered provider is retried soon.
_TRANSIENT_TTL = 5.0
_MAX_REMEMBERED = 10_000


class RefreshFailed(ScalekitError):
    """A refresh did not succeed. ``ends_session`` is true when the grant is gone for good
    (``invalid_grant``: revoked, expired or already used), false for transient failures."""

    def __init__(self, reason: str, *, ends_session: bool) -> None:
        self.reason = reason
        self.ends_session = ends_session
        super().__init__(f"refresh failed: {reason}")


_Outcome = TokenResponse | RefreshFailed


def _classify(exc: ScalekitError) -> RefreshFailed:
    if isinstance(exc, OAuthError):
        return RefreshFailed(exc.error, ends_session=exc.error == "invalid_grant")
    return RefreshFailed(type(exc).__name__, ends_session=False)


def refresh_key(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


@dataclass
class RefreshOutcomes:
    """Recent refresh outcomes by old refresh token (bounded, expiring)."""

    ttl: float
    clock: Callable[[], float]

    def __post_init__(self) -> None:
        self._entries: dict[str, tuple[float, _Outcome]] = {}

    def get(self, key: str) -> _Outcome | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self.clock():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: str, outcome: _Outcome) -> None:
        permanent = isinstance(outcome, TokenResponse) or outcome.ends_session
        now = self.clock()
        ttl = self.ttl if permanent else min(self.ttl, _TRANSIENT_TTL)
        if len(self._entries) >= _MAX_REMEMBERED:
            for old in [k for k, (until, _) in self._entries.items() if until <= now]:
                del self._entries[old]
            while len(self._entries) >= _MAX_REMEMBERED:
                self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (now + ttl, outcome)


def _settle(outcome: _Outcome) -> TokenResponse:
    if isinstance(outcome, RefreshFailed):
        # A fresh exception per waiter: one instance raised in many threads would share
        # (and grow) a traceback.
        raise RefreshFailed(outcome.reason, ends_session=outcome.ends_session)
    return outcome


class RefreshCoordinator:
    """Thread-safe single flight: ``run(refresh_token, refresh)`` calls ``refresh`` once."""

    def __init__(self, outcomes: RefreshOutcomes) -> None:
        self.outcomes = outcomes
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def run(self, refresh_token: str, refresh: Callable[[], TokenResponse]) -> TokenResponse:
        key = refresh_key(refresh_token)
        with self._guard:
            known = self.outcomes.get(key)
            if known is not None:
                return _settle(known)
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                known = self.outcomes.get(key)
            if known is not None:
                return _settle(known)
            try:
                outcome: _Outcome = refresh()
            except ScalekitError as exc:
                outcome = _classify(exc)
            with self._guard:
                self.outcomes.put(key, outcome)
                self._locks.pop(key, None)
        return _settle(outcome)


class AsyncRefreshCoordinator:
    """The asyncio/anyio twin: tasks of one event loop share one refresh per token."""

    def __init__(self, outcomes: RefreshOutcomes) -> None:
        self.outcomes = outcomes
        self._locks: dict[str, anyio.Lock] = {}

    async def run(
        self, refresh_token: str, refresh: Callable[[], Awaitable[TokenResponse]]
    ) -> TokenResponse:
        key = refresh_key(refresh_token)
        known = self.outcomes.get(key)
        if known is not None:
            return _settle(known)
        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            known = self.outcomes.get(key)
            if known is not None:
                return _settle(known)
            try:
                outcome: _Outcome = await refresh()
            except ScalekitError as exc:
                outcome = _classify(exc)
            self.outcomes.put(key, outcome)
            self._locks.pop(key, None)
        return _settle(outcome)
