"""Cost of ``SessionManager.load()`` with the Redis store vs the cookie store, in one run.

Starts its own ``redis-server`` on a free port (no persistence) and stops it at the end.
Both loads read a valid signed-in session with no refresh due; the Redis load adds one
round trip (``HGET`` over loopback TCP) and unseals the same AES-GCM payload.

    .venv/bin/python benchmarks/redis_store.py
"""

from __future__ import annotations

import shutil
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scalekit_core import ScalekitClient
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import RedisSessionStore, SessionManager, SessionSettings, WebRequest
from tests.redis_server import RedisServer

ROUNDS = 5
NUMBER = 2000
SECRET = "benchmark-secret-" + "b" * 32


def best_us(statement: object) -> float:
    timer = timeit.Timer(statement)  # type: ignore[arg-type]
    return min(timer.repeat(ROUNDS, NUMBER)) / NUMBER * 1e6


def manager_and_request(
    client: ScalekitClient, store: RedisSessionStore | None
) -> tuple[SessionManager, WebRequest]:
    settings = SessionSettings(secrets=SECRET, base_url="https://app.example", store=store)
    manager = SessionManager(client, settings)
    cookies = make_session_cookies(
        settings,
        user_id="usr_alice",
        email="alice@acme.test",
        roles=["admin"],
        permissions=["organization:settings", "users:read", "users:write"],
        organization_id="org_acme",
        refresh_token="rt_" + "r" * 40,
        now=time.time(),
    )
    request = WebRequest("GET", "/dashboard", "", {"accept": "text/html"}, cookies)
    result = manager.load(request)
    assert result.user is not None and result.cookies == () and result.response is None
    return manager, request


def main() -> None:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed: apt-get install redis-server")
    server = RedisServer(binary).start()
    store = RedisSessionStore(server.url, prefix="bench:")
    client = ScalekitClient("https://acme.scalekit.dev", "skc_1", "secret")
    try:
        cookie_manager, cookie_request = manager_and_request(client, None)
        redis_manager, redis_request = manager_and_request(client, store)
        cookie_us = best_us(lambda: cookie_manager.load(cookie_request))
        redis_us = best_us(lambda: redis_manager.load(redis_request))
        # The floor of any Redis-backed load on this machine: one bare round trip.
        ping_us = best_us(store.client.ping)
    finally:
        store.close()
        client.close()
        server.stop()
    print(f"load() with the cookie store: {cookie_us:8.1f} µs")
    print(f"load() with the Redis store:  {redis_us:8.1f} µs  (one HGET over loopback TCP)")
    print(f"ratio Redis / cookie:         {redis_us / cookie_us:8.2f}x")
    print(
        f"bare redis-py PING round trip: {ping_us:7.1f} µs  (so the store itself adds {redis_us - ping_us:.1f} µs)"
    )


if __name__ == "__main__":
    main()
