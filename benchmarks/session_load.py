"""Cost of ``SessionManager.load()`` for a valid cookie session vs a bare PyJWT decode.

Both are measured in this run: ``load()`` unseals the session cookie (AES-GCM + zlib + JSON),
reads the access token's claims and checks lifetimes (no refresh, no network); the baseline
is ``jwt.decode`` of a typical RS256 access token with the public key already loaded.

    .venv/bin/python benchmarks/session_load.py
"""

from __future__ import annotations

import time
import timeit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from scalekit_core import ScalekitClient
from scalekit_core.testing import make_session_cookies
from scalekit_core.web import SessionManager, SessionSettings, WebRequest

ROUNDS = 5
NUMBER = 2000


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
    request = WebRequest(
        "GET", "/dashboard", "", {"accept": "text/html", "host": "app.example"}, cookies
    )
    result = manager.load(request)
    assert result.user is not None and result.cookies == ()

    def load() -> None:
        manager.load(request)

    def decode() -> None:
        jwt.decode(token, public_key, algorithms=["RS256"], audience="skc_1")

    load_us = best_us(load)
    decode_us = best_us(decode)
    cookie_bytes = sum(len(name) + len(value) for name, value in cookies.items())
    print(f"session cookie size:                  {cookie_bytes} bytes")
    print(f"load() of a valid cookie session:     {load_us:8.1f} µs")
    print(f"bare PyJWT jwt.decode (RS256):        {decode_us:8.1f} µs")
    print(f"ratio load / jwt.decode:              {load_us / decode_us:8.2f}x")
    client.close()


if __name__ == "__main__":
    main()
