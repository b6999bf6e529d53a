"""The revocation record: sessions that ended, refused on their next request in every process.

A session can end while its cookie lives on: a logout whose cookie was copied beforehand, a
revocation from another browser ("Revoke", "Sign out everywhere"), or one made at Scalekit
(a webhook). Server-side stores delete the stored session; the cookie store has nothing to
delete, so ``load()`` consults this record on every request. Two kinds of entries:

- "Scalekit session ``sid`` ended" (:meth:`Revocations.revoke_session`);
- "every session of user ``sub`` issued at or before ``before_time`` ended"
  (:meth:`Revocations.revoke_user`).

Each is kept ``until`` the sessions it could refuse are past their absolute timeout, so the
record stays bounded. It also remembers the ids of webhooks already handled (replays).

Backends: :class:`MemoryRevocations` (the default: dict lookups, exact for one process) and
``RedisRevocations`` (``redis_revocation``; used whenever ``SCALEKIT_REDIS_URL`` is set,
shared by every process and host). Any object with these methods works (:class:`Revocations`,
or :class:`AsyncRevocations` for an awaitable one used by ``AsyncSessionManager`` only).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .session_data import SessionData

__all__ = [
    "AsyncRevocations",
    "DualRevocations",
    "MemoryRevocations",
    "Revocations",
    "session_key",
]

#: Seconds between two sweeps of expired entries (a sweep is one pass over the record).
PRUNE_INTERVAL = 60.0


def session_key(data: SessionData) -> str | None:
    """What identifies one session in the record: its Scalekit session id (``sid``), else
    (a provider without ``sid``) a digest of its subject and creation time, unique per login."""
    user = data.user
    if user is None:
        return None
    if user.session_id:
        return user.session_id
    digest = hashlib.sha256(f"{user.id}\x00{data.created_at!r}".encode()).hexdigest()[:32]
    return "local:" + digest


@runtime_checkable
class Revocations(Protocol):
    """A blocking revocation record. Every method is safe to call from many threads and may
    raise ``SessionStoreUnavailable`` (the managers answer 503, never let a request through)."""

    def revoke_session(self, sid: str, until: float) -> None: ...

    def revoke_user(self, sub: str, before_time: float, until: float) -> None: ...

    def is_revoked(self, sid: str | None, sub: str, issued_at: float) -> bool: ...

    def remember_webhook_id(self, webhook_id: str, until: float) -> bool:
        """``True`` the first time ``webhook_id`` is seen, ``False`` for a replay."""
        ...

    def forget_webhook_id(self, webhook_id: str) -> None:
        """Forget a webhook whose handling failed, so Scalekit's retry of it is handled."""
        ...


class AsyncRevocations(Protocol):
    """The awaitable twin of :class:`Revocations` (for ``AsyncSessionManager`` only)."""

    async def revoke_session(self, sid: str, until: float) -> None: ...

    async def revoke_user(self, sub: str, before_time: float, until: float) -> None: ...

    async def is_revoked(self, sid: str | None, sub: str, issued_at: float) -> bool: ...

    async def remember_webhook_id(self, webhook_id: str, until: float) -> bool: ...

    async def forget_webhook_id(self, webhook_id: str) -> None: ...


@runtime_checkable
class DualRevocations(Protocol):
    """A blocking record that also offers its asyncio twin (the same entries)."""

    def async_twin(self) -> AsyncRevocations: ...


@dataclass
class MemoryRevocations:
    """The record in this process's memory: exact for one process (a multi-process
    deployment with the cookie store needs Redis: ``SCALEKIT_REDIS_URL``).

    Lookups are two dict reads without a lock; writes take one and, at most once per
    ``PRUNE_INTERVAL``, drop the entries whose ``until`` has passed.
    """

    clock: Callable[[], float] = time.time
    _sessions: dict[str, float] = field(default_factory=dict, repr=False)
    _users: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)
    _webhooks: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _next_prune: float = field(default=0.0, repr=False)

    def revoke_session(self, sid: str, until: float) -> None:
        with self._lock:
            self._prune()
            self._sessions[sid] = max(until, self._sessions.get(sid, until))

    def revoke_user(self, sub: str, before_time: float, until: float) -> None:
        with self._lock:
            self._prune()
            old = self._users.get(sub)
            if old is not None:
                before_time, until = max(before_time, old[0]), max(until, old[1])
            self._users[sub] = (before_time, until)

    def is_revoked(self, sid: str | None, sub: str, issued_at: float) -> bool:
        if sid is not None and sid in self._sessions:
            return True
        cutoff = self._users.get(sub)
        return cutoff is not None and issued_at <= cutoff[0]

    def remember_webhook_id(self, webhook_id: str, until: float) -> bool:
        with self._lock:
            self._prune()
            if webhook_id in self._webhooks:
                return False
            self._webhooks[webhook_id] = until
            return True

    def forget_webhook_id(self, webhook_id: str) -> None:
        with self._lock:
            self._webhooks.pop(webhook_id, None)

    def __len__(self) -> int:
        return len(self._sessions) + len(self._users)

    def _prune(self) -> None:
        now = self.clock()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_INTERVAL
        for table in (self._sessions, self._webhooks):
            for key in [key for key, until in table.items() if until <= now]:
                del table[key]
        for key in [key for key, (_, until) in self._users.items() if until <= now]:
            del self._users[key]
