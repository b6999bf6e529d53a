"""Single-flight token refresh: one token-endpoint call per refresh token, shared by everyone.

Concurrent requests carrying the same session (threads, or asyncio tasks) wait for the one
refresh in flight; its outcome (new tokens, or the error) is remembered for a short while,
keyed by a hash of the *old* refresh token, so late requests still carrying the old cookie get
the new tokens instead of replaying a rotated refresh token.

Across processes, a store implementing :class:`SharedRefreshes` (Redis) extends both: one
process takes a lock per refresh token (expiring, so a dead holder's lock lapses and another
process takes over), refreshes, and publishes the outcome with the lock's release in one
atomic step; the others poll briefly for that outcome instead of replaying a rotated token.
The published outcome stays readable for ``refresh_result_ttl`` (the grace window during
which requests still carrying the previous session get the new tokens).

A request whose access token is still valid need not wait for a refresh another request is
running (``wait=False``): it fails at once with ``refresh_in_progress`` and is served with
its current session, so a slow provider holds only the requests that cannot go on without
new tokens.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import anyio

from ..errors import OAuthError, ScalekitError
from ..tokens import TokenResponse
from .errors import SessionStoreUnavailable

__all__ = [
    "AsyncRefreshCoordinator",
    "AsyncSharedRefreshes",
    "RefreshCoordinator",
    "RefreshFailed",
    "RefreshOutcome",
    "RefreshOutcomes",
    "SharedRefreshes",
]

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
RefreshOutcome = _Outcome

#: The reason of the ``RefreshFailed`` of a request that did not wait for a refresh in flight.
IN_PROGRESS = "refresh_in_progress"


def _in_progress() -> RefreshFailed:
    return RefreshFailed(IN_PROGRESS, ends_session=False)


#: How often a process waiting for another process's refresh looks for its outcome.
_POLL_INTERVAL = 0.02


@runtime_checkable
class SharedRefreshes(Protocol):
    """Cross-process refresh primitives (blocking). Keys are hashes of old refresh tokens.

    Every method may raise ``SessionStoreUnavailable``.
    """

    #: Seconds a lock lives: longer than a refresh can take, short enough to take over soon.
    refresh_lock_ttl: float
    #: Seconds a process waits for another's outcome before giving up (transient failure).
    refresh_wait: float

    def refresh_outcome(self, key: str) -> RefreshOutcome | None: ...

    def acquire_refresh_lock(self, key: str) -> str | None:
        """An owner token when the lock was free (SET NX PX), else ``None``."""

    def publish_refresh_outcome(
        self, key: str, owner: str, outcome: RefreshOutcome, ttl: float
    ) -> None:
        """Store the outcome for ``ttl`` seconds and release ``owner``'s lock, atomically."""

    def release_refresh_lock(self, key: str, owner: str) -> None:
        """Delete the lock only if ``owner`` still holds it."""


@runtime_checkable
class AsyncSharedRefreshes(Protocol):
    """The awaitable twin of :class:`SharedRefreshes`."""

    refresh_lock_ttl: float
    refresh_wait: float

    async def refresh_outcome(self, key: str) -> RefreshOutcome | None: ...

    async def acquire_refresh_lock(self, key: str) -> str | None: ...

    async def publish_refresh_outcome(
        self, key: str, owner: str, outcome: RefreshOutcome, ttl: float
    ) -> None: ...

    async def release_refresh_lock(self, key: str, owner: str) -> None: ...


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

    def ttl_for(self, outcome: _Outcome) -> float:
        permanent = isinstance(outcome, TokenResponse) or outcome.ends_session
        return self.ttl if permanent else min(self.ttl, _TRANSIENT_TTL)

    def put(self, key: str, outcome: _Outcome) -> None:
        now = self.clock()
        ttl = self.ttl_for(outcome)
        if len(self._entries) >= _MAX_REMEMBERED:
            for old in [k for k, (until, _) in self._entries.items() if until <= now]:
                del self._entries[old]
            while len(self._entries) >= _MAX_REMEMBERED:
                self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (now + ttl, outcome)


def _is_in_progress(outcome: _Outcome) -> bool:
    return isinstance(outcome, RefreshFailed) and outcome.reason == IN_PROGRESS


def _settle(outcome: _Outcome) -> TokenResponse:
    if isinstance(outcome, RefreshFailed):
        # A fresh exception per waiter: one instance raised in many threads would share
        # (and grow) a traceback.
        raise RefreshFailed(outcome.reason, ends_session=outcome.ends_session)
    return outcome


def _shared_ttl(outcomes: RefreshOutcomes, outcome: _Outcome) -> float:
    # Waiters poll every few milliseconds: even "remember nothing" must outlive one poll.
    return max(outcomes.ttl_for(outcome), 1.0)


def _attempt(refresh: Callable[[], TokenResponse]) -> _Outcome:
    try:
        return refresh()
    except SessionStoreUnavailable:
        raise
    except ScalekitError as exc:
        return _classify(exc)


def _run_shared(
    shared: SharedRefreshes,
    outcomes: RefreshOutcomes,
    key: str,
    refresh: Callable[[], TokenResponse],
    wait: bool = True,
) -> _Outcome:
    """One refresh across every process sharing ``shared``."""
    deadline = time.monotonic() + shared.refresh_wait
    while True:
        known = shared.refresh_outcome(key)
        if known is not None:
            return known
        owner = shared.acquire_refresh_lock(key)
        if owner is not None:
            published = False
            try:
                # Published between our look and our lock: use it, never refresh twice.
                known = shared.refresh_outcome(key)
                if known is not None:
                    return known
                outcome = _attempt(refresh)
                shared.publish_refresh_outcome(key, owner, outcome, _shared_ttl(outcomes, outcome))
                published = True
                return outcome
            finally:
                if not published:
                    shared.release_refresh_lock(key, owner)
        if not wait:
            return _in_progress()
        if time.monotonic() >= deadline:
            return RefreshFailed("refresh_lock_timeout", ends_session=False)
        time.sleep(_POLL_INTERVAL)


async def _run_shared_async(
    shared: AsyncSharedRefreshes,
    outcomes: RefreshOutcomes,
    key: str,
    refresh: Callable[[], Awaitable[TokenResponse]],
    wait: bool = True,
) -> _Outcome:
    """The awaitable twin of :func:`_run_shared`."""
    deadline = time.monotonic() + shared.refresh_wait
    while True:
        known = await shared.refresh_outcome(key)
        if known is not None:
            return known
        owner = await shared.acquire_refresh_lock(key)
        if owner is not None:
            published = False
            try:
                known = await shared.refresh_outcome(key)
                if known is not None:
                    return known
                try:
                    outcome: _Outcome = await refresh()
                except SessionStoreUnavailable:
                    raise
                except ScalekitError as exc:
                    outcome = _classify(exc)
                await shared.publish_refresh_outcome(
                    key, owner, outcome, _shared_ttl(outcomes, outcome)
                )
                published = True
                return outcome
            finally:
                if not published:
                    await shared.release_refresh_lock(key, owner)
        if not wait:
            return _in_progress()
        if time.monotonic() >= deadline:
            return RefreshFailed("refresh_lock_timeout", ends_session=False)
        await anyio.sleep(_POLL_INTERVAL)


class RefreshCoordinator:
    """Thread-safe single flight: ``run(refresh_token, refresh)`` calls ``refresh`` once.

    With ``shared`` (a Redis store), once across every process too.
    """

    def __init__(self, outcomes: RefreshOutcomes, shared: SharedRefreshes | None = None) -> None:
        self.outcomes = outcomes
        self.shared = shared
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def run(
        self, refresh_token: str, refresh: Callable[[], TokenResponse], *, wait: bool = True
    ) -> TokenResponse:
        """New tokens; ``wait=False`` fails with ``refresh_in_progress`` rather than wait."""
        key = refresh_key(refresh_token)
        with self._guard:
            known = self.outcomes.get(key)
            if known is not None:
                return _settle(known)
            if not wait and key in self._locks:
                raise _in_progress()
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                known = self.outcomes.get(key)
            if known is not None:
                return _settle(known)
            try:
                if self.shared is not None:
                    outcome = _run_shared(self.shared, self.outcomes, key, refresh, wait)
                else:
                    outcome = _attempt(refresh)
            except BaseException:
                with self._guard:
                    self._locks.pop(key, None)
                raise
            with self._guard:
                if not _is_in_progress(outcome):
                    self.outcomes.put(key, outcome)
                self._locks.pop(key, None)
        return _settle(outcome)


class AsyncRefreshCoordinator:
    """The asyncio/anyio twin: tasks of one event loop share one refresh per token."""

    def __init__(
        self, outcomes: RefreshOutcomes, shared: AsyncSharedRefreshes | None = None
    ) -> None:
        self.outcomes = outcomes
        self.shared = shared
        self._locks: dict[str, anyio.Lock] = {}

    async def run(
        self,
        refresh_token: str,
        refresh: Callable[[], Awaitable[TokenResponse]],
        *,
        wait: bool = True,
    ) -> TokenResponse:
        """New tokens; ``wait=False`` fails with ``refresh_in_progress`` rather than wait."""
        key = refresh_key(refresh_token)
        known = self.outcomes.get(key)
        if known is not None:
            return _settle(known)
        if not wait and key in self._locks:
            raise _in_progress()
        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            known = self.outcomes.get(key)
            if known is not None:
                return _settle(known)
            try:
                if self.shared is not None:
                    outcome = await _run_shared_async(
                        self.shared, self.outcomes, key, refresh, wait
                    )
                else:
                    try:
                        outcome = await refresh()
                    except SessionStoreUnavailable:
                        raise
                    except ScalekitError as exc:
                        outcome = _classify(exc)
            except BaseException:
                self._locks.pop(key, None)
                raise
            if not _is_in_progress(outcome):
                self.outcomes.put(key, outcome)
            self._locks.pop(key, None)
        return _settle(outcome)
