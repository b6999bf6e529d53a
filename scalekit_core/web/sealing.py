"""The one sealing primitive: AES-GCM under HKDF-SHA256 keys derived from the app secrets.

A sealed value is ``base64url(version || nonce || ciphertext+tag)``. Each *purpose*
(session, transaction) derives its own key from every secret, so a transaction cookie can
never be replayed as a session; the cookie name is bound as associated data, so a value can
not be moved to another name. The first secret seals; all of them unseal (rotation).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["MAX_SEALED_LENGTH", "PURPOSE_SESSION", "PURPOSE_TRANSACTION", "Sealer"]

PURPOSE_SESSION = "session"
PURPOSE_TRANSACTION = "transaction"
_VERSION = b"\x01"
_NONCE_SIZE = 12
#: Sealed values longer than this are refused before any decoding (10 cookie chunks of 3800).
MAX_SEALED_LENGTH = 38_000
_MAX_PLAINTEXT = 256 * 1024


def _derive(secret: str, purpose: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"scalekit-web-v1",
        info=f"scalekit {purpose} cookie".encode(),
    ).derive(secret.encode())
    return AESGCM(key)


class Sealer:
    """Seal and unseal JSON-able mappings for one purpose.

    >>> sealer = Sealer(["s" * 32], "session")
    >>> sealer.unseal(sealer.seal({"a": 1}, "c"), "c")
    {'a': 1}
    >>> sealer.unseal(sealer.seal({"a": 1}, "c"), "other") is None
    True
    """

    def __init__(self, secrets: Sequence[str], purpose: str) -> None:
        self._purpose = purpose
        self._keys = [_derive(secret, purpose) for secret in secrets]

    def _aad(self, name: str) -> bytes:
        return f"{self._purpose}\x00{name}".encode()

    def seal(self, payload: Mapping[str, Any], name: str) -> str:
        plain = zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 6)
        nonce = os.urandom(_NONCE_SIZE)
        sealed = self._keys[0].encrypt(nonce, plain, self._aad(name))
        return base64.urlsafe_b64encode(_VERSION + nonce + sealed).rstrip(b"=").decode("ascii")

    def unseal(self, value: object, name: str) -> dict[str, Any] | None:
        """The payload, or ``None`` for anything not sealed by us for ``name`` (never raises)."""
        if not isinstance(value, str) or not value or len(value) > MAX_SEALED_LENGTH:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) < 1 + _NONCE_SIZE + 16 or raw[:1] != _VERSION:
            return None
        nonce, sealed, aad = raw[1 : 1 + _NONCE_SIZE], raw[1 + _NONCE_SIZE :], self._aad(name)
        for key in self._keys:
            try:
                plain = key.decrypt(nonce, sealed, aad)
            except InvalidTag:
                continue
            try:
                inflater = zlib.decompressobj()
                text = inflater.decompress(plain, _MAX_PLAINTEXT)
                if inflater.unconsumed_tail:
                    return None
                payload = json.loads(text)
            except (zlib.error, ValueError, UnicodeDecodeError, RecursionError):
                return None
            return payload if isinstance(payload, dict) else None
        return None
