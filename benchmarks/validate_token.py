"""Access-token validation cost against a bare PyJWT decode, measured in one run.

    .venv/bin/python benchmarks/validate_token.py

Prints µs per validation for: bare ``jwt.decode`` with the key preloaded (the baseline), our
first-time validation of a token never seen before (JWKS already cached), and our repeat
validation of a token already verified; then the two ratios to the baseline.
Targets: first-time <= 1.1, repeat <= 0.1.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from scalekit_core import ScalekitClient

ISSUER = "https://bench.scalekit.test"
ROUNDS = 7
PER_ROUND = 400


def main() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key()
    jwk = json.loads(RSAAlgorithm.to_jwk(public)) | {"kid": "k1", "use": "sig", "alg": "RS256"}

    def keys(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"keys": [jwk]})

    now = int(time.time())

    def token(n: int) -> str:
        claims = {
            "iss": ISSUER,
            "sub": "usr_1",
            "aud": ["skc_1"],
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "jti": f"t{n}",
            "sid": "ses_1",
            "oid": "org_1",
            "roles": ["admin"],
            "permissions": ["organization:settings", "users:read"],
            "scopes": ["openid", "profile"],
        }
        return jwt.encode(claims, private, algorithm="RS256", headers={"kid": "k1"})

    batches = [[token(r * PER_ROUND + i) for i in range(PER_ROUND)] for r in range(ROUNDS)]
    client = ScalekitClient(
        ISSUER, "skc_1", "secret", http_client=httpx.Client(transport=httpx.MockTransport(keys))
    )
    client.validate_access_token_and_get_claims(token(-1))  # JWKS fetched and cached once

    def bare(batch: list[str]) -> None:
        for item in batch:
            jwt.decode(
                item, public, algorithms=["RS256"], issuer=ISSUER, options={"verify_aud": False}
            )

    def first_time(batch: list[str]) -> None:
        for item in batch:
            client.validate_access_token_and_get_claims(item)

    repeated = token(-2)
    client.validate_access_token_and_get_claims(repeated)

    def repeat(batch: list[str]) -> None:
        for _ in batch:
            client.validate_access_token_and_get_claims(repeated)

    def per_call(run: Callable[[list[str]], None], batch: list[str]) -> float:
        started = time.perf_counter()
        run(batch)
        return (time.perf_counter() - started) / len(batch) * 1e6

    samples: dict[str, list[float]] = {"bare": [], "first": [], "repeat": []}
    for batch in batches:  # interleaved, so machine noise hits all three alike
        samples["bare"].append(per_call(bare, batch))
        samples["first"].append(per_call(first_time, batch))
        samples["repeat"].append(per_call(repeat, batch))
    bare_us, first_us, repeat_us = (
        statistics.median(samples[k]) for k in ("bare", "first", "repeat")
    )
    print(f"bare PyJWT jwt.decode (key preloaded): {bare_us:8.2f} µs")
    print(
        f"scalekit_core first-time validation:   {first_us:8.2f} µs   ratio {first_us / bare_us:.3f} (target <= 1.1)"
    )
    print(
        f"scalekit_core repeat validation:       {repeat_us:8.2f} µs   ratio {repeat_us / bare_us:.3f} (target <= 0.1)"
    )
    client.close()


if __name__ == "__main__":
    main()
