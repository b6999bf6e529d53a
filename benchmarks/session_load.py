"""Cost of ``SessionManager.load()`` for a valid cookie session vs a bare PyJWT decode.

All three are measured in this run, with no refresh and no network:

- warm ``load()``: the same session cookie on every call, as on every request of a signed-in
  browser after its first. The manager remembers unsealed cookie values, so this is the
  cache lookup, reading the access token's claims and checking lifetimes.
- cold ``load()``: a session cookie the manager has not seen on every call, as on the first
  request after sign-in or after a worker restart: unsealing (AES-GCM + zlib + JSON) and
  remembering the result, on top of the warm work.
- the baseline: ``jwt.decode`` of a typical RS256 access token with the public key already
  loaded.
- warm ``load()`` again once the revocation record (in memory, the default) holds
  ``RECORD_ENTRIES`` ended sessions and users: consulting it is two dict lookups, so the
  two warm figures match.

    .venv/bin/python benchmarks/session_load.py
"""

from __future__ import annotations

import time
import timeit
from dataclasses import replace

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from scalekit_core import ScalekitClient
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import MemoryRevocations, SessionManager, SessionSettings, WebRequest

ROUNDS = 5
NUMBER = 2000
RECORD_ENTRIES = 10_000


def best_us(statement: object) -> float:
    timer = timeit.Timer(statement)  # type: ignore[arg-type]
    return min(timer.repeat(ROUNDS, NUMBER)) / NUMBER * 1e6


def main() -> None:
    now = time.time()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_key = key.public_key()
    claims = {
        "iss": "https://acme.scalekit.dev",
        "sub": "usr_alice",
        "aud": ["skc_1"],
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + 3600,
        "jti": "tkn_0123456789abcdef",
        "sid": "ses_0123456789",
        "oid": "org_acme",
        "roles": ["admin"],
        "permissions": ["organization:settings", "users:read", "users:write"],
        "scopes": ["openid", "profile", "email", "offline_access"],
        "client_id": "skc_1",
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})

    settings = SessionSettings(
        secrets="benchmark-secret-" + "b" * 32, base_url="https://app.example"
    )
    client = ScalekitClient("https://acme.scalekit.dev", "skc_1", "secret")
    manager = SessionManager(client, settings)

    def signed_in_request() -> WebRequest:
        # Sealing draws a fresh nonce, so every call gives a cookie value never seen before.
        cookies = make_session_cookies(
            settings,
            user_id="usr_alice",
            email="alice@acme.test",
            roles=["admin"],
            permissions=claims["permissions"],  # type: ignore[arg-type]
            organization_id="org_acme",
            refresh_token="rt_" + "r" * 40,
            now=now,
        )
        headers = {"accept": "text/html", "host": "app.example"}
        return WebRequest("GET", "/dashboard", "", headers, cookies)

    request = signed_in_request()
    result = manager.load(request)
    assert result.user is not None and result.cookies == ()
    # One unseen cookie per timed call, made beforehand so sealing is not part of the timing.
    unseen = [signed_in_request() for _ in range(ROUNDS * NUMBER)]
    assert len({tuple(r.cookies.items()) for r in unseen}) == len(unseen)
    next_unseen = iter(unseen).__next__

    def warm_load() -> None:
        manager.load(request)

    def cold_load() -> None:
        manager.load(next_unseen())

    def decode() -> None:
        jwt.decode(token, public_key, algorithms=["RS256"], audience="skc_1")

    decode_us = best_us(decode)
    cold_us = best_us(cold_load)
    warm_us = best_us(warm_load)
    # The same app with a full revocation record, timed in turns with the empty one so that
    # the machine's noise hits both alike.
    record = MemoryRevocations()
    for index in range(RECORD_ENTRIES // 2):
        record.revoke_session(f"ses_ended_{index}", now + 3600)
        record.revoke_user(f"usr_gone_{index}", now, now + 3600)
    full = SessionManager(client, replace(settings, revocations=record))
    assert full.load(request).user is not None

    def warm_load_full() -> None:
        full.load(request)

    empty_runs, full_runs = [], []
    for _ in range(ROUNDS):
        empty_runs.append(best_us(warm_load))
        full_runs.append(best_us(warm_load_full))
    warm_us, warm_full_us = min(warm_us, *empty_runs), min(full_runs)
    cookie_bytes = sum(len(name) + len(value) for name, value in request.cookies.items())
    print(f"session cookie size:                  {cookie_bytes} bytes")
    print(f"bare PyJWT jwt.decode (RS256):        {decode_us:8.1f} µs")
    print(f"cold load() (cookie not seen before): {cold_us:8.1f} µs")
    print(f"warm load() (same cookie again):      {warm_us:8.1f} µs")
    print(f"ratio cold load / jwt.decode:         {cold_us / decode_us:8.2f}x")
    print(f"ratio warm load / jwt.decode:         {warm_us / decode_us:8.2f}x")
    print(f"warm load(), {RECORD_ENTRIES} revocations kept:  {warm_full_us:8.1f} µs")
    print(f"ratio warm load {RECORD_ENTRIES} / 0 revocations: {warm_full_us / warm_us:8.2f}x")
    client.close()


if __name__ == "__main__":
    main()
