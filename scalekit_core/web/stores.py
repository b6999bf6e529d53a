"""Where sessions live: in the cookie itself (default) or server-side behind a signed id.

A server-side store implements :class:`SessionStore` (blocking, or cheap in-memory) or
:class:`AsyncSessionStore` (awaitable, e.g. Redis with ``redis.asyncio``). The session layer
owns lifetimes (idle and absolute timeouts); ``ttl`` only lets a store drop dead sessions.
``delete_user_sessions`` needs a per-user index (``user_id`` is passed on every write).

Optional capabilities, used by the managers when a store has them:

- :class:`SealingStore`: the store seals what it keeps; the manager hands it the app secrets.
- :class:`DualSessionStore`: one blocking store object that also has an asyncio twin, so the
  same configuration serves ``SessionManager`` and ``AsyncSessionManager``.
- ``SharedRefreshes`` / ``AsyncSharedRefreshes`` (in ``refresh``): the store coordinates
  token refreshes across processes.
"""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .session_data import SessionData

__all__ = [
    "AnySessionStore",
    "AsyncSessionStore",
    "CookieSessionStore",
    "DualSessionStore",
    "MemorySessionStore",
    "SealingStore",
    "SessionStore",
]


@runtime_checkable
class SessionStore(Protocol):
    """A blocking server-side store. Every method is safe to call from many threads."""

    def get(self, session_id: str) -> SessionData | None: ...

    def set(
        self, session_id: str, data: SessionData, *, ttl: float, user_id: str | None
    ) -> None: ...

    def delete(self, session_id: str) -> None: ...

    def delete_user_sessions(self, user_id: str) -> int: ...

    def delete_by_scalekit_session(self, scalekit_session_id: str) -> int: ...


class AsyncSessionStore(Protocol):
    """The awaitable twin of :class:`SessionStore` (for ``AsyncSessionManager`` only)."""

    async def get(self, session_id: str) -> SessionData | None: ...

    async def set(
        self, session_id: str, data: SessionData, *, ttl: float, user_id: str | None
    ) -> None: ...

    async def delete(self, session_id: str) -> None: ...

    async def delete_user_sessions(self, user_id: str) -> int: ...

    async def delete_by_scalekit_session(self, scalekit_session_id: str) -> int: ...


@runtime_checkable
class SealingStore(Protocol):
    """A store that encrypts sessions at rest with the app secrets (first seals, all open)."""

    def bind_secrets(self, secrets: Sequence[str]) -> None: ...


@runtime_checkable
class DualSessionStore(Protocol):
    """A blocking store that also offers its asyncio twin (same data, same configuration)."""

    def async_twin(self) -> AsyncSessionStore: ...


@dataclass(frozen=True)
class CookieSessionStore:
    """The default: the whole session is sealed into the cookie (chunked when large).

    Stateless, so any number of processes serve a session with no shared state.
    """


@dataclass
class MemorySessionStore:
    """Sessions in this process's memory; the cookie carries only a signed opaque id.

    For development, tests and single-process apps (sessions vanish on restart).
    """

    clock: Callable[[], float] = time.time
    _sessions: dict[str, tuple[float, SessionData, str | None]] = field(
        default_factory=dict, repr=False
    )
    _by_user: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _by_scalekit_session: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, session_id: str) -> SessionData | None:
        with self._lock:
            entry = self._sessions.get(session_id)
            if entry is None:
                return None
            if entry[0] <= self.clock():
                self._remove(session_id)
                return None
            return entry[1]

    def set(self, session_id: str, data: SessionData, *, ttl: float, user_id: str | None) -> None:
        with self._lock:
            self._remove(session_id)
            self._sessions[session_id] = (self.clock() + ttl, data, user_id)
            if user_id is not None:
                self._by_user.setdefault(user_id, set()).add(session_id)
            sid = data.scalekit_session_id
            if sid is not None:
                self._by_scalekit_session.setdefault(sid, set()).add(session_id)

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._remove(session_id)

    def delete_user_sessions(self, user_id: str) -> int:
        return self._delete_indexed(self._by_user, user_id)

    def delete_by_scalekit_session(self, scalekit_session_id: str) -> int:
        return self._delete_indexed(self._by_scalekit_session, scalekit_session_id)

    def _delete_indexed(self, index: dict[str, builtins.set[str]], key: str) -> int:
        with self._lock:
            ids = list(index.get(key, ()))
            for session_id in ids:
                self._remove(session_id)
            return len(ids)

    def __len__(self) -> int:
        return len(self._sessions)

    def _remove(self, session_id: str) -> None:
        entry = self._sessions.pop(session_id, None)
        if entry is None:
            return
        for index, key in (
            (self._by_user, entry[2]),
            (self._by_scalekit_session, entry[1].scalekit_session_id),
        ):
            ids = index.get(key) if key is not None else None
            if ids is not None:
                ids.discard(session_id)
                if not ids:
                    del index[key]  # type: ignore[arg-type]


AnySessionStore = CookieSessionStore | SessionStore | AsyncSessionStore
