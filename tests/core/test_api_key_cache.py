"""``ApiKeyCache`` and ``api_key_of``: single flight, brief caching, outages, key shapes."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import anyio
import pytest

from scalekit_core import InvalidApiTokenError, ScalekitConnectionError
from scalekit_core.management import ApiToken
from scalekit_core.web import WebRequest
from scalekit_core.web.api_keys import ApiKeyCache, api_key_of, machine_from_api_token

from .conftest import FakeClock

INFO = ApiToken("apit_1", organization_id="org_1", custom_claims={"scopes": "a b", "oid": "x"})


def test_threads_share_one_validation_and_results_expire() -> None:
    clock = FakeClock()
    cache = ApiKeyCache(clock, ttl=60, negative_ttl=5)
    calls: list[str] = []

    def validate() -> ApiToken:
        calls.append("v")
        time.sleep(0.05)
        return INFO

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.resolve("key-123456", validate)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["v"] and len(results) == 8
    assert all(m is not None and m.organization_id == "org_1" for m in results)
    clock.advance(61)
    cache.resolve("key-123456", validate)
    assert len(calls) == 2


def test_refusals_are_cached_briefly_and_outages_not_at_all() -> None:
    clock = FakeClock()
    cache = ApiKeyCache(clock, ttl=60, negative_ttl=5)
    calls = 0

    def refuse() -> ApiToken:
        nonlocal calls
        calls += 1
        raise InvalidApiTokenError(404, "unknown")

    def down() -> ApiToken:
        nonlocal calls
        calls += 1
        raise ScalekitConnectionError("timeout")

    assert cache.resolve("refused-key", refuse) is None
    assert cache.resolve("refused-key", refuse) is None and calls == 1
    clock.advance(6)
    assert cache.resolve("refused-key", refuse) is None and calls == 2
    assert cache.resolve("outage-key", down) is None
    assert cache.resolve("outage-key", down) is None and calls == 4
    cache.resolve("good-key-1", lambda: INFO)
    cache.forget("good-key-1")
    assert cache.resolve("good-key-1", refuse) is None


def test_a_key_is_trusted_no_longer_than_it_lives() -> None:
    clock = FakeClock()
    cache = ApiKeyCache(clock, ttl=600)
    soon = datetime.fromtimestamp(clock() + 10, timezone.utc)
    info = ApiToken("apit_2", organization_id="org_1", expiry=soon)
    assert cache.resolve("short-lived", lambda: info) is not None
    clock.advance(11)
    assert cache.resolve("short-lived", lambda: INFO) == machine_from_api_token(INFO)


def test_cache_is_bounded() -> None:
    cache = ApiKeyCache(time.time, max_size=3)
    for n in range(10):
        cache.resolve(f"bounded-key-{n}", lambda: INFO)
    assert "entries=3" in repr(cache)


@pytest.mark.anyio
async def test_tasks_share_one_validation() -> None:
    cache = ApiKeyCache(time.time)
    calls = 0

    async def validate() -> ApiToken:
        nonlocal calls
        calls += 1
        await anyio.sleep(0.05)
        return INFO

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(cache.aresolve, "async-key-1", validate)
    assert calls == 1
    assert (await cache.aresolve("async-key-1", validate)) is not None and calls == 1


def test_custom_claims_never_choose_the_organization() -> None:
    machine = machine_from_api_token(INFO)
    assert machine.organization_id == "org_1" and machine.claims["oid"] == "org_1"
    assert machine.scopes == frozenset({"a", "b"}) and machine.client_id == "apit_1"
    later = datetime.now(timezone.utc) + timedelta(days=1)
    assert machine_from_api_token(ApiToken("apit_3", expiry=later)).expires_at == later.timestamp()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-api-key": "skat_abcdefgh"}, "skat_abcdefgh"),
        ({"authorization": "Bearer skat_abcdefgh"}, "skat_abcdefgh"),
        (
            {"authorization": "Bearer aaaa.bbbb.cccc"},
            "aaaa.bbbb.cccc",
        ),  # not a JWT's shape: an API key
        ({"x-api-key": "short"}, None),
        ({"x-api-key": "has space inside"}, None),
        ({"x-api-key": "k" * 513}, None),
        ({"x-api-key": "skat_abcdefgh", "authorization": "Bearer skat_abcdefgh"}, None),
        ({}, None),
    ],
)
def test_api_key_of(headers: dict[str, str], expected: str | None) -> None:
    assert api_key_of(WebRequest("GET", "/", headers=headers), "X-API-Key") == expected
