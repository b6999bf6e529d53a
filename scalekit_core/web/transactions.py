"""Login transactions: one sealed cookie per login attempt, named after its state."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .cookies import CookieJar, repeated_names
from .requests import CookieWrite
from .sealing import Sealer
from .settings import SessionSettings

__all__ = [
    "MAX_CONSUMED_STATES",
    "RETRY_STATE_PREFIX",
    "ConsumedStates",
    "Transaction",
    "TransactionCookies",
    "is_valid_state",
]

#: States of a login restarted by the callback start with this (``.`` never appears in a
#: generated state), which bounds restarts to one even when the browser drops cookies.
RETRY_STATE_PREFIX = "retry."
#: A callback's ``state`` worth looking up (URL-safe characters, a retry's prefix allowed).
_STATE = re.compile(r"^(?:retry\.)?[A-Za-z0-9_\-]{16,128}$")
#: Exactly what ``generate_state`` gives (24 random bytes, URL-safe base64), or a retry's:
#: the only transaction cookie names the layer writes, so the only ones it ever deletes.
_GENERATED_STATE = re.compile(r"^(?:retry\.)?[A-Za-z0-9_\-]{32}$")
#: Consumed login states remembered per process (oldest forgotten first beyond this).
MAX_CONSUMED_STATES = 50_000
#: Beyond this many transaction cookies in a request, extras are deleted unread.
_MAX_INSPECTED = 20


def is_valid_state(value: object) -> bool:
    return isinstance(value, str) and bool(_STATE.match(value))


def is_generated_state(value: str) -> bool:
    """Whether the layer itself could have made ``value`` (so a cookie named after it is ours
    to delete); :func:`is_valid_state` is the looser rule for a callback's ``state``."""
    return bool(_GENERATED_STATE.match(value))


@dataclass(frozen=True)
class Transaction:
    state: str
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    return_to: str
    created_at: float
    redirect_uri: str
    #: The ``max_age`` the authorize request asked for: the callback checks ``auth_time``.
    max_age: int | None = None
    #: For an organization switch: the organization the new session must be of.
    switch_to: str | None = None

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "s": self.state,
            "n": self.nonce,
            "v": self.code_verifier,
            "r": self.return_to,
            "t": self.created_at,
            "u": self.redirect_uri,
        }
        if self.max_age is not None:
            payload["m"] = self.max_age
        if self.switch_to is not None:
            payload["w"] = self.switch_to
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Transaction | None:
        values = [payload.get(key) for key in ("s", "n", "v", "r", "u")]
        created = payload.get("t")
        max_age = payload.get("m")
        switch_to = payload.get("w")
        if (
            not all(isinstance(value, str) for value in values)
            or not isinstance(created, (int, float))
            or (max_age is not None and (type(max_age) is not int or max_age < 0))
            or (switch_to is not None and not isinstance(switch_to, str))
        ):
            return None
        state, nonce, verifier, return_to, redirect_uri = values
        return cls(
            state,  # type: ignore[arg-type]
            nonce,  # type: ignore[arg-type]
            verifier,  # type: ignore[arg-type]
            return_to,  # type: ignore[arg-type]
            float(created),
            redirect_uri,  # type: ignore[arg-type]
            max_age,
            switch_to,
        )


@dataclass(frozen=True)
class TransactionCookies:
    """Reads, writes and evicts transaction cookies."""

    settings: SessionSettings
    sealer: Sealer
    jar: CookieJar

    def name(self, state: str) -> str:
        return self.settings.transaction_cookie_prefix + state

    def names_in(self, cookies: Mapping[str, str]) -> list[str]:
        """The transaction cookies of ``cookies``: only names the layer itself could have
        written (prefix and a generated state), so no other name is ever deleted."""
        prefix = self.settings.transaction_cookie_prefix
        return [
            name
            for name in cookies
            if name.startswith(prefix) and is_generated_state(name[len(prefix) :])
        ]

    def read(self, cookies: Mapping[str, str], state: str) -> Transaction | None:
        """The authentic transaction of ``state`` (expired or not), else ``None`` (also when
        the raw header repeats its name: which one is the browser's cannot be told)."""
        name = self.name(state)
        if name in repeated_names(cookies):
            return None
        payload = self.sealer.unseal(cookies.get(name), name)
        if payload is None:
            return None
        transaction = Transaction.from_payload(payload)
        if transaction is None or transaction.state != state:
            return None
        return transaction

    def is_expired(self, transaction: Transaction, now: float) -> bool:
        return not (0 <= now - transaction.created_at < self.settings.transaction_ttl)

    def write(
        self, cookies: Mapping[str, str], transaction: Transaction, now: float
    ) -> list[CookieWrite]:
        """The new transaction's cookie, plus deletions of expired, unreadable and evicted ones
        so that at most ``max_transactions`` remain."""
        live: list[tuple[float, str]] = []
        deletions: list[str] = []
        for index, name in enumerate(self.names_in(cookies)):
            if index >= _MAX_INSPECTED:
                deletions.append(name)
                continue
            existing = self.read(cookies, name[len(self.settings.transaction_cookie_prefix) :])
            if existing is None or self.is_expired(existing, now):
                deletions.append(name)
            else:
                live.append((existing.created_at, name))
        live.sort()
        keep = self.settings.max_transactions - 1
        evicted = live[: max(0, len(live) - keep)]
        deletions.extend(name for _, name in evicted)
        name = self.name(transaction.state)
        writes = [
            self.jar.set(
                name,
                self.sealer.seal(transaction.to_payload(), name),
                self.settings.transaction_ttl,
            )
        ]
        return writes + self.jar.delete_all(sorted(set(deletions) - {name}))


class ConsumedStates:
    """The login states whose callback already ran, so that a replayed callback (same URL,
    same transaction cookie, still in the browser) never reaches the token endpoint twice.

    In process, bounded, each state kept for ``ttl`` (the transaction lifetime: a transaction
    older than that is refused anyway); keyed by a hash of the state. Thread-safe.
    """

    def __init__(self, ttl: float, max_size: int = MAX_CONSUMED_STATES) -> None:
        self._ttl = ttl
        self._max_size = max_size
        self._seen: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, state: str, now: float) -> bool:
        """``True`` the first time ``state`` is claimed within ``ttl``, ``False`` after."""
        key = hashlib.sha256(state.encode("utf-8")).digest()
        with self._lock:
            while self._seen:
                oldest, expires = next(iter(self._seen.items()))
                if expires > now and len(self._seen) < self._max_size:
                    break
                del self._seen[oldest]
            expires_at = self._seen.get(key)
            if expires_at is not None and expires_at > now:
                return False
            self._seen[key] = now + self._ttl
            self._seen.move_to_end(key)
            return True
