"""Login transactions: one sealed cookie per login attempt, named after its state."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .cookies import CookieJar
from .requests import CookieWrite
from .sealing import Sealer
from .settings import SessionSettings

__all__ = ["RETRY_STATE_PREFIX", "Transaction", "TransactionCookies", "is_valid_state"]

#: States of a login restarted by the callback start with this (``.`` never appears in a
#: generated state), which bounds restarts to one even when the browser drops cookies.
RETRY_STATE_PREFIX = "retry."
_STATE = re.compile(r"^[A-Za-z0-9_\-.]{16,128}$")
#: Beyond this many transaction cookies in a request, extras are deleted unread.
_MAX_INSPECTED = 20


def is_valid_state(value: object) -> bool:
    return isinstance(value, str) and bool(_STATE.match(value))


@dataclass(frozen=True)
class Transaction:
    state: str
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    return_to: str
    created_at: float
    redirect_uri: str

    def to_payload(self) -> dict[str, Any]:
        return {
            "s": self.state,
            "n": self.nonce,
            "v": self.code_verifier,
            "r": self.return_to,
            "t": self.created_at,
            "u": self.redirect_uri,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Transaction | None:
        values = [payload.get(key) for key in ("s", "n", "v", "r", "u")]
        created = payload.get("t")
        if not all(isinstance(value, str) for value in values) or not isinstance(
            created, (int, float)
        ):
            return None
        state, nonce, verifier, return_to, redirect_uri = values
        return cls(state, nonce, verifier, return_to, float(created), redirect_uri)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TransactionCookies:
    """Reads, writes and evicts transaction cookies."""

    settings: SessionSettings
    sealer: Sealer
    jar: CookieJar

    def name(self, state: str) -> str:
        return self.settings.transaction_cookie_prefix + state

    def names_in(self, cookies: Mapping[str, str]) -> list[str]:
        prefix = self.settings.transaction_cookie_prefix
        return [name for name in cookies if name.startswith(prefix)]

    def read(self, cookies: Mapping[str, str], state: str) -> Transaction | None:
        """The authentic transaction of ``state`` (expired or not), else ``None``."""
        name = self.name(state)
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
            state = name[len(self.settings.transaction_cookie_prefix) :]
            existing = self.read(cookies, state) if is_valid_state(state) else None
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
