"""``RedisRevocations`` and its async twin against a real ``redis-server``: the exact keys and
values written, their expiry, the latest cut-off kept, replays by ``webhook-id``, and every
operation named when Redis is down."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from scalekit_core.web import RedisRevocations, RedisSessionStore
from scalekit_core.web.errors import SessionStoreUnavailable
from tests.processes import free_port
from tests.redis_server import RedisServer, redis_prefix, redis_server

__all__ = ["redis_prefix", "redis_server"]

SECRET = "redis-revocation-test-secret-" + "x" * 32


@pytest.fixture
def store(redis_server: RedisServer, redis_prefix: str) -> Iterator[RedisSessionStore]:
    store = RedisSessionStore(redis_server.url, prefix=redis_prefix, secrets=SECRET)
    yield store
    store.close()


def _pttl(store: RedisSessionStore, key: str) -> int:
    return int(store.client.pttl(store.prefix + key))


def _get(store: RedisSessionStore, key: str) -> Any:
    value = store.client.get(store.prefix + key)
    return value.decode() if isinstance(value, bytes) else value


@pytest.mark.redis
def test_blocking_record_writes_exact_keys_values_and_expiry(store: RedisSessionStore) -> None:
    record = RedisRevocations(store)
    assert repr(record) == f"RedisRevocations(prefix={store.prefix!r})"
    now = time.time()
    record.revoke_session("ses_1", now + 60)
    assert _get(store, "x:s:ses_1") == "1"
    assert 58_000 < _pttl(store, "x:s:ses_1") <= 60_000
    record.revoke_user("usr_a", now, now + 100)
    assert float(_get(store, "x:u:usr_a")) == now  # repr: the exact float
    assert 98_000 < _pttl(store, "x:u:usr_a") <= 100_000
    record.revoke_user("usr_a", now - 50, now + 10)  # older, shorter: neither moves back
    assert float(_get(store, "x:u:usr_a")) == now
    assert _pttl(store, "x:u:usr_a") > 90_000
    record.revoke_user("usr_a", now + 5, now + 300)  # later, longer: both move on
    assert float(_get(store, "x:u:usr_a")) == now + 5
    assert _pttl(store, "x:u:usr_a") > 290_000
    assert record.is_revoked("ses_1", "usr_z", now + 1000)  # the session's own entry
    assert record.is_revoked(None, "usr_a", now + 5)  # at the cut-off itself
    assert not record.is_revoked(None, "usr_a", now + 5.001)
    assert not record.is_revoked("ses_2", "usr_b", 0)
    store.client.set(store.prefix + "x:u:usr_c", "junk")
    assert record.is_revoked("ses_3", "usr_c", now)  # unreadable: refused, never open
    assert record.remember_webhook_id("msg_1", now + 30)
    assert _get(store, "x:w:msg_1") == "1"
    assert 28_000 < _pttl(store, "x:w:msg_1") <= 30_000
    assert record.remember_webhook_id("msg_1", now + 30) is False
    record.forget_webhook_id("msg_1")
    assert _get(store, "x:w:msg_1") is None
    assert record.remember_webhook_id("msg_1", now + 30) is True
    keys = {
        k.decode() if isinstance(k, bytes) else k for k in store.client.keys(store.prefix + "*")
    }
    assert keys == {store.prefix + k for k in ("x:s:ses_1", "x:u:usr_a", "x:u:usr_c", "x:w:msg_1")}


@pytest.mark.redis
@pytest.mark.anyio
async def test_async_twin_writes_the_same_keys_values_and_expiry(
    store: RedisSessionStore,
) -> None:
    record = RedisRevocations(store)
    twin = record.async_twin()
    assert record.async_twin() is twin
    now = time.time()
    await twin.revoke_session("ses_1", now + 60)
    assert _get(store, "x:s:ses_1") == "1"
    assert 58_000 < _pttl(store, "x:s:ses_1") <= 60_000
    await twin.revoke_user("usr_a", now, now + 100)
    assert float(_get(store, "x:u:usr_a")) == now
    assert 98_000 < _pttl(store, "x:u:usr_a") <= 100_000
    await twin.revoke_user("usr_a", now - 50, now + 10)
    assert float(_get(store, "x:u:usr_a")) == now and _pttl(store, "x:u:usr_a") > 90_000
    assert await twin.is_revoked("ses_1", "usr_z", now + 1000)
    assert await twin.is_revoked(None, "usr_a", now)
    assert not await twin.is_revoked(None, "usr_a", now + 0.001)
    assert await twin.is_revoked("ses_9", "usr_a", now - 1)
    store.client.set(store.prefix + "x:u:usr_c", "junk")
    assert await twin.is_revoked("ses_3", "usr_c", now)
    assert await twin.remember_webhook_id("msg_1", now + 30) is True
    assert _get(store, "x:w:msg_1") == "1"
    assert 28_000 < _pttl(store, "x:w:msg_1") <= 30_000
    assert await twin.remember_webhook_id("msg_1", now + 30) is False
    await twin.forget_webhook_id("msg_1")
    assert _get(store, "x:w:msg_1") is None
    assert record.is_revoked("ses_1", "usr_z", 0)  # one record, seen by both twins
    await twin.aclose()


@pytest.fixture
def dead_record() -> Iterator[RedisRevocations]:
    dead = RedisSessionStore(
        f"redis://127.0.0.1:{free_port()}/0", secrets=SECRET, socket_timeout=0.5
    )
    yield RedisRevocations(dead)
    dead.close()


def test_an_outage_names_each_blocking_operation(dead_record: RedisRevocations) -> None:
    now = time.time()
    calls: list[tuple[str, Callable[[], object]]] = [
        ("revoke_session", lambda: dead_record.revoke_session("ses_1", now + 60)),
        ("revoke_user", lambda: dead_record.revoke_user("usr_a", now, now + 60)),
        ("is_revoked", lambda: dead_record.is_revoked("ses_1", "usr_a", now)),
        ("remember_webhook_id", lambda: dead_record.remember_webhook_id("msg_1", now + 60)),
        ("forget_webhook_id", lambda: dead_record.forget_webhook_id("msg_1")),
    ]
    for operation, call in calls:
        with pytest.raises(SessionStoreUnavailable) as raised:
            call()
        assert raised.value.operation == operation


@pytest.mark.anyio
async def test_an_outage_names_each_async_operation(dead_record: RedisRevocations) -> None:
    twin = dead_record.async_twin()
    now = time.time()
    calls: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("revoke_session", lambda: twin.revoke_session("ses_1", now + 60)),
        ("revoke_user", lambda: twin.revoke_user("usr_a", now, now + 60)),
        ("is_revoked", lambda: twin.is_revoked("ses_1", "usr_a", now)),
        ("remember_webhook_id", lambda: twin.remember_webhook_id("msg_1", now + 60)),
        ("forget_webhook_id", lambda: twin.forget_webhook_id("msg_1")),
    ]
    for operation, call in calls:
        with pytest.raises(SessionStoreUnavailable) as raised:
            await call()
        assert raised.value.operation == operation
    await twin.aclose()
