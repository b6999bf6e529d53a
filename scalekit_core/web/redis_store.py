"""``RedisSessionStore``: server-side sessions and cross-process refresh coordination on Redis.

One object serves both managers: its blocking methods use a ``redis.Redis`` client, and
:meth:`RedisSessionStore.async_twin` gives the awaitable store over a ``redis.asyncio.Redis``
client (both created lazily from the URL, or given). ``redis`` is imported only when a client
is first needed, so ``import scalekit_core`` works without the ``redis`` extra.

Keys, all under ``prefix`` (default ``scalekit:``)::

    {prefix}s:{id}     hash  d = the sealed session, u = user id, k = Scalekit session id
                              (expires with the session's remaining idle/absolute lifetime)
    {prefix}u:{user}   set   local session ids of one user ("sign out everywhere")
    {prefix}k:{sid}    set   local session ids of one Scalekit session (a revocation)
    {prefix}l:{hash}   string refresh lock (owner token; SET NX PX)
    {prefix}r:{hash}   string sealed refresh outcome, shared during the grace window

``{hash}`` is the SHA-256 of the old refresh token. Sessions and refresh outcomes are sealed
(AES-GCM, the session layer's ``Sealer``) and bound to their key, so a Redis dump holds no
readable token and a value can not be moved to another session. Multi-key updates run as Lua
scripts (atomic); keys are derived inside the scripts, so this is for standalone Redis (or a
primary with replicas), not Redis Cluster.

Every Redis failure is raised as ``SessionStoreUnavailable``; the managers answer 503.

>>> store = RedisSessionStore("redis://localhost:6379/0", prefix="myapp:")  # doctest: +SKIP
>>> SessionSettings(secrets=..., base_url=..., store=store)                # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import importlib
import secrets as _secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from ..tokens import TokenResponse
from .errors import SessionStoreUnavailable
from .refresh import RefreshFailed, RefreshOutcome
from .sealing import PURPOSE_SESSION, Sealer
from .session_data import SessionData

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["AsyncRedisSessionStore", "RedisSessionStore"]

DEFAULT_PREFIX = "scalekit:"
DEFAULT_MAX_CONNECTIONS = 50

# KEYS[1] session; ARGV: sealed, ttl ms, user, sid, id, prefix
_SET = """
local old_u = redis.call('HGET', KEYS[1], 'u')
local old_k = redis.call('HGET', KEYS[1], 'k')
if old_u and old_u ~= '' and old_u ~= ARGV[3] then
  redis.call('SREM', ARGV[6] .. 'u:' .. old_u, ARGV[5])
end
if old_k and old_k ~= '' and old_k ~= ARGV[4] then
  redis.call('SREM', ARGV[6] .. 'k:' .. old_k, ARGV[5])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'u', ARGV[3], 'k', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local ttl = tonumber(ARGV[2])
local function index(key)
  redis.call('SADD', key, ARGV[5])
  for _, id in ipairs(redis.call('SMEMBERS', key)) do
    if redis.call('EXISTS', ARGV[6] .. 's:' .. id) == 0 then redis.call('SREM', key, id) end
  end
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
if ARGV[3] ~= '' then index(ARGV[6] .. 'u:' .. ARGV[3]) end
if ARGV[4] ~= '' then index(ARGV[6] .. 'k:' .. ARGV[4]) end
return 1
"""

# KEYS[1] session; ARGV: id, prefix
_DELETE = """
local u = redis.call('HGET', KEYS[1], 'u')
local k = redis.call('HGET', KEYS[1], 'k')
if u and u ~= '' then redis.call('SREM', ARGV[2] .. 'u:' .. u, ARGV[1]) end
if k and k ~= '' then redis.call('SREM', ARGV[2] .. 'k:' .. k, ARGV[1]) end
return redis.call('DEL', KEYS[1])
"""

# KEYS[1] an index (user or sid); ARGV: prefix, the other index's field/kind ('u' or 'k')
_DELETE_INDEXED = """
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. 's:' .. id
  local other = redis.call('HGET', key, ARGV[2])
  if other and other ~= '' then redis.call('SREM', ARGV[1] .. ARGV[2] .. ':' .. other, id) end
  n = n + redis.call('DEL', key)
end
redis.call('DEL', KEYS[1])
return n
"""

# KEYS[1] lock; ARGV[1] owner
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS[1] outcome, KEYS[2] lock; ARGV: sealed outcome, ttl ms, owner, '1' = success
# A success always wins; a failure never overwrites an outcome already published (a holder
# whose lock lapsed may still finish its refresh: its rotated tokens must not be lost).
_PUBLISH = """
if ARGV[4] == '1' then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
end
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
"""


def _import_redis() -> Any:
    try:
        return importlib.import_module("redis")
    except ImportError:
        raise ConfigurationError(
            "RedisSessionStore needs redis-py: pip install 'scalekit-integrations[redis]'"
        ) from None


@contextmanager
def _redis_errors(operation: str) -> Iterator[None]:
    """Turn any redis-py (or socket) failure into ``SessionStoreUnavailable``."""
    try:
        yield
    except (OSError, asyncio.TimeoutError) as exc:
        raise SessionStoreUnavailable(operation, type(exc).__name__) from None
    except Exception as exc:
        errors = importlib.import_module("redis.exceptions")
        if isinstance(exc, errors.RedisError):
            raise SessionStoreUnavailable(operation, type(exc).__name__) from None
        raise


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def _outcome_payload(outcome: RefreshOutcome) -> dict[str, Any]:
    if isinstance(outcome, RefreshFailed):
        return {"ok": 0, "reason": outcome.reason, "ends": outcome.ends_session}
    return {
        "ok": 1,
        "at": outcome.access_token,
        "ei": outcome.expires_in,
        "tt": outcome.token_type,
        "rt": outcome.refresh_token,
        "it": outcome.id_token,
        "sc": outcome.scope,
        "raw": outcome.raw,
    }


def _outcome_from(payload: dict[str, Any] | None) -> RefreshOutcome | None:
    if payload is None:
        return None
    if payload.get("ok") == 0:
        return RefreshFailed(str(payload.get("reason")), ends_session=bool(payload.get("ends")))
    access_token, expires_in = payload.get("at"), payload.get("ei")
    if not isinstance(access_token, str) or not isinstance(expires_in, int):
        return None
    raw = payload.get("raw")
    return TokenResponse(
        access_token,
        expires_in,
        str(payload.get("tt") or "Bearer"),
        _text(payload.get("rt")),
        _text(payload.get("it")),
        _text(payload.get("sc")),
        raw if isinstance(raw, dict) else {},
    )


class _Keys:
    """Key naming and sealing, shared by the blocking store and its asyncio twin."""

    def __init__(self, prefix: str) -> None:
        if not prefix or any(ch.isspace() for ch in prefix):
            raise ConfigurationError("the Redis key prefix must be non-empty, without spaces")
        self.prefix = prefix
        self._sealer: Sealer | None = None
        self._secrets: tuple[str, ...] = ()

    def bind(self, secrets: Sequence[str]) -> None:
        secrets = tuple(secrets)
        if self._sealer is not None and secrets != self._secrets:
            raise ConfigurationError(
                "this RedisSessionStore already seals with other secrets; "
                "give each app its own store"
            )
        self._secrets = secrets
        self._sealer = Sealer(secrets, PURPOSE_SESSION)

    @property
    def sealer(self) -> Sealer:
        if self._sealer is None:
            raise ConfigurationError(
                "RedisSessionStore has no secrets: pass secrets=, or use it in SessionSettings"
            )
        return self._sealer

    def session(self, session_id: str) -> str:
        return f"{self.prefix}s:{session_id}"

    def user(self, user_id: str) -> str:
        return f"{self.prefix}u:{user_id}"

    def scalekit_session(self, sid: str) -> str:
        return f"{self.prefix}k:{sid}"

    def lock(self, key: str) -> str:
        return f"{self.prefix}l:{key}"

    def outcome(self, key: str) -> str:
        return f"{self.prefix}r:{key}"

    def set_args(
        self, session_id: str, data: SessionData, ttl: float, user_id: str | None
    ) -> list[Any]:
        sealed = self.sealer.seal(data.to_payload(), self.session(session_id))
        sid = data.scalekit_session_id
        return [sealed, _ms(ttl), user_id or "", sid or "", session_id, self.prefix]

    def open_session(self, session_id: str, sealed: object) -> SessionData | None:
        payload = self.sealer.unseal(_text(sealed), self.session(session_id))
        return SessionData.from_payload(payload) if payload is not None else None

    def seal_outcome(self, key: str, outcome: RefreshOutcome) -> str:
        return self.sealer.seal(_outcome_payload(outcome), self.outcome(key))

    def open_outcome(self, key: str, sealed: object) -> RefreshOutcome | None:
        return _outcome_from(self.sealer.unseal(_text(sealed), self.outcome(key)))


class RedisSessionStore:
    """Sessions in Redis behind a signed opaque id, for blocking and asyncio managers.

    ``url`` (``redis://``, ``rediss://``, ``unix://``) or explicit clients: ``client`` (a
    ``redis.Redis``) and/or ``async_client`` (a ``redis.asyncio.Redis``). ``secrets`` seal
    what is stored; a session manager supplies its own when omitted. ``refresh_lock_ttl``
    must exceed a refresh's duration (token call plus validation); ``refresh_wait`` is how
    long other processes wait for it (by default past the lock's expiry, so they take over
    from a dead holder). ``socket_timeout`` bounds every Redis call, including the wait for a
    free connection: each process keeps at most ``max_connections`` per client, and a burst
    of requests beyond that queues for one instead of failing.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        prefix: str = DEFAULT_PREFIX,
        client: redis.Redis | None = None,
        async_client: redis.asyncio.Redis | None = None,
        secrets: str | Sequence[str] | None = None,
        refresh_lock_ttl: float = 15.0,
        refresh_wait: float | None = None,
        socket_timeout: float = 2.0,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        if url is None and client is None and async_client is None:
            raise ConfigurationError("RedisSessionStore needs a url or a client")
        if refresh_lock_ttl <= 0 or (refresh_wait is not None and refresh_wait < 0):
            raise ConfigurationError("refresh_lock_ttl must be positive, refresh_wait >= 0")
        if max_connections < 1 or socket_timeout <= 0:
            raise ConfigurationError("max_connections must be >= 1, socket_timeout positive")
        if url is not None and client is None:
            _import_redis()  # fail at configuration time, not on the first request
        self.url = url
        self.refresh_lock_ttl = refresh_lock_ttl
        self.refresh_wait = refresh_lock_ttl + 2.0 if refresh_wait is None else refresh_wait
        self.socket_timeout = socket_timeout
        self.max_connections = max_connections
        self.keys = _Keys(prefix)
        if secrets is not None:
            self.keys.bind((secrets,) if isinstance(secrets, str) else secrets)
        self._client = client
        self._scripts: dict[str, Any] = {}
        self._twin = AsyncRedisSessionStore(self, async_client)

    def __repr__(self) -> str:
        return f"RedisSessionStore(prefix={self.keys.prefix!r})"

    @property
    def prefix(self) -> str:
        return self.keys.prefix

    # --- capabilities the managers use ---

    def bind_secrets(self, secrets: Sequence[str]) -> None:
        """Seal with these secrets (called by the session managers with the app's)."""
        self.keys.bind(secrets)

    def async_twin(self) -> AsyncRedisSessionStore:
        """The awaitable store over the same data (what ``AsyncSessionManager`` uses)."""
        return self._twin

    # --- clients ---

    @property
    def client(self) -> redis.Redis:
        if self._client is None:
            self._client = self._from_url(_import_redis())
        return self._client

    def _from_url(self, module: Any) -> Any:
        """A client of ``module`` (``redis`` or ``redis.asyncio``) over a blocking pool.

        A pooled connection may be stale (Redis restarted since it was opened): a command
        that fails with a connection error is retried once, at once, on a fresh connection.
        Timeouts are not retried (that would double every call's bound during an outage).
        """
        retry = importlib.import_module(f"{module.__name__}.retry").Retry
        no_backoff = importlib.import_module("redis.backoff").NoBackoff
        connection_error = importlib.import_module("redis.exceptions").ConnectionError
        pool = module.BlockingConnectionPool.from_url(
            self.url,
            max_connections=self.max_connections,
            timeout=self.socket_timeout,
            socket_timeout=self.socket_timeout,
            socket_connect_timeout=self.socket_timeout,
            retry=retry(no_backoff(), 1, (connection_error,)),
            # Named too: before redis-py 6 a connection retries only the errors listed here.
            retry_on_error=[connection_error],
        )
        return module.Redis.from_pool(pool)

    def _script(self, name: str, source: str) -> Any:
        script = self._scripts.get(name)
        if script is None:
            script = self._scripts[name] = self.client.register_script(source)
        return script

    def close(self) -> None:
        """Close the blocking client's connections (the twin has ``aclose``)."""
        if self._client is not None:
            self._client.close()

    # --- SessionStore ---

    def get(self, session_id: str) -> SessionData | None:
        with _redis_errors("get"):
            sealed = self.client.hget(self.keys.session(session_id), "d")
        return self.keys.open_session(session_id, sealed) if sealed is not None else None

    def set(self, session_id: str, data: SessionData, *, ttl: float, user_id: str | None) -> None:
        if ttl <= 0:
            self.delete(session_id)
            return
        args = self.keys.set_args(session_id, data, ttl, user_id)
        with _redis_errors("set"):
            self._script("set", _SET)(keys=[self.keys.session(session_id)], args=args)

    def delete(self, session_id: str) -> None:
        with _redis_errors("delete"):
            self._script("delete", _DELETE)(
                keys=[self.keys.session(session_id)], args=[session_id, self.keys.prefix]
            )

    def delete_user_sessions(self, user_id: str) -> int:
        """End every local session of ``user_id``; returns how many there were."""
        with _redis_errors("delete_user_sessions"):
            count = self._script("indexed", _DELETE_INDEXED)(
                keys=[self.keys.user(user_id)], args=[self.keys.prefix, "k"]
            )
        return int(count)

    def delete_by_scalekit_session(self, scalekit_session_id: str) -> int:
        """End the local session(s) of one Scalekit session (its ``sid`` claim)."""
        with _redis_errors("delete_by_scalekit_session"):
            count = self._script("indexed", _DELETE_INDEXED)(
                keys=[self.keys.scalekit_session(scalekit_session_id)],
                args=[self.keys.prefix, "u"],
            )
        return int(count)

    def user_session_ids(self, user_id: str) -> frozenset[str]:
        """The ids in the per-user index (may include sessions that just expired)."""
        with _redis_errors("user_session_ids"):
            members = self.client.smembers(self.keys.user(user_id))
        return frozenset(text for member in members if (text := _text(member)))

    def ttl(self, session_id: str) -> float | None:
        """Seconds the session has left in Redis (``None`` when it is gone)."""
        with _redis_errors("ttl"):
            millis = int(self.client.pttl(self.keys.session(session_id)))
        return millis / 1000 if millis >= 0 else None

    # --- SharedRefreshes ---

    def refresh_outcome(self, key: str) -> RefreshOutcome | None:
        with _redis_errors("refresh_outcome"):
            sealed = self.client.get(self.keys.outcome(key))
        return self.keys.open_outcome(key, sealed) if sealed is not None else None

    def acquire_refresh_lock(self, key: str) -> str | None:
        owner = _secrets.token_urlsafe(16)
        with _redis_errors("acquire_refresh_lock"):
            taken = self.client.set(
                self.keys.lock(key), owner, nx=True, px=_ms(self.refresh_lock_ttl)
            )
        return owner if taken else None

    def publish_refresh_outcome(
        self, key: str, owner: str, outcome: RefreshOutcome, ttl: float
    ) -> None:
        sealed = self.keys.seal_outcome(key, outcome)
        success = "1" if isinstance(outcome, TokenResponse) else "0"
        with _redis_errors("publish_refresh_outcome"):
            self._script("publish", _PUBLISH)(
                keys=[self.keys.outcome(key), self.keys.lock(key)],
                args=[sealed, _ms(ttl), owner, success],
            )

    def release_refresh_lock(self, key: str, owner: str) -> None:
        with _redis_errors("release_refresh_lock"):
            self._script("release", _RELEASE)(keys=[self.keys.lock(key)], args=[owner])


class AsyncRedisSessionStore:
    """The awaitable twin of :class:`RedisSessionStore` (same keys, secrets and settings).

    Obtained with ``RedisSessionStore(...).async_twin()``. A ``redis.asyncio`` client belongs
    to one event loop, so one is created per running loop unless a client was given.
    """

    def __init__(self, parent: RedisSessionStore, client: redis.asyncio.Redis | None) -> None:
        self._parent = parent
        self.keys = parent.keys
        self._given = client
        self._client: redis.asyncio.Redis | None = client
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scripts: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"AsyncRedisSessionStore(prefix={self.keys.prefix!r})"

    @property
    def refresh_lock_ttl(self) -> float:
        return self._parent.refresh_lock_ttl

    @property
    def refresh_wait(self) -> float:
        return self._parent.refresh_wait

    @property
    def client(self) -> redis.asyncio.Redis:
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            _import_redis()
            self._client = self._parent._from_url(importlib.import_module("redis.asyncio"))
            self._loop = loop
            self._scripts = {}
        assert self._client is not None
        return self._client

    def _script(self, name: str, source: str) -> Any:
        client = self.client
        script = self._scripts.get(name)
        if script is None:
            script = self._scripts[name] = client.register_script(source)
        return script

    async def aclose(self) -> None:
        """Close this loop's client (call it at application shutdown)."""
        client, self._client, self._loop = self._client, None, None
        if client is not None and client is not self._given:
            await client.aclose()

    async def get(self, session_id: str) -> SessionData | None:
        with _redis_errors("get"):
            sealed = await self.client.hget(self.keys.session(session_id), "d")
        return self.keys.open_session(session_id, sealed) if sealed is not None else None

    async def set(
        self, session_id: str, data: SessionData, *, ttl: float, user_id: str | None
    ) -> None:
        if ttl <= 0:
            await self.delete(session_id)
            return
        args = self.keys.set_args(session_id, data, ttl, user_id)
        with _redis_errors("set"):
            await self._script("set", _SET)(keys=[self.keys.session(session_id)], args=args)

    async def delete(self, session_id: str) -> None:
        with _redis_errors("delete"):
            await self._script("delete", _DELETE)(
                keys=[self.keys.session(session_id)], args=[session_id, self.keys.prefix]
            )

    async def delete_user_sessions(self, user_id: str) -> int:
        with _redis_errors("delete_user_sessions"):
            count = await self._script("indexed", _DELETE_INDEXED)(
                keys=[self.keys.user(user_id)], args=[self.keys.prefix, "k"]
            )
        return int(count)

    async def delete_by_scalekit_session(self, scalekit_session_id: str) -> int:
        with _redis_errors("delete_by_scalekit_session"):
            count = await self._script("indexed", _DELETE_INDEXED)(
                keys=[self.keys.scalekit_session(scalekit_session_id)],
                args=[self.keys.prefix, "u"],
            )
        return int(count)

    async def refresh_outcome(self, key: str) -> RefreshOutcome | None:
        with _redis_errors("refresh_outcome"):
            sealed = await self.client.get(self.keys.outcome(key))
        return self.keys.open_outcome(key, sealed) if sealed is not None else None

    async def acquire_refresh_lock(self, key: str) -> str | None:
        owner = _secrets.token_urlsafe(16)
        with _redis_errors("acquire_refresh_lock"):
            taken = await self.client.set(
                self.keys.lock(key), owner, nx=True, px=_ms(self.refresh_lock_ttl)
            )
        return owner if taken else None

    async def publish_refresh_outcome(
        self, key: str, owner: str, outcome: RefreshOutcome, ttl: float
    ) -> None:
        sealed = self.keys.seal_outcome(key, outcome)
        success = "1" if isinstance(outcome, TokenResponse) else "0"
        with _redis_errors("publish_refresh_outcome"):
            await self._script("publish", _PUBLISH)(
                keys=[self.keys.outcome(key), self.keys.lock(key)],
                args=[sealed, _ms(ttl), owner, success],
            )

    async def release_refresh_lock(self, key: str, owner: str) -> None:
        with _redis_errors("release_refresh_lock"):
            await self._script("release", _RELEASE)(keys=[self.keys.lock(key)], args=[owner])
