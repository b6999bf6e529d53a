"""``RedisRevocations``: the revocation record in Redis, shared by every process and host.

Used automatically whenever ``SCALEKIT_REDIS_URL`` is set, also when sessions stay in
cookies. It rides on a :class:`RedisSessionStore`'s connections (its pools, timeouts, retry
of a stale pooled connection, key prefix), and follows its outage rule: every Redis failure
is ``SessionStoreUnavailable`` and the managers answer 503, never a silently accepted
session. Keys, under the store's prefix::

    {prefix}x:s:{sid}   string  "Scalekit session sid ended" (expires at its ``until``)
    {prefix}x:u:{sub}   string  the cut-off time of user sub's sessions (kept at the latest)
    {prefix}x:w:{id}    string  a webhook id already handled (SET NX: a replay is refused)

A lookup is one ``MGET`` of two keys: one round trip per request.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .redis_store import _ms, _redis_errors

if TYPE_CHECKING:
    from .redis_store import AsyncRedisSessionStore, RedisSessionStore

__all__ = ["AsyncRedisRevocations", "RedisRevocations"]

# KEYS[1] the user's cut-off; ARGV: before_time, ttl ms. The latest cut-off and expiry win.
_REVOKE_USER = """
local old = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > old then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
"""


def _ttl(until: float) -> int:
    return _ms(until - time.time())


def _revoked(values: list[Any], issued_at: float) -> bool:
    session, cutoff = values
    if session is not None:
        return True
    if cutoff is None:
        return False
    try:
        return issued_at <= float(cutoff)
    except ValueError:
        return True  # never written by this module: refuse rather than let it pass


class _Keys:
    def __init__(self, prefix: str) -> None:
        self.session = prefix + "x:s:"
        self.user = prefix + "x:u:"
        self.webhook = prefix + "x:w:"

    def lookup(self, sid: str | None, sub: str) -> list[str]:
        # A session without a key looks up a name no entry has ("" is never written).
        return [self.session + (sid or ""), self.user + sub]


class RedisRevocations:
    """The revocation record in Redis, blocking; :meth:`async_twin` for asyncio managers.

    >>> RedisRevocations(RedisSessionStore("redis://localhost:6379/0"))  # doctest: +SKIP
    """

    def __init__(self, store: RedisSessionStore) -> None:
        self._store = store
        self._keys = _Keys(store.prefix)
        self._twin = AsyncRedisRevocations(store.async_twin(), self._keys)

    def __repr__(self) -> str:
        return f"RedisRevocations(prefix={self._store.prefix!r})"

    def async_twin(self) -> AsyncRedisRevocations:
        return self._twin

    def close(self) -> None:
        """Close the blocking connections (those of the store it rides on)."""
        self._store.close()

    def revoke_session(self, sid: str, until: float) -> None:
        with _redis_errors("revoke_session"):
            self._store.client.set(self._keys.session + sid, "1", px=_ttl(until))

    def revoke_user(self, sub: str, before_time: float, until: float) -> None:
        with _redis_errors("revoke_user"):
            self._store._script("revoke_user", _REVOKE_USER)(
                keys=[self._keys.user + sub], args=[repr(before_time), _ttl(until)]
            )

    def is_revoked(self, sid: str | None, sub: str, issued_at: float) -> bool:
        with _redis_errors("is_revoked"):
            values = self._store.client.mget(self._keys.lookup(sid, sub))
        return _revoked(values, issued_at)

    def remember_webhook_id(self, webhook_id: str, until: float) -> bool:
        with _redis_errors("remember_webhook_id"):
            fresh = self._store.client.set(
                self._keys.webhook + webhook_id, "1", nx=True, px=_ttl(until)
            )
        return bool(fresh)

    def forget_webhook_id(self, webhook_id: str) -> None:
        with _redis_errors("forget_webhook_id"):
            self._store.client.delete(self._keys.webhook + webhook_id)


class AsyncRedisRevocations:
    """The awaitable twin of :class:`RedisRevocations` (the same keys)."""

    def __init__(self, store: AsyncRedisSessionStore, keys: _Keys) -> None:
        self._store = store
        self._keys = keys

    async def aclose(self) -> None:
        """Close this loop's connections (those of the store it rides on)."""
        await self._store.aclose()

    async def revoke_session(self, sid: str, until: float) -> None:
        with _redis_errors("revoke_session"):
            await self._store.client.set(self._keys.session + sid, "1", px=_ttl(until))

    async def revoke_user(self, sub: str, before_time: float, until: float) -> None:
        with _redis_errors("revoke_user"):
            await self._store._script("revoke_user", _REVOKE_USER)(
                keys=[self._keys.user + sub], args=[repr(before_time), _ttl(until)]
            )

    async def is_revoked(self, sid: str | None, sub: str, issued_at: float) -> bool:
        with _redis_errors("is_revoked"):
            values = await self._store.client.mget(self._keys.lookup(sid, sub))
        return _revoked(values, issued_at)

    async def remember_webhook_id(self, webhook_id: str, until: float) -> bool:
        with _redis_errors("remember_webhook_id"):
            fresh = await self._store.client.set(
                self._keys.webhook + webhook_id, "1", nx=True, px=_ttl(until)
            )
        return bool(fresh)

    async def forget_webhook_id(self, webhook_id: str) -> None:
        with _redis_errors("forget_webhook_id"):
            await self._store.client.delete(self._keys.webhook + webhook_id)
