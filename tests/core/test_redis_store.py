"""RedisSessionStore against a real redis-server: every operation, TTLs, indexes, locks."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest
import redis

from scalekit_core.errors import ConfigurationError
from scalekit_core.tokens import TokenResponse
from scalekit_core.web import (
    RedisSessionStore,
    SessionData,
    SessionStoreUnavailable,
    settings_from_mapping,
)
from scalekit_core.web.refresh import RefreshCoordinator, RefreshFailed, RefreshOutcomes
from tests.redis_server import RedisServer, free_port, redis_prefix, redis_server

pytestmark = pytest.mark.redis
__all__ = ["redis_prefix", "redis_server"]

SECRET = "redis-store-test-secret-" + "x" * 32


def token(sub: str, sid: str | None = None, exp: float = 2e9) -> str:
    claims: dict[str, object] = {"sub": sub, "exp": exp}
    if sid is not None:
        claims["sid"] = sid
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJub25lIn0.{payload}.sig"


def session(sub: str, sid: str | None = None, refresh: str = "rt-1") -> SessionData:
    now = time.time()
    return SessionData(token(sub, sid), now + 300, now, now, refresh, "id-token", {"sub": sub})


@pytest.fixture
def store(redis_server: RedisServer, redis_prefix: str) -> Iterator[RedisSessionStore]:
    store = RedisSessionStore(redis_server.url, prefix=redis_prefix, secrets=SECRET)
    yield store
    store.close()


@pytest.fixture
def raw(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


def test_set_get_delete_roundtrip_sealed_at_rest(
    store: RedisSessionStore, raw: redis.Redis
) -> None:
    data = session("usr_alice", "ses_1")
    store.set("id-1", data, ttl=100, user_id="usr_alice")
    assert store.get("id-1") == data
    sealed = raw.hget(store.prefix + "s:id-1", "d")
    assert isinstance(sealed, bytes) and b"usr_alice" not in sealed and b"rt-1" not in sealed
    # Bound to its key: the same sealed value under another id does not open.
    raw.hset(store.prefix + "s:id-2", "d", sealed)
    assert store.get("id-2") is None
    store.delete("id-1")
    assert store.get("id-1") is None
    assert store.get("never-written") is None
    store.delete("never-written")  # deleting nothing is fine


def test_ttl_is_the_remaining_lifetime_and_sessions_expire(
    store: RedisSessionStore, raw: redis.Redis
) -> None:
    store.set("long", session("usr_alice", "ses_1"), ttl=100, user_id="usr_alice")
    remaining = store.ttl("long")
    assert remaining is not None and 99 < remaining <= 100
    # The indexes live at least as long as the sessions they list.
    assert raw.pttl(store.prefix + "u:usr_alice") >= 99_000
    assert raw.pttl(store.prefix + "k:ses_1") >= 99_000
    store.set("short", session("usr_alice", "ses_2"), ttl=0.15, user_id="usr_alice")
    assert store.get("short") is not None
    time.sleep(0.3)
    assert store.get("short") is None and store.ttl("short") is None
    # A rewrite renews the TTL; ttl <= 0 deletes.
    store.set("long", session("usr_alice", "ses_1"), ttl=500, user_id="usr_alice")
    assert (store.ttl("long") or 0) > 400
    store.set("long", session("usr_alice", "ses_1"), ttl=0, user_id="usr_alice")
    assert store.get("long") is None and store.user_session_ids("usr_alice") == frozenset()


def test_user_index_ends_every_session_of_one_user(
    store: RedisSessionStore, raw: redis.Redis
) -> None:
    store.set("a1", session("usr_alice", "ses_a1"), ttl=100, user_id="usr_alice")
    store.set("a2", session("usr_alice", "ses_a2"), ttl=100, user_id="usr_alice")
    store.set("a3", session("usr_alice"), ttl=100, user_id="usr_alice")
    store.set("b1", session("usr_bob", "ses_b1"), ttl=100, user_id="usr_bob")
    assert store.user_session_ids("usr_alice") == {"a1", "a2", "a3"}
    assert store.delete_user_sessions("usr_alice") == 3
    assert [store.get(i) for i in ("a1", "a2", "a3")] == [None, None, None]
    assert store.get("b1") is not None
    assert not raw.exists(store.prefix + "u:usr_alice", store.prefix + "k:ses_a1")
    assert store.delete_user_sessions("usr_alice") == 0
    assert store.delete_user_sessions("usr_nobody") == 0


def test_scalekit_session_index_ends_exactly_the_matching_session(
    store: RedisSessionStore, raw: redis.Redis
) -> None:
    store.set("a1", session("usr_alice", "ses_a1"), ttl=100, user_id="usr_alice")
    store.set("a2", session("usr_alice", "ses_a2"), ttl=100, user_id="usr_alice")
    assert store.delete_by_scalekit_session("ses_a1") == 1
    assert store.get("a1") is None and store.get("a2") is not None
    assert store.user_session_ids("usr_alice") == {"a2"}  # the other index follows
    assert store.delete_by_scalekit_session("ses_a1") == 0
    store.delete("a2")
    assert not raw.exists(store.prefix + "u:usr_alice", store.prefix + "k:ses_a2")


def test_expired_sessions_are_pruned_from_the_indexes(store: RedisSessionStore) -> None:
    store.set("gone", session("usr_alice", "ses_1"), ttl=0.1, user_id="usr_alice")
    time.sleep(0.2)
    store.set("kept", session("usr_alice", "ses_2"), ttl=100, user_id="usr_alice")
    assert store.user_session_ids("usr_alice") == {"kept"}
    assert store.delete_user_sessions("usr_alice") == 1


def test_rewriting_a_session_moves_it_between_scalekit_sessions(
    store: RedisSessionStore,
) -> None:
    store.set("x", session("usr_alice", "ses_old"), ttl=100, user_id="usr_alice")
    store.set("x", session("usr_alice", "ses_new"), ttl=100, user_id="usr_alice")
    assert store.delete_by_scalekit_session("ses_old") == 0
    assert store.get("x") is not None
    assert store.delete_by_scalekit_session("ses_new") == 1


def test_refresh_lock_and_outcome_primitives(store: RedisSessionStore, raw: redis.Redis) -> None:
    owner = store.acquire_refresh_lock("k1")
    assert owner is not None
    assert store.acquire_refresh_lock("k1") is None
    store.release_refresh_lock("k1", "someone-else")  # compare-and-delete: not ours
    assert store.acquire_refresh_lock("k1") is None
    lock_ttl = raw.pttl(store.prefix + "l:k1")
    assert 0 < lock_ttl <= store.refresh_lock_ttl * 1000
    tokens = TokenResponse("at-2", 3600, "Bearer", "rt-2", "it-2", "openid", {"x": 1})
    store.publish_refresh_outcome("k1", owner, tokens, 30)
    assert not raw.exists(store.prefix + "l:k1")  # released in the same step
    assert store.refresh_outcome("k1") == tokens
    sealed = raw.get(store.prefix + "r:k1")
    assert isinstance(sealed, bytes) and b"rt-2" not in sealed
    assert 29_000 < raw.pttl(store.prefix + "r:k1") <= 30_000
    # A failure never overwrites a published success; a success overwrites a failure.
    late = store.acquire_refresh_lock("k1")
    assert late is not None
    store.publish_refresh_outcome("k1", late, RefreshFailed("invalid_grant", ends_session=True), 30)
    assert store.refresh_outcome("k1") == tokens
    store.publish_refresh_outcome("k2", "nobody", RefreshFailed("x", ends_session=False), 5)
    failed = store.refresh_outcome("k2")
    assert isinstance(failed, RefreshFailed) and not failed.ends_session
    store.publish_refresh_outcome("k2", "nobody", tokens, 5)
    assert store.refresh_outcome("k2") == tokens
    store.release_refresh_lock("k3", "nobody")
    assert store.refresh_outcome("k3") is None


def test_lock_of_a_killed_holder_expires_and_another_process_takes_over(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys, time
                from scalekit_core.web import RedisSessionStore
                store = RedisSessionStore({redis_server.url!r}, prefix={redis_prefix!r},
                                          secrets={SECRET!r}, refresh_lock_ttl=0.8)
                print(store.acquire_refresh_lock("held") is not None, flush=True)
                time.sleep(60)
            """),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == b"True"
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    store = RedisSessionStore(redis_server.url, prefix=redis_prefix, secrets=SECRET)
    try:
        assert store.acquire_refresh_lock("held") is None  # the dead holder's lock is still there
        deadline = time.monotonic() + 5
        owner = None
        while owner is None and time.monotonic() < deadline:
            owner = store.acquire_refresh_lock("held")
            time.sleep(0.05)
        assert owner is not None
    finally:
        store.close()


def test_a_second_process_reads_the_shared_outcome_instead_of_refreshing(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    stores = [
        RedisSessionStore(redis_server.url, prefix=redis_prefix, secrets=SECRET) for _ in range(2)
    ]
    calls: list[str] = []

    def refresh() -> TokenResponse:
        calls.append("refresh")
        return TokenResponse("at-new", 3600, refresh_token="rt-new")

    try:
        first, second = (
            RefreshCoordinator(RefreshOutcomes(30.0, time.time), store) for store in stores
        )
        assert first.run("rt-old", refresh).access_token == "at-new"
        assert second.run("rt-old", refresh).refresh_token == "rt-new"  # the grace window
        assert calls == ["refresh"]
    finally:
        for store in stores:
            store.close()


@pytest.mark.anyio
async def test_async_twin_does_every_operation(store: RedisSessionStore, raw: redis.Redis) -> None:
    twin = store.async_twin()
    try:
        data = session("usr_alice", "ses_1")
        await twin.set("id-1", data, ttl=100, user_id="usr_alice")
        assert store.get("id-1") == data  # same keys, same sealing as the blocking store
        assert await twin.get("id-1") == data
        await twin.set("id-2", session("usr_alice", "ses_2"), ttl=100, user_id="usr_alice")
        await twin.set("id-3", session("usr_bob", "ses_3"), ttl=0.1, user_id="usr_bob")
        assert await twin.delete_by_scalekit_session("ses_2") == 1
        assert await twin.delete_user_sessions("usr_alice") == 1
        await twin.delete("id-3")
        assert await twin.get("id-3") is None
        assert await twin.get("id-1") is None and await twin.get("id-2") is None
        owner = await twin.acquire_refresh_lock("k")
        assert owner is not None and await twin.acquire_refresh_lock("k") is None
        await twin.release_refresh_lock("k", "other")
        assert await twin.acquire_refresh_lock("k") is None
        await twin.release_refresh_lock("k", owner)
        owner = await twin.acquire_refresh_lock("k")
        assert owner is not None
        tokens = TokenResponse("at", 60, refresh_token="rt")
        await twin.publish_refresh_outcome("k", owner, tokens, 10)
        assert await twin.refresh_outcome("k") == tokens
        assert not raw.exists(store.prefix + "l:k")
    finally:
        await twin.aclose()


def test_a_burst_beyond_the_pool_queues_instead_of_failing(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    store = RedisSessionStore(
        redis_server.url, prefix=redis_prefix, secrets=SECRET, max_connections=2
    )
    data = session("usr_alice")
    store.set("id-1", data, ttl=100, user_id="usr_alice")
    try:
        with ThreadPoolExecutor(max_workers=40) as pool:
            results = list(pool.map(lambda _: store.get("id-1"), range(200)))
        assert results == [data] * 200
    finally:
        store.close()


@pytest.mark.anyio
async def test_a_burst_beyond_the_pool_queues_instead_of_failing_async(
    redis_server: RedisServer, redis_prefix: str
) -> None:
    store = RedisSessionStore(
        redis_server.url, prefix=redis_prefix, secrets=SECRET, max_connections=2
    )
    twin = store.async_twin()
    data = session("usr_alice")
    await twin.set("id-1", data, ttl=100, user_id="usr_alice")
    results: list[SessionData | None] = []

    async def one() -> None:
        results.append(await twin.get("id-1"))

    try:
        async with anyio.create_task_group() as group:
            for _ in range(200):
                group.start_soon(one)
        assert results == [data] * 200
    finally:
        await twin.aclose()


@pytest.mark.parametrize(
    "options", [{"max_connections": 0}, {"socket_timeout": 0}, {"refresh_lock_ttl": 0}]
)
def test_bad_pool_options_are_configuration_errors(options: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        RedisSessionStore("redis://127.0.0.1:6379/0", **options)


def test_redis_down_is_a_typed_error() -> None:
    store = RedisSessionStore(
        f"redis://127.0.0.1:{free_port()}/0", secrets=SECRET, socket_timeout=0.5
    )
    data = session("usr_alice")
    calls = [
        lambda: store.get("x"),
        lambda: store.set("x", data, ttl=10, user_id="usr_alice"),
        lambda: store.delete("x"),
        lambda: store.delete_user_sessions("usr_alice"),
        lambda: store.delete_by_scalekit_session("ses"),
        lambda: store.acquire_refresh_lock("k"),
        lambda: store.refresh_outcome("k"),
    ]
    for call in calls:
        with pytest.raises(SessionStoreUnavailable, match="session store unavailable during"):
            call()


@pytest.mark.anyio
async def test_redis_down_is_a_typed_error_async() -> None:
    store = RedisSessionStore(
        f"redis://127.0.0.1:{free_port()}/0", secrets=SECRET, socket_timeout=0.5
    )
    twin = store.async_twin()
    try:
        with pytest.raises(SessionStoreUnavailable, match="during get: ConnectionError"):
            await twin.get("x")
        with pytest.raises(SessionStoreUnavailable, match="during set"):
            await twin.set("x", session("usr_alice"), ttl=10, user_id=None)
    finally:
        await twin.aclose()


def test_configuration_from_settings(redis_server: RedisServer) -> None:
    base = {
        "SCALEKIT_ENVIRONMENT_URL": "https://env.example",
        "SCALEKIT_CLIENT_ID": "skc_1",
        "SCALEKIT_CLIENT_SECRET": "secret",
        "SCALEKIT_APP_BASE_URL": "http://localhost:8000",
        "SCALEKIT_COOKIE_SECRET": SECRET,
    }
    assert settings_from_mapping(base).session.store is None  # the cookie store by default
    configured = settings_from_mapping(
        {**base, "SCALEKIT_REDIS_URL": redis_server.url, "SCALEKIT_REDIS_PREFIX": "myapp:"}
    )
    store = configured.session.store
    assert isinstance(store, RedisSessionStore) and store.prefix == "myapp:"
    store.set("id", session("usr_alice"), ttl=10, user_id=None)  # sealed with the app secret
    assert store.get("id") is not None
    store.delete("id")
    store.close()
    default = settings_from_mapping({**base, "SCALEKIT_REDIS_URL": redis_server.url})
    assert isinstance(default.session.store, RedisSessionStore)
    assert default.session.store.prefix == "scalekit:"
    assert default.session.store.max_connections == 50
    sized = settings_from_mapping(
        {**base, "SCALEKIT_REDIS_URL": redis_server.url, "SCALEKIT_REDIS_MAX_CONNECTIONS": "8"}
    )
    assert isinstance(sized.session.store, RedisSessionStore)
    assert sized.session.store.max_connections == 8
    for bad in ("0", 0, "many", "2.5", True):
        with pytest.raises(ConfigurationError, match="SCALEKIT_REDIS_MAX_CONNECTIONS"):
            settings_from_mapping(
                {
                    **base,
                    "SCALEKIT_REDIS_URL": redis_server.url,
                    "SCALEKIT_REDIS_MAX_CONNECTIONS": bad,
                }
            )
    with pytest.raises(ConfigurationError, match="SCALEKIT_REDIS_URL"):
        settings_from_mapping({**base, "SCALEKIT_REDIS_URL": "localhost:6379"})
    with pytest.raises(ConfigurationError, match="SCALEKIT_REDIS_PREFIX"):
        settings_from_mapping(
            {**base, "SCALEKIT_REDIS_URL": redis_server.url, "SCALEKIT_REDIS_PREFIX": "a b"}
        )
    with pytest.raises(ConfigurationError, match="no secrets"):
        RedisSessionStore(redis_server.url).set("x", session("usr_alice"), ttl=1, user_id=None)


def test_core_imports_without_redis_installed() -> None:
    code = textwrap.dedent("""
        import sys
        sys.modules["redis"] = None  # as if the extra were not installed
        import scalekit_core, scalekit_core.web
        from scalekit_core.errors import ConfigurationError
        from scalekit_core.web import RedisSessionStore
        try:
            RedisSessionStore("redis://localhost:6379/0")
        except ConfigurationError as exc:
            print(exc)
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert "pip install 'scalekit-integrations[redis]'" in done.stdout
