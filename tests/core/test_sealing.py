"""The sealed format, pinned by values built here with ``cryptography`` alone (salt, info,
version byte, nonce size, associated data), and ``unseal``'s refusals: it never raises."""

from __future__ import annotations

import base64
import json
import os
import re
import zlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from scalekit_core.web.cookies import CHUNK_SIZE, MAX_CHUNKS
from scalekit_core.web.sealing import (
    _MAX_PLAINTEXT,
    MAX_SEALED_LENGTH,
    PURPOSE_SESSION,
    PURPOSE_TRANSACTION,
    Sealer,
)

SECRET = "sealing-test-secret-" + "s" * 32
OLD_SECRET = "sealing-old-secret-" + "o" * 32
NAME = "scalekit_session"
PAYLOAD = {"sub": "usr_1", "n": [1, 2.5, None, True], "t": "é"}


def key_for(secret: str, purpose: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"scalekit-web-v1",
        info=f"scalekit {purpose} cookie".encode(),
    ).derive(secret.encode())
    return AESGCM(key)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def build(
    plain: bytes,
    *,
    secret: str = SECRET,
    purpose: str = PURPOSE_SESSION,
    name: str = NAME,
    version: bytes = b"\x01",
    nonce: bytes = b"\x07" * 12,
) -> str:
    """A sealed value made without ``Sealer``: version || nonce || AES-GCM(zlib(json))."""
    sealed = key_for(secret, purpose).encrypt(nonce, plain, f"{purpose}\x00{name}".encode())
    return b64(version + nonce + sealed)


def packed(payload: Any, level: int = 9) -> bytes:
    return zlib.compress(json.dumps(payload).encode(), level)


def open_sealed(value: str, purpose: str = PURPOSE_SESSION, name: str = NAME) -> bytes:
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    assert raw[:1] == b"\x01"
    aad = f"{purpose}\x00{name}".encode()
    return zlib.decompress(key_for(SECRET, purpose).decrypt(raw[1:13], raw[13:], aad))


# {"sub":"usr_1"} stored (zlib level 0), nonce 00 01 .. 0b, sealed for SECRET, session, NAME.
KNOWN = "AQABAgMEBQYHCAkKC-aGYtpWKyWvS1--BzKMqmzWObpac0eD3E5VSBbvXriCHmVw738KE7_3Sw"


def test_a_known_answer() -> None:
    plain = zlib.compress(b'{"sub":"usr_1"}', 0)
    assert build(plain, nonce=bytes(range(12))) == KNOWN
    assert Sealer([SECRET], PURPOSE_SESSION).unseal(KNOWN, NAME) == {"sub": "usr_1"}
    assert Sealer([OLD_SECRET, SECRET], PURPOSE_SESSION).unseal(KNOWN, NAME) == {"sub": "usr_1"}
    assert Sealer([SECRET], PURPOSE_TRANSACTION).unseal(KNOWN, NAME) is None
    assert Sealer([SECRET], PURPOSE_SESSION).unseal(KNOWN, "other") is None


@pytest.mark.parametrize("purpose", [PURPOSE_SESSION, PURPOSE_TRANSACTION])
def test_a_value_built_by_hand_unseals(purpose: str) -> None:
    assert (PURPOSE_SESSION, PURPOSE_TRANSACTION) == ("session", "transaction")
    value = build(packed(PAYLOAD), purpose=purpose)
    assert Sealer([SECRET], purpose).unseal(value, NAME) == PAYLOAD
    other = PURPOSE_TRANSACTION if purpose == PURPOSE_SESSION else PURPOSE_SESSION
    assert Sealer([SECRET], other).unseal(value, NAME) is None


def test_sealed_values_open_by_hand_as_compact_json() -> None:
    values = {Sealer([SECRET], PURPOSE_SESSION).seal(PAYLOAD, NAME) for _ in range(50)}
    assert len(values) == 50  # a fresh nonce each time
    for value in values:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", value)
        assert open_sealed(value) == json.dumps(PAYLOAD, separators=(",", ":")).encode()
    transaction = Sealer([SECRET], PURPOSE_TRANSACTION).seal({"a": 1}, "txn")
    assert open_sealed(transaction, PURPOSE_TRANSACTION, "txn") == b'{"a":1}'


def test_every_seal_unseals_and_is_exactly_the_unpadded_base64() -> None:
    sealer = Sealer([SECRET], PURPOSE_SESSION)
    # 1 + 12 + len(zlib) + 16 is a multiple of 3 here, so every character is random.
    payload = {"k": "vvv"}
    raw_length = 1 + 12 + len(zlib.compress(b'{"k":"vvv"}', 6)) + 16
    assert raw_length % 3 == 0
    for _ in range(1000):
        value = sealer.seal(payload, NAME)
        assert len(value) == -(-raw_length * 4 // 3)
        assert sealer.unseal(value, NAME) == payload


def test_the_name_is_bound() -> None:
    sealer = Sealer([SECRET], PURPOSE_SESSION)
    value = sealer.seal(PAYLOAD, NAME)
    assert sealer.unseal(value, NAME) == PAYLOAD
    assert sealer.unseal(value, NAME + ".0") is None
    assert sealer.unseal(build(packed(PAYLOAD), name="other"), NAME) is None


def test_wrong_key_and_rotated_secrets() -> None:
    old = Sealer([OLD_SECRET], PURPOSE_SESSION).seal(PAYLOAD, NAME)
    new = Sealer([SECRET], PURPOSE_SESSION).seal(PAYLOAD, NAME)
    rotated = Sealer([SECRET, OLD_SECRET], PURPOSE_SESSION)
    assert rotated.unseal(old, NAME) == PAYLOAD
    assert rotated.unseal(new, NAME) == PAYLOAD
    assert open_sealed(rotated.seal(PAYLOAD, NAME)) == open_sealed(new)  # the first one seals
    assert Sealer([SECRET], PURPOSE_SESSION).unseal(old, NAME) is None
    assert Sealer([OLD_SECRET, SECRET + "x"], PURPOSE_SESSION).unseal(new, NAME) is None


@pytest.mark.parametrize("version", [b"\x00", b"\x02", b"\xff"])
def test_another_version_byte_is_refused(version: bytes) -> None:
    assert (
        Sealer([SECRET], PURPOSE_SESSION).unseal(build(packed(PAYLOAD), version=version), NAME)
        is None
    )


@pytest.mark.parametrize("size", [8, 11, 13, 16])
def test_another_nonce_size_is_refused(size: int) -> None:
    value = build(packed(PAYLOAD), nonce=b"\x07" * size)
    assert Sealer([SECRET], PURPOSE_SESSION).unseal(value, NAME) is None


def test_truncated_or_extended_values_are_refused() -> None:
    sealer = Sealer([SECRET], PURPOSE_SESSION)
    value = sealer.seal(PAYLOAD, NAME)
    for cut in range(1, len(value)):
        assert sealer.unseal(value[:cut], NAME) is None
        assert sealer.unseal(value[cut:], NAME) is None
    assert sealer.unseal(value + "A", NAME) is None
    assert sealer.unseal(value + "AAAA", NAME) is None


@pytest.mark.parametrize(
    "value",
    [
        None,
        b"AQ",
        1,
        1.5,
        ["AQ"],
        {"a": 1},
        "",
        "A",
        "AQ",
        "AQ==",
        "AQA",
        "=",
        "====",
        "not base64!",
        "é",
        "\x00",
        "+/+/",
        "A" * 5,
    ],
)
def test_unseal_never_raises(value: object) -> None:
    assert Sealer([SECRET], PURPOSE_SESSION).unseal(value, NAME) is None


def test_every_short_value_is_refused_without_raising() -> None:
    sealer = Sealer([SECRET], PURPOSE_SESSION)
    for length in range(60):
        for fill in (b"\x00", b"\x07", b"\xff"):
            assert sealer.unseal(b64(b"\x01" + fill * length), NAME) is None


def test_what_decrypts_but_is_not_a_sealed_mapping() -> None:
    sealer = Sealer([SECRET], PURPOSE_SESSION)
    nested = b"[" * 100_000 + b"]" * 100_000
    for plain in [
        b"",
        b"not zlib at all",
        zlib.compress(b"")[:-1],
        zlib.compress(b"not json"),
        zlib.compress(b"\xff\xfe{}"),
        zlib.compress(b'"a string"'),
        zlib.compress(b"[1, 2]"),
        zlib.compress(b"null"),
        zlib.compress(nested),
        zlib.compress(b'{"a": NaN'),
    ]:
        assert sealer.unseal(build(plain), NAME) is None, plain[:20]


def test_the_plaintext_limit() -> None:
    assert _MAX_PLAINTEXT == 256 * 1024
    sealer = Sealer([SECRET], PURPOSE_SESSION)
    fill = "x" * (_MAX_PLAINTEXT - len('{"a":""}'))
    exact = json.dumps({"a": fill}, separators=(",", ":")).encode()
    assert len(exact) == _MAX_PLAINTEXT
    assert sealer.unseal(build(zlib.compress(exact)), NAME) == {"a": fill}
    over = json.dumps({"a": fill + "x"}, separators=(",", ":")).encode()
    assert sealer.unseal(build(zlib.compress(over)), NAME) is None
    # A zlib bomb: far more than the limit from a few hundred bytes.
    bomb = zlib.compress(b'{"a":"' + b"x" * (64 * _MAX_PLAINTEXT) + b'"}', 9)
    assert len(bomb) < 40_000
    assert sealer.unseal(build(bomb), NAME) is None


def stored(payload_length: int) -> bytes:
    """zlib at level 0 (stored): the sealed length follows the payload's exactly."""
    text = json.dumps({"a": "x" * (payload_length - 8)}, separators=(",", ":")).encode()
    assert len(text) == payload_length
    return zlib.compress(text, 0)


def test_the_sealed_length_limit() -> None:
    assert MAX_SEALED_LENGTH == 38_000 == MAX_CHUNKS * CHUNK_SIZE
    sealer = Sealer([SECRET], PURPOSE_SESSION)
    # 28 500 raw bytes are 38 000 base64 characters: 1 + 12 + 16 + 28 471 of zlib (11 of
    # them the stored block's framing).
    longest = build(stored(28_460))
    assert len(longest) == MAX_SEALED_LENGTH
    assert sealer.unseal(longest, NAME) == {"a": "x" * 28_452}
    too_long = build(stored(28_461))
    assert len(too_long) == MAX_SEALED_LENGTH + 2
    assert sealer.unseal(too_long, NAME) is None


def test_random_values_are_refused() -> None:
    sealer = Sealer([SECRET], PURPOSE_SESSION)
    for _ in range(200):
        assert sealer.unseal(b64(b"\x01" + os.urandom(60)), NAME) is None
