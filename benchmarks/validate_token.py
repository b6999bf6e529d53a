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

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from scalekit_core import ScalekitClient

ISSUER = "https://bench.scalekit.test"
ROUNDS = 9
PER_ROUND = 300


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

    repeated = token(-2)
    client.validate_access_token_and_get_claims(repeated)

    def bare(item: str) -> None:
        jwt.decode(item, public, algorithms=["RS256"], issuer=ISSUER, options={"verify_aud": False})

    def first_time(item: str) -> None:
        client.validate_access_token_and_get_claims(item)

    def repeat(item: str) -> None:
        client.validate_access_token_and_get_claims(repeated)

    # Calls alternate one by one inside each round, so machine noise (other processes, CPU
    # frequency) hits all three alike; each round gives its own ratios, and the medians of
    # the per-round figures are reported.
    clock = time.perf_counter_ns
    spent: dict[str, list[float]] = {"bare": [], "first": [], "repeat": []}
    ratios: dict[str, list[float]] = {"first": [], "repeat": []}
    for batch in batches:
        totals = dict.fromkeys(spent, 0)
        for item in batch:
            for name, run in (("bare", bare), ("first", first_time), ("repeat", repeat)):
                started = clock()
                run(item)
                totals[name] += clock() - started
        for name, total in totals.items():
            spent[name].append(total / len(batch) / 1000)
        ratios["first"].append(totals["first"] / totals["bare"])
        ratios["repeat"].append(totals["repeat"] / totals["bare"])
    bare_us, first_us, repeat_us = (
        statistics.median(spent[k]) for k in ("bare", "first", "repeat")
    )
    first_ratio, repeat_ratio = (statistics.median(ratios[k]) for k in ("first", "repeat"))
    print(f"bare PyJWT jwt.decode (key preloaded): {bare_us:8.2f} µs")
    print(
        f"scalekit_core first-time validation:   {first_us:8.2f} µs   ratio {first_ratio:.3f} (target <= 1.1)"
    )
    print(
        f"scalekit_core repeat validation:       {repeat_us:8.2f} µs   ratio {repeat_ratio:.3f} (target <= 0.1)"
    )
    client.close()


if __name__ == "__main__":
    main()
